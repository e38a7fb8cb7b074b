// Executes the synthesized training pipeline locally with aws-local-stepfunctions: the real PrepareRequest handler,
// SageMaker and SNS task states replaced by local handlers that record each request and simulate SageMaker.
// The definition comes from the template the C# Orchestration tests write ($HF_TEST_RESULTS/state-machines/).
if (!Promise.withResolvers) {
  Promise.withResolvers = function withResolvers() {
    let resolve; let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { StateMachine } from 'aws-local-stepfunctions';
import { synthesizedDefinition } from '../lib/synthesized.mjs';
import { handler as prepareHandler } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { validateRequest } from '../lib/sagemaker-api-model.mjs';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator');
const definition = synthesizedDefinition('translation-pipeline.template.json');

const EXECUTION = 'run-2024-06-01';
const EXECUTION_ID = `arn:aws:states:eu-west-1:111122223333:execution:Pipeline:${EXECUTION}`;

/** A describe response of a completed training job. */
function completedTraining(request, extra = {}) {
  return {
    TrainingJobName: request.TrainingJobName,
    TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${request.TrainingJobName}`,
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    ModelArtifacts: { S3ModelArtifacts: `${request.OutputDataConfig.S3OutputPath}${request.TrainingJobName}/output/model.tar.gz` },
    FinalMetricDataList: [{ MetricName: 'eval_bleu', Value: 27.4, Timestamp: '2024-06-01T12:00:00Z' }],
    HyperParameters: request.HyperParameters,
    ...extra,
  };
}

/** A completed tuning job (4 trials) whose best training job, trial 3, tuned learning_rate to 3.2e-05 for a BLEU of 28.1. */
function completedTuning(request) {
  const best = `${request.HyperParameterTuningJobName}-003-1a2b3c4d`;
  return {
    HyperParameterTuningJobName: request.HyperParameterTuningJobName,
    HyperParameterTuningJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/${request.HyperParameterTuningJobName}`,
    HyperParameterTuningJobStatus: 'Completed',
    TrainingJobStatusCounters: { Completed: 4, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
    BestTrainingJob: {
      TrainingJobName: best,
      TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${best}`,
      TunedHyperParameters: { learning_rate: '3.2e-05' },
      FinalHyperParameterTuningJobObjectiveMetric: { Type: 'Maximize', MetricName: 'eval_bleu', Value: 28.1 },
    },
  };
}

function failedJob(request, reason) {
  return JSON.stringify({
    TrainingJobName: request.TrainingJobName, TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', FailureReason: reason,
  });
}

const namedError = (name, message) => Object.assign(new Error(message), { name });

/** The CreateModelPackage answer: version `n` of the request's group. */
const registered = (request, n) => ({ ModelPackageArn: `arn:aws:sagemaker:eu-west-1:111122223333:model-package/${request.ModelPackageGroupName}/${n}` });

/**
 * Runs one execution; sagemaker(request, call) simulates the job, register(request, call) CreateModelPackage (throw to
 * fail it), notifyRegistered(parameters) the success notification; returns what happened.
 */
async function run(input, sagemaker = (request) => completedTraining(request), { prepareFailure, register = registered, notifyRegistered } = {}) {
  const calls = { prepare: [], training: [], tuning: [], sns: [], register: [], registeredSns: [] };
  const sm = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const simulate = (kind) => async (request) => {
    calls[kind].push(structuredClone(request));
    return sagemaker(request, calls[kind].length, kind);
  };
  const execution = sm.run(input, {
    overrides: {
      taskResourceLocalHandlers: {
        PrepareRequest: async (parameters) => {
          calls.prepare.push(structuredClone(parameters));
          if (prepareFailure) throw namedError(prepareFailure.name, prepareFailure.cause);
          try {
            return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await prepareHandler(parameters.Payload) };
          } catch (e) {
            // What Step Functions reports for a function error: Error = errorType, Cause = the error payload JSON.
            throw namedError(e.name, JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] }));
          }
        },
        // The failure paths' cause parser: the same function, invoked with { parse, cause }.
        ParseInvalidInput: async (parameters) => ({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await prepareHandler(parameters.Payload) }),
        ParseFailedJob: async (parameters) => ({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await prepareHandler(parameters.Payload) }),
        PrepareRegistration: async (parameters) => {
          try {
            return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await prepareHandler(parameters.Payload) };
          } catch (e) {
            throw namedError(e.name, JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] }));
          }
        },
        RunTrainingJob: simulate('training'),
        RunTuningJob: simulate('tuning'),
        RegisterModel: async (request) => { calls.register.push(structuredClone(request)); return register(request, calls.register.length); },
        NotifyFailure: async (parameters) => { calls.sns.push(structuredClone(parameters)); return { MessageId: 'm-1' }; },
        NotifyRegistered: async (parameters) => {
          calls.registeredSns.push(structuredClone(parameters));
          if (notifyRegistered) notifyRegistered(parameters);
          return { MessageId: 'm-2' };
        },
      },
      waitTimeOverrides: { WaitForCapacity: 0 },
      retryIntervalOverrides: {
        RunTrainingJob: 0, RunTuningJob: 0, PrepareRequest: 0, NotifyFailure: 0, ParseInvalidInput: 0, ParseFailedJob: 0,
        PrepareRegistration: 0, RegisterModel: 0, NotifyRegistered: 0,
      },
    },
    context: { Execution: { Id: EXECUTION_ID, Name: EXECUTION, Input: input } },
  });
  try {
    return { output: await execution.result, calls };
  } catch (e) {
    const failure = e.cause ?? e;
    return { error: failure.name, cause: failure.message, calls };
  }
}

function assertValidRequests(calls) {
  for (const r of calls.training) assert.deepEqual(validateRequest('CreateTrainingJob', r), [], 'CreateTrainingJob request');
  for (const r of calls.tuning) assert.deepEqual(validateRequest('CreateHyperParameterTuningJob', r), [], 'CreateHyperParameterTuningJob request');
  for (const r of calls.register ?? []) assert.deepEqual(validateRequest('CreateModelPackage', r), [], 'CreateModelPackage request');
}

/**
 * The published message. The Message is States.JsonToString($.failure); aws-local-stepfunctions 3.0.0 drops the
 * escaping of quotes inside string values of that result (Step Functions does not), so the fields are read with a
 * pattern anchored on the key order of the DescribeX Pass states: error, cause, job, execution, status.
 */
function notification(publish) {
  assert.equal(publish.Subject, 'Hugging Face training run failed');
  assert.deepEqual(publish.MessageAttributes, { status: { DataType: 'String', StringValue: 'FAILED' } });
  const m = /^\{"error":"(.*)","cause":"(.*)","job":"(.*)","execution":"(.*)","status":"FAILED"\}$/s.exec(publish.Message);
  assert.ok(m, `unexpected message: ${publish.Message}`);
  return { error: m[1], cause: m[2], job: m[3], execution: m[4] };
}

/** The request PrepareRequest must produce from the definition's embedded defaults (computed independently). */
function defaultsOf(calls) {
  return calls.prepare[0].Payload.defaults;
}

test('the definition passes asl-validator', () => {
  const { isValid, errorsText } = aslValidator(definition);
  assert.ok(isValid, errorsText?.('\n'));
});

test('the SageMaker tasks use the .sync integrations and send the prepared request unchanged', () => {
  assert.equal(definition.States.RunTrainingJob.Resource, 'arn:aws:states:::sagemaker:createTrainingJob.sync');
  assert.equal(definition.States.RunTuningJob.Resource, 'arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync');
  for (const name of ['RunTrainingJob', 'RunTuningJob']) {
    assert.equal(definition.States[name].InputPath, '$.prepared.request');
    assert.equal(definition.States[name].Parameters, undefined);
  }
});

test('train success: the exact default request is sent, output has job, artefacts and metrics', async () => {
  const { output, calls, error, cause } = await run({});
  assert.equal(error, undefined, cause);
  assert.equal(calls.training.length, 1);
  const expected = structuredClone(defaultsOf(calls).training);
  const name = `hf-translate-${EXECUTION}`;
  expected.TrainingJobName = name;
  expected.HyperParameters.sagemaker_job_name = `"${name}"`;
  expected.CheckpointConfig.S3Uri = `${expected.CheckpointConfig.S3Uri}/${name}`;
  assert.deepEqual(calls.training[0], expected);
  assert.equal(calls.training[0].EnableManagedSpotTraining, true);
  assert.equal(output.jobName, name);
  assert.equal(output.jobArn, `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${name}`);
  assert.match(output.modelArtifacts, new RegExp(`/${name}/output/model.tar.gz$`));
  assert.deepEqual(output.finalMetrics.map((m) => m.MetricName), ['eval_bleu']);
  assert.equal(calls.sns.length, 0);
  assertValidRequests(calls);
});

test('train with on-demand override: spot settings removed, overrides applied', async () => {
  const input = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../examples/train-on-demand-override.json'), 'utf8'));
  const { calls, error, cause } = await run(input);
  assert.equal(error, undefined, cause);
  const request = calls.training[0];
  assert.equal('EnableManagedSpotTraining' in request, false);
  assert.equal('MaxWaitTimeInSeconds' in request.StoppingCondition, false);
  assert.equal(request.ResourceConfig.InstanceType, input.instanceType);
  assert.equal(request.TrainingJobName, input.jobName);
  assertValidRequests(calls);
});

test('tune success: the tuning request is sent, output names the best training job and its objective', async () => {
  const input = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../examples/tune.json'), 'utf8'));
  const { output, calls, error, cause } = await run(input, completedTuning);
  assert.equal(error, undefined, cause);
  assert.equal(calls.training.length, 0);
  assert.equal(calls.tuning.length, 1);
  const request = calls.tuning[0];
  const name = request.HyperParameterTuningJobName;
  assert.ok(name.length <= 32 && name.startsWith('hf-translate-'), name);
  assert.equal(request.TrainingJobDefinition.StaticHyperParameters.sagemaker_job_name, `"${name}"`);
  assert.equal(request.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs, input.tuning.maxJobs);
  assert.equal(output.tuningJobName, name);
  assert.deepEqual(output.bestTrainingJob.objective, { Type: 'Maximize', MetricName: 'eval_bleu', Value: 28.1 });
  assert.match(output.bestTrainingJob.modelArtifacts, new RegExp(`/${name}-003-1a2b3c4d/output/model.tar.gz$`));
  assertValidRequests(calls);
});

/** The pipeline's job prefix, as embedded in the PrepareRequest payload of the synthesized definition. */
const jobNamePrefix = definition.States.PrepareRequest.Parameters.Payload.policy.jobNamePrefix;

test('tune continuing a search: the seed and the warm start from earlier runs reach CreateHyperParameterTuningJob', async () => {
  const parents = [`${jobNamePrefix}-run-1`, `${jobNamePrefix}-run-2`];
  const input = { mode: 'tune', tuning: { randomSeed: 7, warmStart: { type: 'IdenticalDataAndAlgorithm', parents } } };
  const { calls, error, cause } = await run(input, (request) => ({
    HyperParameterTuningJobName: request.HyperParameterTuningJobName,
    HyperParameterTuningJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/${request.HyperParameterTuningJobName}`,
    HyperParameterTuningJobStatus: 'Completed',
    TrainingJobStatusCounters: { Completed: 1, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
    BestTrainingJob: {
      TrainingJobName: `${request.HyperParameterTuningJobName}-001-1a2b3c4d`,
      TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/x',
      TunedHyperParameters: {},
      FinalHyperParameterTuningJobObjectiveMetric: { Type: 'Maximize', MetricName: 'eval_bleu', Value: 28.1 },
    },
  }));
  assert.equal(error, undefined, cause);
  assert.equal(calls.tuning.length, 1);
  const request = calls.tuning[0];
  assert.equal(request.HyperParameterTuningJobConfig.RandomSeed, 7);
  // tuner.py WarmStartConfig.to_input_req (SDK v2.257.6, lines 209-214).
  assert.deepEqual(request.WarmStartConfig, {
    WarmStartType: 'IdenticalDataAndAlgorithm',
    ParentHyperParameterTuningJobs: parents.map((name) => ({ HyperParameterTuningJobName: name })),
  });
  // The synthesized tuning definition carries HyperParameterTuningResourceConfig, as the SDK since v2.133.
  assert.ok(request.TrainingJobDefinition.HyperParameterTuningResourceConfig?.InstanceType, JSON.stringify(request.TrainingJobDefinition));
  assert.equal(request.TrainingJobDefinition.ResourceConfig, undefined);
  assertValidRequests(calls);
});

const invalidInputs = {
  'warm start from another pipeline': [{ mode: 'tune', tuning: { warmStart: { type: 'TransferLearning', parents: ['other-run-1'] } } },
    /tuning\.warmStart\.parents\[0\]: "other-run-1" is not allowed; it must start with "hf-[a-z0-9-]+-"/],
  'negative random seed': [{ mode: 'tune', tuning: { randomSeed: -5 } }, /tuning\.randomSeed: -5 is not allowed/],
  'unknown key': [{ instance_type: 'ml.g5.2xlarge' }, /instance_type: unknown field/],
  'instance type outside the list': [{ instanceType: 'ml.p4d.24xlarge' }, /instanceType: "ml\.p4d\.24xlarge" is not allowed; allowed: ml\.g5\.2xlarge, ml\.g5\.12xlarge, ml\.p3\.2xlarge/],
  'count over the maximum': [{ instanceCount: 3 }, /instanceCount: 3 is not allowed; allowed: an integer from 1 to 1 \(this recipe runs no distribution/],
  'max run over the maximum': [{ maxRuntimeSeconds: 28801 }, /maxRuntimeSeconds: 28801 is not allowed; allowed: an integer from 1 to 28800/],
  'channel outside the datasets bucket': [{ channels: { train: 's3://elsewhere/train/' } }, /channels\.train: "s3:\/\/elsewhere\/train\/" is not allowed/],
  'bad job name': [{ jobName: 'my_job' }, /jobName: "my_job" is not allowed/],
  'spot not a boolean': [{ spot: 'true' }, /spot: "true" is not allowed; allowed: true or false/],
  'reserved hyperparameter': [{ hyperparameters: { sagemaker_program: 'x.py' } }, /hyperparameters\.sagemaker_program: reserved/],
  'tuning limits over the maximum': [{ mode: 'tune', tuning: { maxJobs: 11 } }, /tuning\.maxJobs: 11 is not allowed; allowed: an integer from 1 to 10/],
  'invalid tuning range': [{ mode: 'tune', tuning: { ranges: { learning_rate: { type: 'continuous', min: 1, max: 0.1 } } } }, /min 1 must be less than max 0\.1/],
  // ml.p3.2xlarge (V100, compute capability 7.0) has no native bfloat16: the policy marks it (the instance-type catalog).
  'bf16 true on a GPU without native bfloat16': [{ instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16: 'True' } },
    /hyperparameters\.bf16 = "True": needs a GPU that computes in bfloat16 natively, and instanceType "ml\.p3\.2xlarge" has none; allowed: bf16 "auto" or "false", or an instanceType whose GPU has it \(ml\.g5\.2xlarge, ml\.g5\.12xlarge\)/],
  'a bf16 range holding true on a GPU without native bfloat16': [{ mode: 'tune', instanceType: 'ml.p3.2xlarge', tuning: { ranges: { bf16: { type: 'categorical', values: ['auto', 'yes'] } } } },
    /tuning\.ranges\.bf16: "true" \(a value of its range\): needs a GPU that computes in bfloat16 natively, and instanceType "ml\.p3\.2xlarge" has none/],
};
for (const [kind, [input, message]] of Object.entries(invalidInputs)) {
  test(`invalid input (${kind}) fails fast with InvalidInput, no SageMaker call, one notification`, async () => {
    const { error, cause, calls } = await run(input);
    assert.equal(error, 'InvalidInput');
    assert.match(cause, message);
    assert.equal(calls.training.length + calls.tuning.length, 0);
    assert.equal(calls.sns.length, 1);
    const published = notification(calls.sns[0]);
    assert.equal(published.error, 'InvalidInput');
    assert.equal(published.execution, EXECUTION_ID);
    assert.match(published.cause, message);
  });
}

test('bf16 on ml.p3.2xlarge: auto and false run there, true runs on a type whose GPU computes in bfloat16', async () => {
  for (const input of [{ instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16: 'auto' } }, { instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16: 'FALSE' } },
    { instanceType: 'ml.g5.2xlarge', hyperparameters: { bf16: 'true' } }, { instanceType: 'ml.p3.2xlarge' }]) {
    const { error, cause, calls } = await run(input);
    assert.equal(error, undefined, `${JSON.stringify(input)}: ${cause}`);
    assert.equal(calls.training[0].ResourceConfig.InstanceType, input.instanceType);
    assert.equal(calls.training[0].HyperParameters.bf16, JSON.stringify(input.hyperparameters?.bf16 ?? 'auto'));
    assertValidRequests(calls);
  }
});

test('throttling then success: the same request is retried', async () => {
  const { output, calls, error, cause } = await run({}, (request, n) => {
    if (n < 3) throw namedError('SageMaker.AmazonSageMakerException', 'Rate exceeded (Service: AmazonSageMaker; Status Code: 400; Error Code: ThrottlingException)');
    return completedTraining(request);
  });
  assert.equal(error, undefined, cause);
  assert.equal(calls.training.length, 3);
  assert.deepEqual(calls.training[2], calls.training[0]);
  assert.equal(output.jobName, `hf-translate-${EXECUTION}`);
});

test('quota error: ends with the quota name to request, after one notification', async () => {
  const { error, cause, calls } = await run({}, () => {
    throw namedError('SageMaker.ResourceLimitExceededException', "The account-level service limit 'ml.g5.2xlarge for spot training job usage' is 0 Instances");
  });
  assert.equal(error, 'QuotaExceeded');
  assert.match(cause, /"ml\.g5\.2xlarge for spot training job usage"/);
  assert.equal(calls.training.length, 1);
  assert.equal(calls.sns.length, 1);
  const onDemand = await run({ spot: false, instanceType: 'ml.g5.12xlarge' }, () => {
    throw namedError('SageMaker.ResourceLimitExceededException', 'limit');
  });
  assert.match(onDemand.cause, /"ml\.g5\.12xlarge for training job usage"/);
});

test('capacity error: retried a bounded number of times with new job names, then fails', async () => {
  const { error, cause, calls } = await run({}, (request) => {
    throw namedError('States.TaskFailed', failedJob(request, 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.'));
  });
  assert.equal(error, 'InsufficientCapacity');
  assert.match(cause, /No capacity after 3 attempts for 1 x ml\.g5\.2xlarge/);
  assert.deepEqual(calls.training.map((r) => r.TrainingJobName),
    [`hf-translate-${EXECUTION}`, `hf-translate-${EXECUTION}-r2`, `hf-translate-${EXECUTION}-r3`]);
  assert.equal(calls.sns.length, 1);
  assertValidRequests(calls);
});

test('capacity error then success on the second attempt', async () => {
  const { output, calls, error, cause } = await run({}, (request, n) => {
    if (n === 1) throw namedError('States.TaskFailed', failedJob(request, 'CapacityError: Unable to provision requested ML compute capacity.'));
    return completedTraining(request);
  });
  assert.equal(error, undefined, cause);
  assert.equal(output.jobName, `hf-translate-${EXECUTION}-r2`);
  assert.equal(output.settings.attempt, 2);
  assert.equal(calls.training[1].HyperParameters.sagemaker_job_name, `"hf-translate-${EXECUTION}-r2"`);
});

test('algorithm error: ends with the job failure reason, no retry', async () => {
  const reason = 'AlgorithmError: ExecuteUserScriptError: Command "/opt/conda/bin/python3.10 train.py" exit code 1';
  const { error, cause, calls } = await run({}, (request) => { throw namedError('States.TaskFailed', failedJob(request, reason)); });
  assert.equal(error, 'JobFailed');
  assert.equal(cause, reason);
  assert.equal(calls.training.length, 1);
  assert.equal(notification(calls.sns[0]).job, `hf-translate-${EXECUTION}`);
  assert.equal(notification(calls.sns[0]).cause, reason);
});

test('spot interruption: the job carries checkpoint resume settings and completes after resuming', async () => {
  const { output, calls, error, cause } = await run({ maxRuntimeSeconds: 14400 }, (request) => completedTraining(request, {
    SecondaryStatusTransitions: [
      { Status: 'Starting' }, { Status: 'Training' }, { Status: 'Interrupted', StatusMessage: 'Spot interruption' },
      { Status: 'Restarting' }, { Status: 'Training' }, { Status: 'Completed' },
    ],
    BillableTimeInSeconds: 3000, TrainingTimeInSeconds: 9000,
  }));
  assert.equal(error, undefined, cause);
  const request = calls.training[0];
  assert.equal(request.EnableManagedSpotTraining, true);
  assert.equal(request.StoppingCondition.MaxRuntimeInSeconds, 14400);
  assert.ok(request.StoppingCondition.MaxWaitTimeInSeconds >= 14400);
  assert.equal(request.CheckpointConfig.LocalPath ?? '/opt/ml/checkpoints', '/opt/ml/checkpoints');
  assert.match(request.CheckpointConfig.S3Uri, new RegExp(`/hf-translate/hf-translate-${EXECUTION}$`));
  assert.equal(output.settings.spot, true);
  assertValidRequests(calls);
});

test('any other SageMaker error is reported as received, after a notification', async () => {
  const { error, cause, calls } = await run({}, () => { throw namedError('SageMaker.ResourceInUseException', 'Training job names must be unique'); });
  assert.equal(error, 'SageMaker.ResourceInUseException');
  assert.equal(cause, 'Training job names must be unique');
  assert.equal(calls.sns.length, 1);
});

// ---------------------------------------------------------------------------------------------------------------
// Failure paths with any input: every failure ends in Failed after exactly one notification, whatever the
// cause looks like, and the messages stay bounded (SNS and the state data both refuse more than 256 KB).

const SNS_MESSAGE_LIMIT = 256 * 1024;

function assertNotifiedOnce(result, expectedError) {
  assert.equal(result.error, expectedError, result.cause);
  assert.equal(result.calls.sns.length, 1, 'exactly one notification');
  const published = result.calls.sns[0];
  assert.ok(Buffer.byteLength(published.Message, 'utf8') < SNS_MESSAGE_LIMIT, `SNS message of ${published.Message.length} characters`);
  assert.ok(Buffer.byteLength(result.cause ?? '', 'utf8') <= 32 * 1024, `cause of ${result.cause?.length} characters`);
  return notification(published);
}

test('job failure whose cause starts with { but is cut (not JSON): reported as received, after a notification', async () => {
  // Step Functions keeps at most 32,768 characters of a cause: a long job description arrives cut, not JSON.
  const truncated = ('{"TrainingJobName":"hf-translate-x","TrainingJobStatus":"Failed","FailureReason":"AlgorithmError: ' + 'x'.repeat(40000)).slice(0, 32768);
  const result = await run({}, () => { throw namedError('States.TaskFailed', truncated); });
  const published = assertNotifiedOnce(result, 'States.TaskFailed');
  assert.ok(published.cause.startsWith('{"TrainingJobName"') || published.cause.startsWith('{\\"TrainingJobName'), published.cause.slice(0, 80));
});

test('job failure whose cause is plain text, or JSON without a failure reason: reported as received, after a notification', async () => {
  for (const cause of ['Internal error', '{}', '[1,2]', '{"TrainingJobStatus":"Failed"}', 'null']) {
    const result = await run({}, () => { throw namedError('States.TaskFailed', cause); });
    assertNotifiedOnce(result, 'States.TaskFailed');
  }
});

test('InvalidInput whose cause is not the function\'s JSON error payload: still one notification, then Failed', async () => {
  for (const cause of ['{"errorType":"InvalidInput","errorMessage":"cut', 'plain text', '{}', '']) {
    const result = await run({}, undefined, { prepareFailure: { name: 'InvalidInput', cause } });
    const published = assertNotifiedOnce(result, 'InvalidInput');
    assert.equal(published.job, 'none: the input was rejected before any SageMaker call');
  }
});

test('an input with thousands of problems: the first 20 and a count, well under every limit', async () => {
  const hyperparameters = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`unknown_${i}_${'k'.repeat(80)}`, i]));
  const result = await run({ hyperparameters });
  const published = assertNotifiedOnce(result, 'InvalidInput');
  assert.match(result.cause, /^Invalid execution input \(5000 problems; the first 20 shown\): /);
  assert.match(result.cause, /; and 4980 more$/);
  assert.ok(result.cause.length < 25000, `${result.cause.length} characters`);
  assert.match(published.cause, /and 4980 more/);
});

test('a problem naming a 100 000-character key is cut, not echoed whole', async () => {
  const result = await run({ hyperparameters: { ['k'.repeat(100000)]: 1 } });
  assertNotifiedOnce(result, 'InvalidInput');
  assert.ok(result.cause.length < 2500, `${result.cause.length} characters`);
  assert.match(result.cause, /more characters\)/);
});

test('any input ends in a defined terminal state: success, or Failed after one notification', async () => {
  const inputs = [null, [], 'train', 42, true, { mode: {} }, { mode: 'tune', tuning: 'x' }, { hyperparameters: [] },
    { hyperparameters: { learning_rate: '5e-5' } }, { hyperparameters: { max_train_samples: 'many' } }, { hyperparameters: { num_beams: 2.5 } },
    { channels: null }, { channels: { train: 's3://x/\n' } }, { '\ud800': 1 }, { jobName: `hf-translate-${'a'.repeat(5000)}` },
    { jobName: 'hf-translate-ok\n' }, { instanceCount: 1e308 }, { maxRuntimeSeconds: -1 }, { spot: null }, { tuning: { ranges: { learning_rate: { type: 'categorical', values: [] } } } },
    JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40))];
  for (const input of inputs) {
    const result = await run(input);
    if (result.error === undefined) continue;
    assert.ok(['InvalidInput'].includes(result.error), `${JSON.stringify(input)?.slice(0, 80)}: ${result.error}: ${result.cause}`);
    assertNotifiedOnce(result, result.error);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Registration after success: one CreateModelPackage into the recipe's group (validated against the API model), one
// REGISTERED notification with the version's ARN; every registration failure ends Failed after exactly one failure
// notification that names the job, and its cause still names the trained artifact.

/** The REGISTERED message (States.JsonToString of KeepModelPackage's notification; keys in that order). */
function registeredNotification(publish) {
  assert.equal(publish.Subject, 'Hugging Face model registered');
  assert.deepEqual(publish.MessageAttributes, { status: { DataType: 'String', StringValue: 'REGISTERED' } });
  const m = /^\{"status":"REGISTERED","job":"(.*)","modelArtifacts":"(.*)","modelPackageArn":"(.*)","modelPackageVersion":"(.*)","approvalStatus":"(.*)","servable":(true|false),"execution":"(.*)"\}$/s.exec(publish.Message);
  assert.ok(m, `unexpected message: ${publish.Message}`);
  return { job: m[1], modelArtifacts: m[2], arn: m[3], version: m[4], approvalStatus: m[5], servable: m[6] === 'true', execution: m[7] };
}

const group = () => definition.States.PrepareRegistration.Parameters.Payload.register.defaults.ModelPackageGroupName;

test('train success registers the model: one valid CreateModelPackage into the group, one REGISTERED notification, the version in the output', async () => {
  const { output, calls, error, cause } = await run({});
  assert.equal(error, undefined, cause);
  assert.equal(calls.register.length, 1);
  const request = calls.register[0];
  assertValidRequests(calls);
  const name = `hf-translate-${EXECUTION}`;
  assert.equal(request.ModelPackageGroupName, group());
  assert.equal(request.ModelApprovalStatus, 'PendingManualApproval');
  assert.equal(request.InferenceSpecification.Containers[0].ModelDataUrl, output.modelArtifacts);
  assert.equal(request.CustomerMetadataProperties.trainingJobName, name);
  assert.equal(request.CustomerMetadataProperties.executionArn, EXECUTION_ID);
  assert.equal(request.CustomerMetadataProperties['metric:eval_bleu'], '27.4');
  assert.equal(request.MetadataProperties.GeneratedBy, EXECUTION_ID);
  assert.equal(calls.sns.length, 0);
  assert.equal(calls.registeredSns.length, 1);
  const message = registeredNotification(calls.registeredSns[0]);
  assert.deepEqual(message, {
    job: name, modelArtifacts: output.modelArtifacts, arn: `arn:aws:sagemaker:eu-west-1:111122223333:model-package/${group()}/1`,
    version: '1', approvalStatus: 'PendingManualApproval', servable: true, execution: EXECUTION_ID,
  });
  assert.deepEqual(output.modelPackage, { arn: message.arn, version: '1', group: group(), approvalStatus: 'PendingManualApproval', servable: true });
  assert.equal(output.jobName, name, 'the run result is kept');
});

test('tune success registers the best training job, whose artifact the output names', async () => {
  const input = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../examples/tune.json'), 'utf8'));
  const { output, calls, error, cause } = await run(input, completedTuning);
  assert.equal(error, undefined, cause);
  assertValidRequests(calls);
  const request = calls.register[0];
  assert.equal(request.InferenceSpecification.Containers[0].ModelDataUrl, output.bestTrainingJob.modelArtifacts);
  assert.equal(request.CustomerMetadataProperties.trainingJobName, output.bestTrainingJob.jobName);
  assert.equal(request.CustomerMetadataProperties.tuningJobName, output.tuningJobName);
  assert.equal(request.CustomerMetadataProperties['metric:eval_bleu'], '28.1');
  assert.equal(registeredNotification(calls.registeredSns[0]).job, output.bestTrainingJob.jobName);
  assert.equal(output.modelPackage.version, '1');
});

// What Step Functions' AWS SDK integration raises from CreateModelPackage (supported-services-awssdk.html: the error is
// <Service>.<Exception>, the SDK's exception class): throttling and 5xx are errors SageMaker's API model does not name
// for the operation, so they arrive as the service's base exception, SageMaker.SageMakerException, told apart only by
// the cause (as an S3 503 SlowDown arrives as S3.S3Exception, https://github.com/cdklabs/construct-hub/pull/1904).
const THROTTLED = namedError('SageMaker.SageMakerException', 'Rate exceeded (Service: SageMaker, Status Code: 400, Request ID: 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9)');
const SDK_ERRORS = {
  throttling: THROTTLED,
  '5xx': namedError('SageMaker.SageMakerException', 'We encountered an internal error. Please try again. (Service: SageMaker, Status Code: 500, Request ID: 1b2c3d4e-5f60-7182-93a4-b5c6d7e8f9a0)'),
  'a connection reset on the client side': namedError('SageMaker.SdkClientException', 'Unable to execute HTTP request: Connection reset'),
  'a concurrent registration into the group (modelled for CreateModelPackage)': namedError('SageMaker.ConflictException', 'Another model package is being created in this group.'),
};

for (const [kind, thrown] of Object.entries(SDK_ERRORS)) {
  test(`registration failing once with ${kind} (${thrown.name}) is retried with the same request and registered`, async () => {
    const { output, calls, error, cause } = await run({}, undefined, {
      register: (request, n) => {
        if (n === 1) throw thrown;
        return registered(request, 3);
      },
    });
    assert.equal(error, undefined, cause);
    assert.equal(calls.register.length, 2);
    assert.deepEqual(calls.register[1], calls.register[0]);
    assert.equal(output.modelPackage.version, '3');
  });
}

test('a validation error arrives as SageMaker.SageMakerException too: retried like throttling, then RegistrationFailed naming it', async () => {
  const result = await run({}, undefined, {
    register: () => {
      throw namedError('SageMaker.SageMakerException', '1 validation error detected: Value at \'modelPackageDescription\' failed to satisfy constraint (Service: SageMaker, Status Code: 400, Request ID: 2c3d4e5f-6071-8293-a4b5-c6d7e8f9a0b1)');
    },
  });
  assertNotifiedOnce(result, 'RegistrationFailed');
  assert.equal(result.calls.register.length, 5, 'the first attempt and 4 retries');
  assert.match(result.cause, /SageMaker\.SageMakerException: 1 validation error detected/);
});

test('registration throttled, then accepted: the same request (same idempotency token) is retried and registered once', async () => {
  const { output, calls, error, cause } = await run({}, undefined, {
    register: (request, n) => {
      if (n < 3) throw THROTTLED;
      return registered(request, 7);
    },
  });
  assert.equal(error, undefined, cause);
  assert.equal(calls.register.length, 3);
  assert.deepEqual(calls.register[2], calls.register[0]);
  assert.equal(calls.registeredSns.length, 1);
  assert.equal(calls.sns.length, 0);
  assert.equal(output.modelPackage.version, '7');
});

test('registration throttled on every attempt: after the retries, Failed with one notification naming the job; the cause names the artifact', async () => {
  const result = await run({}, undefined, { register: () => { throw THROTTLED; } });
  const published = assertNotifiedOnce(result, 'RegistrationFailed');
  assert.equal(result.calls.register.length, 5, 'the first attempt and 4 retries');
  assert.equal(result.calls.registeredSns.length, 0);
  assert.equal(published.job, `hf-translate-${EXECUTION}`);
  assert.match(result.cause, /SageMaker\.SageMakerException: Rate exceeded \(Service: SageMaker, Status Code: 400/);
  assert.match(result.cause, new RegExp(`/hf-translate-${EXECUTION}/output/model\\.tar\\.gz`), 'the run result names the trained artifact');
});

test('registration refused by SageMaker (a quota, not retried): Failed with one notification naming the job and the reason', async () => {
  const result = await run({}, undefined, {
    register: () => { throw namedError('SageMaker.ResourceLimitExceededException', 'The account-level service limit for model packages is 10'); },
  });
  const published = assertNotifiedOnce(result, 'RegistrationFailed');
  assert.equal(result.calls.register.length, 1);
  assert.equal(published.job, `hf-translate-${EXECUTION}`);
  assert.match(published.cause, /ResourceLimitExceededException: The account-level service limit for model packages is 10/);
  assert.match(result.cause, /"modelArtifacts":"s3:\/\/[^"]+\/output\/model\.tar\.gz"/);
});

test('a job that completed without a model artifact: ModelArtifactsMissing, nothing registered, one notification', async () => {
  const result = await run({}, (request) => {
    const job = completedTraining(request);
    delete job.ModelArtifacts;
    return job;
  });
  const published = assertNotifiedOnce(result, 'ModelArtifactsMissing');
  assert.equal(result.calls.register.length, 0);
  assert.equal(published.job, `hf-translate-${EXECUTION}`);
  assert.match(result.cause, new RegExp(`Training job hf-translate-${EXECUTION} completed without ModelArtifacts`));
});

test('an artifact SageMaker cannot take: refused before the call, one notification naming the job', async () => {
  const result = await run({}, (request) => completedTraining(request, { ModelArtifacts: { S3ModelArtifacts: 'not-an-s3-url' } }));
  const published = assertNotifiedOnce(result, 'RegistrationRefused');
  assert.equal(result.calls.register.length, 0);
  assert.equal(published.job, `hf-translate-${EXECUTION}`);
  assert.match(result.cause, /completed without a model artifact SageMaker can register/);
});

test('the registration function failing: Failed with one notification, the cause names the artifact', async () => {
  const result = await run({}, undefined, {});
  assert.equal(result.error, undefined);
  // A broken payload (as a faulty definition would send) makes the function throw.
  const broken = structuredClone(definition);
  broken.States.PrepareRegistration.Parameters.Payload.register = { defaults: null, policy: null };
  const sm = new StateMachine(broken, { validationOptions: { checkArn: false } });
  const sns = [];
  const execution = sm.run({}, {
    overrides: {
      taskResourceLocalHandlers: {
        PrepareRequest: async (p) => ({ StatusCode: 200, Payload: await prepareHandler(p.Payload) }),
        PrepareRegistration: async (p) => {
          try { return { StatusCode: 200, Payload: await prepareHandler(p.Payload) }; } catch (e) { throw namedError('Error', JSON.stringify({ errorType: 'Error', errorMessage: e.message })); }
        },
        RunTrainingJob: async (request) => completedTraining(request),
        NotifyFailure: async (p) => { sns.push(p); return { MessageId: 'm' }; },
      },
      retryIntervalOverrides: { PrepareRegistration: 0, NotifyFailure: 0, RunTrainingJob: 0, PrepareRequest: 0 },
    },
    context: { Execution: { Id: EXECUTION_ID, Name: EXECUTION, Input: {} } },
  });
  const failure = await execution.result.then(() => null, (e) => e.cause ?? e);
  assert.equal(failure.name, 'RegistrationFailed');
  assert.match(failure.message, /definition is broken/);
  assert.match(failure.message, /output\/model\.tar\.gz/);
  assert.equal(sns.length, 1);
});

test('the REGISTERED notification cannot be sent: the model is registered and the run still succeeds', async () => {
  const { output, calls, error, cause } = await run({}, undefined, { notifyRegistered: () => { throw namedError('SNS.AuthorizationErrorException', 'denied'); } });
  assert.equal(error, undefined, cause);
  assert.equal(calls.register.length, 1);
  assert.equal(calls.registeredSns.length, 4, 'the first attempt and 3 retries');
  assert.equal(calls.sns.length, 0);
  assert.equal(output.modelPackage.version, '1');
});
