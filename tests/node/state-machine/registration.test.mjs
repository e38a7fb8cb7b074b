// Unit tests of the registration module of the PrepareRequest function (constructs/Orchestration/runtime/registration.mjs):
// what the run fills into the default CreateModelPackage request, what makes an artifact servable, what it refuses, and
// that every request it builds conforms to the SageMaker API model. The synthesized default request and policy are
// used by tests/node/csharp-output/registration-requests.test.mjs; these fixtures have their shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handler, prepareRegistration } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { REGISTRATION_REFUSED } from '../../../constructs/Orchestration/runtime/registration.mjs';
import { shape, validateRequest } from '../lib/sagemaker-api-model.mjs';
import { trainingDefaults, tuningDefaults } from './fixtures.mjs';

const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:Pipeline:run-1';

// The limits as the API model states them (CustomerMetadataMap, CustomerMetadataKey/Value, ModelCardContent,
// EntityDescription, Url, ClientToken): read from the model, so a fixture cannot drift from it.
const limits = {
  metadataEntries: shape('CustomerMetadataMap').max,
  metadataKeyLength: shape('CustomerMetadataKey').max,
  metadataValueLength: shape('CustomerMetadataValue').max,
  modelCardContentLength: shape('ModelCardContent').max,
  descriptionLength: shape('EntityDescription').max,
  modelDataUrlLength: shape('Url').max,
  clientTokenLength: 32,
};

// The character class of CustomerMetadataKey and CustomerMetadataValue, as the model writes it: ([<class>]*)${1,<max>}.
const metadataValueCharacters = /^\((\[.+\])\*\)\$\{1,\d+\}$/.exec(shape('CustomerMetadataValue').pattern)[1];

function policy(extra = {}) {
  return {
    pendingApprovalStatus: 'PendingManualApproval',
    metadataValueCharacters,
    limits,
    customerMetadata: { recipe: 'llm-sft' },
    ...extra,
  };
}

function defaults(approval = 'PendingManualApproval') {
  return {
    ModelPackageGroupName: 'hf-llmsft-dev-0a1b2c3d',
    InferenceSpecification: {
      Containers: [{
        Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04',
        Environment: { HF_MODEL_ID: '/opt/ml/model/merged', SAGEMAKER_PROGRAM: '', SAGEMAKER_SUBMIT_DIRECTORY: '', SAGEMAKER_CONTAINER_LOG_LEVEL: '20', SAGEMAKER_REGION: 'eu-west-1' },
        Framework: 'PYTORCH',
        FrameworkVersion: '2.8.0',
      }],
      SupportedContentTypes: ['application/json'],
      SupportedResponseMIMETypes: ['application/json'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.g5.2xlarge'],
    },
    CertifyForMarketplace: false,
    ModelApprovalStatus: approval,
    SkipModelValidation: 'None',
    MetadataProperties: { CommitId: '0123456789abcdef0123456789abcdef01234567' },
  };
}

const MERGE = { hyperparameter: 'merge_adapter', equals: true, otherwise: 'Only the LoRA adapter was saved (merge_adapter false).' };

/** A training run: the request sent, the job's Describe output, the run's result. */
function trainingRun({ hyperparameters = {}, metrics = [{ MetricName: 'eval_loss', Value: 1.25 }], artifact } = {}) {
  const request = trainingDefaults();
  request.TrainingJobName = 'hf-llmsft-run-1';
  Object.assign(request.HyperParameters, hyperparameters);
  const modelArtifacts = artifact === undefined ? 's3://artifacts-bucket/hf-llmsft/hf-llmsft-run-1/output/model.tar.gz' : artifact;
  return {
    mode: 'train',
    request,
    job: {
      TrainingJobName: request.TrainingJobName,
      TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${request.TrainingJobName}`,
      ...(modelArtifacts === null ? {} : { ModelArtifacts: { S3ModelArtifacts: modelArtifacts } }),
      FinalMetricDataList: metrics,
    },
    result: { status: 'Completed', mode: 'train', jobName: request.TrainingJobName, modelArtifacts },
    executionArn: EXECUTION,
  };
}

const event = (run, { extraPolicy = {}, approval } = {}) => ({ register: { defaults: defaults(approval), policy: policy(extraPolicy) }, ...run });

function valid(request) {
  assert.deepEqual(validateRequest('CreateModelPackage', request), []);
  return request;
}

test('a servable run: the artifact goes into the container after Environment, with lineage, model card and token', () => {
  const { request, summary, refusal } = prepareRegistration(event(trainingRun({ hyperparameters: { merge_adapter: 'true' } }), { extraPolicy: { servableWhen: MERGE } }));
  assert.equal(refusal, null);
  valid(request);
  const container = request.InferenceSpecification.Containers[0];
  assert.deepEqual(Object.keys(container), ['Image', 'Environment', 'ModelDataUrl', 'Framework', 'FrameworkVersion']);
  assert.equal(container.ModelDataUrl, 's3://artifacts-bucket/hf-llmsft/hf-llmsft-run-1/output/model.tar.gz');
  assert.equal(request.ModelApprovalStatus, 'PendingManualApproval');
  assert.deepEqual(request.MetadataProperties, { CommitId: '0123456789abcdef0123456789abcdef01234567', GeneratedBy: EXECUTION });
  const metadata = request.CustomerMetadataProperties;
  assert.equal(metadata.recipe, 'llm-sft');
  assert.equal(metadata.trainingJobName, 'hf-llmsft-run-1');
  assert.equal(metadata.trainingJobArn, 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/hf-llmsft-run-1');
  assert.equal(metadata.executionArn, EXECUTION);
  assert.equal(metadata.modelDataUrl, container.ModelDataUrl);
  assert.equal(metadata.servable, 'true');
  assert.equal(metadata['channel:train'], 's3://datasets-bucket-111122223333/translation/train/');
  assert.equal(metadata['metric:eval_loss'], '1.25');
  assert.match(metadata.trainingImage, /huggingface-pytorch-training/);
  assert.match(request.ClientToken, /^[0-9a-f]{32}$/);
  const card = JSON.parse(request.ModelCard.ModelCardContent).training_details.training_job_details;
  assert.equal(request.ModelCard.ModelCardStatus, 'Draft');
  assert.equal(card.training_arn, metadata.trainingJobArn);
  assert.deepEqual(card.training_metrics, [{ name: 'eval_loss', value: 1.25 }]);
  assert.deepEqual(card.hyper_parameters.find((h) => h.name === 'merge_adapter'), { name: 'merge_adapter', value: 'true' });
  assert.deepEqual(summary, {
    jobName: 'hf-llmsft-run-1', modelArtifacts: container.ModelDataUrl, servable: true, approvalStatus: 'PendingManualApproval',
    modelPackageGroupName: 'hf-llmsft-dev-0a1b2c3d',
  });
});

test('the handler routes { register } events to the registration', async () => {
  const e = event(trainingRun());
  assert.deepEqual(await handler(e), prepareRegistration(e));
});

test('an artifact the image cannot serve: no InferenceSpecification, pending manual approval, the reason as description', () => {
  const run = trainingRun({ hyperparameters: { merge_adapter: 'false' } });
  const { request, summary } = prepareRegistration(event(run, { extraPolicy: { servableWhen: MERGE }, approval: 'Approved' }));
  valid(request);
  assert.equal(request.InferenceSpecification, undefined);
  assert.equal(request.ModelApprovalStatus, 'PendingManualApproval');
  assert.equal(request.ModelPackageDescription, MERGE.otherwise);
  assert.equal(request.CustomerMetadataProperties.servable, 'false');
  assert.equal(request.CustomerMetadataProperties.modelDataUrl, run.result.modelArtifacts);
  assert.equal(summary.servable, false);
});

test('servable is read as the training toolkit reads the value: JSON, or a tuned categorical\'s Python str()', () => {
  const servable = (value) => prepareRegistration(event(trainingRun({ hyperparameters: { merge_adapter: value } }), { extraPolicy: { servableWhen: MERGE } })).summary.servable;
  assert.equal(servable('true'), true);
  assert.equal(servable('"True"'), true);
  assert.equal(servable('false'), false);
  assert.equal(servable('"False"'), false);
  assert.equal(servable('"true"'), false, 'the string "true" is not the boolean the rule names');
  const missing = trainingRun();
  delete missing.request.HyperParameters.merge_adapter;
  assert.equal(prepareRegistration(event(missing, { extraPolicy: { servableWhen: MERGE } })).summary.servable, false);
  assert.equal(prepareRegistration(event(missing)).summary.servable, true, 'no rule: every artifact is servable');
});

test('the approval status of the defaults is kept for a servable artifact (automatic approval)', () => {
  const { request } = prepareRegistration(event(trainingRun(), { approval: 'Approved' }));
  assert.equal(request.ModelApprovalStatus, 'Approved');
});

test('a tuning run registers its best training job: its name, ARN, objective, and static plus tuned hyperparameters', () => {
  const request = tuningDefaults();
  request.HyperParameterTuningJobName = 'hf-llmsft-tune-1';
  const best = {
    TrainingJobName: 'hf-llmsft-tune-1-003-abcdef12',
    TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/hf-llmsft-tune-1-003-abcdef12',
    TunedHyperParameters: { learning_rate: '0.00012', merge_adapter: '"True"' },
    FinalHyperParameterTuningJobObjectiveMetric: { Type: 'Minimize', MetricName: 'eval_loss', Value: 1.1 },
  };
  const run = {
    mode: 'tune',
    request,
    job: { HyperParameterTuningJobName: 'hf-llmsft-tune-1', HyperParameterTuningJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/hf-llmsft-tune-1', BestTrainingJob: best },
    result: { mode: 'tune', bestTrainingJob: { jobName: best.TrainingJobName, modelArtifacts: `s3://artifacts-bucket/hf-llmsft/${best.TrainingJobName}/output/model.tar.gz` } },
    executionArn: EXECUTION,
  };
  const { request: registration, summary } = prepareRegistration(event(run, { extraPolicy: { servableWhen: MERGE } }));
  valid(registration);
  assert.equal(summary.jobName, best.TrainingJobName);
  assert.equal(summary.servable, true);
  assert.equal(registration.InferenceSpecification.Containers[0].ModelDataUrl, run.result.bestTrainingJob.modelArtifacts);
  const metadata = registration.CustomerMetadataProperties;
  assert.equal(metadata.tuningJobName, 'hf-llmsft-tune-1');
  assert.equal(metadata.tuningJobArn, run.job.HyperParameterTuningJobArn);
  assert.equal(metadata['metric:eval_loss'], '1.1');
  const card = JSON.parse(registration.ModelCard.ModelCardContent).training_details.training_job_details;
  assert.equal(card.hyper_parameters.find((h) => h.name === 'learning_rate').value, '0.00012');
  assert.ok(card.hyper_parameters.some((h) => h.name === 'sagemaker_estimator_class_name'), 'static hyperparameters are kept');
});

test('no artifact, or one SageMaker would not take: refused with the job named, nothing to send', () => {
  for (const artifact of [null, 'file:///tmp/model.tar.gz', `s3://b/${'x'.repeat(limits.modelDataUrlLength)}`]) {
    const { request, refusal } = prepareRegistration(event(trainingRun({ artifact })));
    assert.equal(request, null);
    assert.equal(refusal.Error, REGISTRATION_REFUSED);
    assert.match(refusal.Cause, /hf-llmsft-run-1/);
  }
});

test('lineage values SageMaker would refuse are left out and named; the entry count never exceeds the API maximum', () => {
  const run = trainingRun({ metrics: Array.from({ length: 60 }, (_, i) => ({ MetricName: `m${i}`, Value: i })) });
  run.request.InputDataConfig[0].DataSource.S3DataSource.S3Uri = `s3://datasets-bucket/with,comma/`;
  run.request.InputDataConfig[1].DataSource.S3DataSource.S3Uri = `s3://datasets-bucket/${'p/'.repeat(200)}`;
  const { request } = prepareRegistration(event(run));
  valid(request);
  assert.equal(Object.keys(request.CustomerMetadataProperties).length, limits.metadataEntries);
  assert.equal(request.CustomerMetadataProperties['channel:train'], undefined);
  assert.equal(request.CustomerMetadataProperties['channel:validation'], undefined);
  // The refused values first, then the metrics that did not fit (the last ones give way).
  assert.match(request.CustomerMetadataProperties.omittedLineage, /^channel:train channel:validation metric:m59 metric:m58 /);
  assert.ok(request.CustomerMetadataProperties['metric:m0'] !== undefined);
});

test('a model card longer than the API allows drops the hyperparameters, then the card', () => {
  const hyperparameters = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`h${i}`, `"${'v'.repeat(2400)}"`]));
  const { request } = prepareRegistration(event(trainingRun({ hyperparameters })));
  valid(request);
  const card = JSON.parse(request.ModelCard.ModelCardContent).training_details.training_job_details;
  assert.deepEqual(card.hyper_parameters, []);
  assert.deepEqual(card.training_metrics, [{ name: 'eval_loss', value: 1.25 }]);
});

test('the client token is the same for a retried call and differs per execution or job', () => {
  const token = (executionArn, name) => {
    const run = trainingRun();
    run.executionArn = executionArn;
    run.job.TrainingJobArn = `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${name}`;
    return prepareRegistration(event(run)).request.ClientToken;
  };
  assert.equal(token(EXECUTION, 'a'), token(EXECUTION, 'a'));
  assert.notEqual(token(EXECUTION, 'a'), token(EXECUTION, 'b'));
  assert.notEqual(token(EXECUTION, 'a'), token(`${EXECUTION}-2`, 'a'));
});

test('metric values are written as Python writes floats, in the metadata and the model card', () => {
  const { request } = prepareRegistration(event(trainingRun({ metrics: [{ MetricName: 'eval_bleu', Value: 27 }, { MetricName: 'lr', Value: 1e-5 }] })));
  assert.equal(request.CustomerMetadataProperties['metric:eval_bleu'], '27');
  assert.match(request.ModelCard.ModelCardContent, /"name": "eval_bleu", "value": 27\.0\}, \{"name": "lr", "value": 1e-05\}/);
});

test('without the defaults or the policy the definition is broken: an error, not a request', () => {
  assert.throws(() => prepareRegistration({ register: {} }), /definition is broken/);
});
