// Executes the llm-sft recipe's state machine locally with aws-local-stepfunctions (the real PrepareRequest handler;
// SageMaker and SNS replaced by local handlers that record each request) with the recipe's example inputs. The
// definition comes from the template the C# Orchestration tests write ($HF_TEST_RESULTS/state-machines/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { synthesizedDefinition } from '../lib/synthesized.mjs';
import { validateRequest } from '../lib/sagemaker-api-model.mjs';
import { completedTraining, completedTuning, runLocally } from '../lib/local-execution.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const definition = synthesizedDefinition('llm-sft-pipeline.template.json');
// The execution timeout (about 30 days for this fixture's guardrails: 3 capacity attempts x 5 tuning rounds x twice
// 24 hours) exceeds Node's largest timer (2^31 - 1 ms, about 24.8 days), which aws-local-stepfunctions would turn into
// a 1 ms timeout; the local runs do not test the timeout, so it is left out here (the C# tests check its value).
assert.ok(definition.TimeoutSeconds > 0);
delete definition.TimeoutSeconds;
const example = (file) => JSON.parse(readFileSync(path.join(root, 'examples', file), 'utf8'));

const EXECUTION = 'llm-run-1';

function run(input) {
  return runLocally(definition, input, {
    name: EXECUTION,
    stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:LlmSft',
    training: (request) => completedTraining(request, [{ MetricName: 'eval_loss', Value: 1.23, Timestamp: '2024-06-01T12:00:00Z' }]),
    tuning: (request) => ({
      ...completedTuning(request, {
        TrainingJobName: `${request.HyperParameterTuningJobName}-003-abcdef12`,
        TunedHyperParameters: { learning_rate: '0.00012', lora_r: '"32"' },
        FinalHyperParameterTuningJobObjectiveMetric: { Type: 'Minimize', MetricName: 'eval_loss', Value: 1.1 },
      }),
      TrainingJobStatusCounters: { Completed: 8, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
    }),
  });
}

test('examples/llm-sft/train.json: one training job named hf-llmsft-<execution>, the overrides sent as the SDK encodes them', async () => {
  const { output, calls, error, cause } = await run(example('llm-sft/train.json'));
  assert.equal(error, undefined, cause);
  assert.equal(calls.training.length, 1);
  const request = calls.training[0];
  assert.equal(request.TrainingJobName, `hf-llmsft-${EXECUTION}`);
  const hp = request.HyperParameters;
  // json.dumps of the example's values (integral numbers as integers, as the README says)
  assert.deepEqual([hp.num_train_epochs, hp.learning_rate, hp.lora_r, hp.lora_alpha, hp.max_seq_length], ['2', '0.0001', '32', '64', '1024']);
  assert.equal(hp.sagemaker_job_name, `"hf-llmsft-${EXECUTION}"`);
  assert.equal(hp.bf16, '"auto"');
  assert.equal(hp.sagemaker_torch_distributed_enabled, 'true');
  assert.match(request.AlgorithmSpecification.TrainingImage, /huggingface-pytorch-training:2\.8\.0-transformers4\.56\.2-gpu-py312-cu129-ubuntu22\.04$/);
  assert.deepEqual(request.InputDataConfig.map((c) => c.ChannelName), ['train', 'validation', 'model', 'code']);
  assert.deepEqual(validateRequest('CreateTrainingJob', request), []);
  assert.equal(calls.sns.length, 0);
  assert.ok(JSON.stringify(output).includes('eval_loss'));
});

test('examples/llm-sft/tune.json: one tuning job on eval_loss over learning_rate and lora_r', async () => {
  const { output, calls, error, cause } = await run(example('llm-sft/tune.json'));
  assert.equal(error, undefined, cause);
  assert.ok(JSON.stringify(output).includes('lora_r'), JSON.stringify(output));
  assert.equal(calls.tuning.length, 1);
  const request = calls.tuning[0];
  const config = request.HyperParameterTuningJobConfig;
  assert.deepEqual(config.HyperParameterTuningJobObjective, { Type: 'Minimize', MetricName: 'eval_loss' });
  assert.deepEqual(config.ResourceLimits, { MaxNumberOfTrainingJobs: 8, MaxParallelTrainingJobs: 2 });
  // json.dumps of the SDK's string-kept categorical values (src/sagemaker/parameter.py:116 and :148 at v2.257.6)
  assert.deepEqual(config.ParameterRanges.CategoricalParameterRanges, [{ Name: 'lora_r', Values: ['"8"', '"16"', '"32"', '"64"'] }]);
  assert.deepEqual(config.ParameterRanges.ContinuousParameterRanges, [{ Name: 'learning_rate', MinValue: '1e-05', MaxValue: '0.0005', ScalingType: 'Logarithmic' }]);
  assert.equal(request.TrainingJobDefinition.StaticHyperParameters.lora_r, undefined);
  assert.deepEqual(validateRequest('CreateHyperParameterTuningJob', request), []);
});

test('a best training job without an objective metric (optional in the API model) still ends the run and registers it', async () => {
  // HyperParameterTrainingJobSummary.FinalHyperParameterTuningJobObjectiveMetric is optional in botocore's model:
  // a JSONPath to it would end the run in States.Runtime, after the tuning job was paid for.
  const { output, calls, error, cause } = await runLocally(definition, example('llm-sft/tune.json'), {
    name: EXECUTION,
    stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:LlmSft',
    tuning: (request) => completedTuning(request, { TunedHyperParameters: { learning_rate: '0.00012', lora_r: '"32"' } }),
  });
  assert.equal(error, undefined, cause);
  assert.equal(calls.tuning.length, 1);
  assert.equal(calls.register.length, 1);
  assert.deepEqual(validateRequest('CreateModelPackage', calls.register[0]), []);
  const best = output.bestTrainingJob;
  assert.equal(best.jobName, `${calls.tuning[0].HyperParameterTuningJobName}-001-abcdef12`);
  assert.equal(best.objective, undefined);
  assert.match(best.modelArtifacts, /\/output\/model\.tar\.gz$/);
});

test("a translation input is refused by the llm-sft state machine before any SageMaker call, with one notification", async () => {
  const { calls, error, cause } = await run(example('tune.json'));
  assert.equal(error, 'InvalidInput');
  assert.match(cause, /warmup_steps/);
  assert.equal(calls.training.length + calls.tuning.length, 0);
  assert.equal(calls.sns.length, 1);
});

test('an instance type outside the llm-sft guardrails is refused', async () => {
  const { calls, error, cause } = await run({ instanceType: 'ml.g4dn.xlarge' });
  assert.equal(error, 'InvalidInput');
  assert.match(cause, /ml\.g4dn\.xlarge/);
  assert.equal(calls.training.length, 0);
});

test('examples/llm-sft/train.json merges the adapter: the TGI image is registered, pointed at the merged weights', async () => {
  const { output, calls, error, cause } = await run(example('llm-sft/train.json'));
  assert.equal(error, undefined, cause);
  assert.equal(calls.training[0].HyperParameters.merge_adapter, 'true');
  const request = calls.register[0];
  assert.deepEqual(validateRequest('CreateModelPackage', request), []);
  const container = request.InferenceSpecification.Containers[0];
  // TGI's SageMaker entry point reads HF_MODEL_ID (text-generation-inference sagemaker-entrypoint.sh); the script saves
  // the merged model to SM_MODEL_DIR/merged, extracted under /opt/ml/model.
  assert.match(container.Image, /huggingface-pytorch-tgi-inference:2\.7\.0-tgi3\.3\.6-gpu-py311-cu124-ubuntu22\.04$/);
  assert.equal(container.Environment.HF_MODEL_ID, '/opt/ml/model/merged');
  assert.equal(container.ModelDataUrl, output.modelArtifacts);
  assert.equal(request.CustomerMetadataProperties.servable, 'true');
  assert.equal(output.modelPackage.servable, true);
});

test('a run without merge_adapter registers the adapter as not servable: no image, pending manual approval, the reason', async () => {
  const { output, calls, error, cause } = await run({});
  assert.equal(error, undefined, cause);
  assert.equal(calls.training[0].HyperParameters.merge_adapter, 'false');
  const request = calls.register[0];
  assert.deepEqual(validateRequest('CreateModelPackage', request), []);
  assert.equal(request.InferenceSpecification, undefined);
  assert.equal(request.ModelApprovalStatus, 'PendingManualApproval');
  assert.match(request.ModelPackageDescription, /only the LoRA adapter/);
  assert.equal(request.CustomerMetadataProperties.modelDataUrl, output.modelArtifacts);
  assert.equal(request.CustomerMetadataProperties.servable, 'false');
  assert.deepEqual(output.modelPackage, { ...output.modelPackage, servable: false, approvalStatus: 'PendingManualApproval' });
  assert.equal(calls.registeredSns.length, 1);
});
