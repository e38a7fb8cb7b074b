// Test fixtures for the PrepareRequest unit tests: a policy and default requests shaped like the ones the C#
// TrainingRequestBuilder emits (the state machine tests use the real synthesized ones instead).
// Values as C# PrepareRequestPolicy computes them for such a recipe (no volume key on these types: local storage). The
// tuning rules are the table's own entries, every strategy's (the synthesized policy carries those a run can reach: the
// tests here change the recipe's strategy).
import { readFileSync } from 'node:fs';

const tuningRules = JSON.parse(readFileSync(new URL('../../../constructs/Training/Catalog/tuning-rules.json', import.meta.url), 'utf8'));
const quotaNames = (type) => ({ onDemand: `${type} for training job usage`, spot: `${type} for spot training job usage` });
export const policy = Object.freeze({
  jobNamePrefix: 'hf-translate',
  jobNames: { alphabet: '[a-zA-Z0-9](-*[a-zA-Z0-9])*', trainingMaxLength: 63, tuningMaxLength: 32 },
  instanceTypes: {
    'ml.g5.2xlarge': { quotaNames: quotaNames('ml.g5.2xlarge') },
    'ml.g5.12xlarge': { quotaNames: quotaNames('ml.g5.12xlarge') },
  },
  instanceCount: { max: 2 },
  maxRuntimeSeconds: 8 * 3600,
  spot: { defaultMaxWaitSeconds: 7200, maxWaitSeconds: 16 * 3600 },
  datasetsBucket: 'datasets-bucket-111122223333',
  channels: ['train', 'validation'],
  limits: { hyperparameters: 100, hyperparameterKeyLength: 256, hyperparameterValueLength: 2500, s3UriLength: 1024 },
  reservedHyperparameters: { prefix: 'sagemaker_', names: ['mp_parameters'] },
  tuning: {
    maxJobs: 10,
    maxParallelJobs: 2,
    strategies: ['Bayesian', 'Random'],
    earlyStoppingTypes: ['Off', 'Auto'],
    scalingTypes: ['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'],
    warmStartTypes: ['IdenticalDataAndAlgorithm', 'TransferLearning'],
    tunedParameters: 30,
    categoricalValues: 30,
    categoricalValueLength: 256,
    warmStartParents: 5,
    maxRandomSeed: 2147483647,
    strategyRules: tuningRules.strategies,
    scalingRules: tuningRules.scaling,
    rangeRules: tuningRules.ranges,
  },
});

export function trainingDefaults() {
  return {
    AlgorithmSpecification: {
      TrainingImage: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04',
      TrainingInputMode: 'File',
      EnableSageMakerMetricsTimeSeries: true,
      MetricDefinitions: [{ Name: 'eval_bleu', Regex: 'METRIC.* eval_bleu=([0-9.]+)' }],
    },
    RoleArn: 'arn:aws:iam::111122223333:role/SageMakerExecution',
    HyperParameters: {
      model_name_or_path: '"t5-small"',
      num_train_epochs: '3',
      learning_rate: '5e-05',
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: '"/opt/ml/input/data/code/sourcedir.tar.gz"',
      sagemaker_container_log_level: '20',
      sagemaker_job_name: '"placeholder"',
      sagemaker_region: '"eu-west-1"',
    },
    InputDataConfig: [
      { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://datasets-bucket-111122223333/translation/train/', S3DataDistributionType: 'FullyReplicated' } } },
      { ChannelName: 'validation', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://datasets-bucket-111122223333/translation/validation/', S3DataDistributionType: 'FullyReplicated' } } },
      { ChannelName: 'code', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://cdk-assets/abc.tar.gz', S3DataDistributionType: 'FullyReplicated' } } },
    ],
    OutputDataConfig: { S3OutputPath: 's3://artifacts-bucket/hf-translate/', KmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
    // ml.g5 types have local NVMe storage: the builder sends no volume key for them.
    ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
    EnableManagedSpotTraining: true,
    CheckpointConfig: { S3Uri: 's3://checkpoints-bucket/hf-translate' },
    RetryStrategy: { MaximumRetryAttempts: 2 },
    EnableNetworkIsolation: true,
    VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
  };
}

export function tuningDefaults() {
  const t = trainingDefaults();
  const hps = { ...t.HyperParameters };
  delete hps.learning_rate;
  hps.sagemaker_estimator_class_name = '"HuggingFace"';
  hps.sagemaker_estimator_module = '"sagemaker.huggingface.estimator"';
  return {
    HyperParameterTuningJobConfig: {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'eval_bleu' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
      ParameterRanges: {
        ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '1e-05', MaxValue: '0.0001', ScalingType: 'Logarithmic' }],
        IntegerParameterRanges: [],
        CategoricalParameterRanges: [],
      },
      TrainingJobEarlyStoppingType: 'Off',
    },
    TrainingJobDefinition: {
      AlgorithmSpecification: { TrainingImage: t.AlgorithmSpecification.TrainingImage, TrainingInputMode: 'File', MetricDefinitions: t.AlgorithmSpecification.MetricDefinitions },
      RoleArn: t.RoleArn,
      StaticHyperParameters: hps,
      InputDataConfig: t.InputDataConfig,
      OutputDataConfig: t.OutputDataConfig,
      // tuner.py _TuningJob._prepare_training_config -> session.py _map_training_config (SDK v2.257.6, line 3995).
      HyperParameterTuningResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
      EnableManagedSpotTraining: true,
      CheckpointConfig: t.CheckpointConfig,
      EnableNetworkIsolation: true,
      VpcConfig: t.VpcConfig,
    },
  };
}

export const event = (input, extra = {}) => ({
  input,
  defaults: { training: trainingDefaults(), tuning: tuningDefaults() },
  policy,
  executionName: 'run-2024-06-01',
  attempt: 1,
  ...extra,
});
