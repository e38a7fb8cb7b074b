// Every GPU training type of the instance-type catalog, through the real run-time path: the environment that allows
// them all (synthesized by the C# EveryInstanceTypeTests into $HF_TEST_RESULTS/state-machines/) gives PrepareRequest its
// policy, and a run on each type gets a request the SageMaker API model accepts, with a volume key exactly on types with
// EBS storage only (the catalog's storage facts; botocore ResourceConfig.VolumeKmsKeyId), sagemaker_instance_type
// following the type where the job sends it (llm-sft: torchrun), and the type's quota name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { synthesizedDefinitions } from '../lib/synthesized.mjs';
import { validateRequest } from '../lib/sagemaker-api-model.mjs';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const catalog = JSON.parse(readFileSync(path.join(root, 'constructs', 'Training', 'Catalog', 'instance-types.json'), 'utf8'));
const facts = Object.fromEntries(catalog.instanceTypes.map((t) => [t.name, t]));
const gpuTraining = catalog.instanceTypes.filter((t) => t.gpuTraining).map((t) => t.name);

function payloads() {
  return synthesizedDefinitions('every-instance-type.template.json', 'Every').map((d) => d.States.PrepareRequest.Parameters.Payload);
}

test('the environment allows every GPU training type of the catalog, and every run on one gets a valid request', () => {
  const [translation, llm] = payloads().sort((a, b) => a.policy.jobNamePrefix.localeCompare(b.policy.jobNamePrefix)).reverse();
  assert.equal(gpuTraining.length, 41);
  assert.deepEqual(Object.keys(translation.policy.instanceTypes), gpuTraining);
  assert.ok(Object.keys(llm.policy.instanceTypes).length >= 30);
  let runs = 0;
  for (const payload of [translation, llm]) {
    const torchrun = 'sagemaker_torch_distributed_enabled' in payload.defaults.training.HyperParameters;
    for (const type of Object.keys(payload.policy.instanceTypes)) {
      for (const mode of ['train', 'tune']) {
        const { request, summary } = prepare({ input: { mode, instanceType: type, spot: false }, defaults: payload.defaults, policy: payload.policy, executionName: 'every-1' });
        const job = mode === 'tune' ? request.TrainingJobDefinition : request;
        const resources = mode === 'tune' ? job.HyperParameterTuningResourceConfig : job.ResourceConfig;
        const hps = mode === 'tune' ? job.StaticHyperParameters : job.HyperParameters;
        assert.deepEqual(validateRequest(mode === 'tune' ? 'CreateHyperParameterTuningJob' : 'CreateTrainingJob', request), [], `${type} ${mode}`);
        assert.equal(resources.InstanceType, type);
        assert.equal('VolumeKmsKeyId' in resources, facts[type].localStorage === false, `${type}: volume key`);
        assert.equal(hps.sagemaker_instance_type, torchrun ? JSON.stringify(type) : undefined, `${type}: sagemaker_instance_type`);
        assert.equal(summary.quotaName, `${type} for training job usage`);
        runs++;
      }
    }
  }
  assert.ok(runs >= 140, `${runs} runs`);
  assert.ok(Object.values(translation.policy.instanceTypes).some((c) => c.resources?.VolumeKmsKeyId), 'no EBS-only type got a volume key');
});

test('the spot bounds come from the policy: the job\'s wait, raised to the run time, at most twice the environment maximum', () => {
  const [payload] = payloads();
  const { maxRuntimeSeconds, spot } = payload.policy;
  assert.equal(spot.maxWaitSeconds, Math.min(2 * maxRuntimeSeconds, 28 * 24 * 3600));
  const run = (input) => prepare({ input: { spot: true, ...input }, defaults: payload.defaults, policy: payload.policy, executionName: 'spot-1' }).request.StoppingCondition;
  assert.equal(run({}).MaxWaitTimeInSeconds, spot.defaultMaxWaitSeconds);
  assert.deepEqual(run({ maxRuntimeSeconds: 600 }), { MaxRuntimeInSeconds: 600, MaxWaitTimeInSeconds: spot.defaultMaxWaitSeconds });
  assert.equal(run({ maxRuntimeSeconds: maxRuntimeSeconds }).MaxWaitTimeInSeconds, Math.max(spot.defaultMaxWaitSeconds, maxRuntimeSeconds));
});
