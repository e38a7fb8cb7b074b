// PrepareRequest, sdk-fidelity parts: categorical values as the SDK encodes them (the same table the C# builder is
// tested against), a tuning definition's HyperParameterTuningResourceConfig, the volume key, and continuing a search
// run after run (tuning.randomSeed, tuning.warmStart) within the environment's guardrails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { prepare, encodeCategorical, InvalidInputError } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { event, policy, tuningDefaults, trainingDefaults } from './fixtures.mjs';

const table = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../fixtures/sdk-categorical-encoding.json'), 'utf8'));

function invalid(ev, ...expected) {
  let error;
  try { prepare(ev); } catch (e) { error = e; }
  assert.ok(error instanceof InvalidInputError, `expected InvalidInput, got ${error}`);
  for (const fragment of expected) assert.match(error.message, fragment);
  return error;
}

test('categorical values encode as the SDK sends them: str() then json.dumps (shared table with the C# builder)', () => {
  assert.ok(table.cases.length >= 15);
  for (const { value, sdk } of table.cases) assert.equal(encodeCategorical(value), sdk, JSON.stringify(value));
});

test('a run-time categorical range carries the SDK encoding', () => {
  const { request } = prepare(event({ mode: 'tune', tuning: { ranges: { learning_rate: { type: 'categorical', values: [0.0001, 5e-05, 'auto', true] } } } }));
  assert.deepEqual(request.HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges,
    [{ Name: 'learning_rate', Values: ['"0.0001"', '"5e-05"', '"auto"', '"True"'] }]);
});

test('a tuning instance type override lands in HyperParameterTuningResourceConfig, with the volume key of the policy', () => {
  const volume = 'arn:aws:kms:eu-west-1:111122223333:key/volume';
  const ev = event({ mode: 'tune', instanceType: 'ml.g5.12xlarge' }, { policy: { ...policy, allowedInstanceTypes: [...policy.allowedInstanceTypes, 'ml.p3.16xlarge'] } });
  const { request } = prepare(ev);
  const resources = request.TrainingJobDefinition.HyperParameterTuningResourceConfig;
  assert.equal(resources.InstanceType, 'ml.g5.12xlarge');
  assert.equal(resources.VolumeKmsKeyId, undefined); // local NVMe storage: no volume key
  assert.equal(request.TrainingJobDefinition.ResourceConfig, undefined);

  const p3 = prepare(event({ mode: 'tune', instanceType: 'ml.p3.16xlarge' }, {
    policy: { ...policy, allowedInstanceTypes: ['ml.p3.16xlarge'], volumeKmsKeyId: volume },
  })).request.TrainingJobDefinition.HyperParameterTuningResourceConfig;
  assert.equal(p3.VolumeKmsKeyId, volume);
  const p3Training = prepare(event({ instanceType: 'ml.p3.16xlarge' }, { policy: { ...policy, allowedInstanceTypes: ['ml.p3.16xlarge'] } })).request.ResourceConfig;
  assert.equal(p3Training.VolumeKmsKeyId, trainingDefaults().OutputDataConfig.KmsKeyId); // no separate volume key: the output key
});

test('tuning.randomSeed and tuning.warmStart continue a search; null removes the recipe\'s own', () => {
  const warmStart = { type: 'TransferLearning', parents: ['hf-translate-run-1', 'hf-translate-run-2'] };
  const { request } = prepare(event({ mode: 'tune', tuning: { randomSeed: 42, warmStart } }));
  assert.equal(request.HyperParameterTuningJobConfig.RandomSeed, 42);
  // tuner.py WarmStartConfig.to_input_req (SDK v2.257.6, lines 209-214).
  assert.deepEqual(request.WarmStartConfig, {
    WarmStartType: 'TransferLearning',
    ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'hf-translate-run-1' }, { HyperParameterTuningJobName: 'hf-translate-run-2' }],
  });

  const defaults = tuningDefaults();
  defaults.HyperParameterTuningJobConfig.RandomSeed = 7;
  defaults.WarmStartConfig = { WarmStartType: 'IdenticalDataAndAlgorithm', ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'hf-translate-a' }] };
  const ev = event({ mode: 'tune', tuning: { randomSeed: null, warmStart: null } });
  ev.defaults.tuning = defaults;
  const cleared = prepare(ev).request;
  assert.equal(cleared.HyperParameterTuningJobConfig.RandomSeed, undefined);
  assert.equal(cleared.WarmStartConfig, undefined);
  const kept = prepare({ ...ev, input: { mode: 'tune' } }).request;
  assert.equal(kept.HyperParameterTuningJobConfig.RandomSeed, 7);
  assert.equal(kept.WarmStartConfig.WarmStartType, 'IdenticalDataAndAlgorithm');
});

test('warm start parents must be this pipeline\'s tuning jobs, 1 to 5, valid and distinct; the seed an integer >= 0', () => {
  invalid(event({ mode: 'tune', tuning: { warmStart: { type: 'TransferLearning', parents: ['other-team-run'] } } }),
    /tuning\.warmStart\.parents\[0\]: "other-team-run" is not allowed; it must start with "hf-translate-"/);
  invalid(event({ mode: 'tune', tuning: { warmStart: { type: 'TransferLearning', parents: Array.from({ length: 6 }, (_, i) => `hf-translate-${i}`) } } }),
    /tuning\.warmStart\.parents: .* allowed: 1 to 5 tuning job names/);
  invalid(event({ mode: 'tune', tuning: { warmStart: { type: 'TransferLearning', parents: [] } } }), /allowed: 1 to 5/);
  invalid(event({ mode: 'tune', tuning: { warmStart: { type: 'TransferLearning', parents: ['hf-translate-a', 'hf-translate-a'] } } }), /has duplicates/);
  invalid(event({ mode: 'tune', tuning: { warmStart: { type: 'TransferLearning', parents: ['hf-translate-this-name-is-far-too-long-for-tuning'] } } }),
    /must be 1 to 32 characters/);
  invalid(event({ mode: 'tune', tuning: { warmStart: { type: 'Identical', parents: ['hf-translate-a'] } } }),
    /tuning\.warmStart\.type: "Identical" is not allowed; allowed: IdenticalDataAndAlgorithm, TransferLearning/);
  invalid(event({ mode: 'tune', tuning: { warmStart: { type: 'TransferLearning', parents: ['hf-translate-a'], extra: 1 } } }), /tuning\.warmStart\.extra: unknown field/);
  invalid(event({ mode: 'tune', tuning: { randomSeed: -1 } }), /tuning\.randomSeed: -1 is not allowed; allowed: an integer from 0 to 2147483647/);
  invalid(event({ mode: 'tune', tuning: { randomSeed: 1.5 } }), /tuning\.randomSeed: 1\.5 is not allowed/);
  invalid(event({ randomSeed: 1 }), /randomSeed: unknown field/);
});

test('Hyperband: switching strategy drops StrategyConfig; tuning the epochs a recipe infers MaxResource from is refused', () => {
  const withConfig = tuningDefaults();
  withConfig.HyperParameterTuningJobConfig.Strategy = 'Hyperband';
  withConfig.HyperParameterTuningJobConfig.StrategyConfig = { HyperbandStrategyConfig: { MinResource: 1, MaxResource: 3 } };
  const ev = event({ mode: 'tune', tuning: { strategy: 'Random' } });
  ev.defaults.tuning = withConfig;
  const { request } = prepare(ev);
  assert.equal(request.HyperParameterTuningJobConfig.Strategy, 'Random');
  assert.equal(request.HyperParameterTuningJobConfig.StrategyConfig, undefined);

  const inferred = tuningDefaults();
  inferred.HyperParameterTuningJobConfig.Strategy = 'Hyperband';
  const training = trainingDefaults();
  training.HyperParameters.epochs = '3';
  inferred.TrainingJobDefinition.StaticHyperParameters.epochs = '3';
  const tuneEpochs = event({ mode: 'tune', tuning: { ranges: { epochs: { type: 'integer', min: 1, max: 5 } } } });
  tuneEpochs.defaults = { training, tuning: inferred };
  invalid(tuneEpochs, /tuning\.ranges: epochs not allowed; this Hyperband recipe sets no MaxResource/);
  const fine = event({ mode: 'tune', tuning: { ranges: { learning_rate: { type: 'continuous', min: 1e-5, max: 1e-3 } } } });
  fine.defaults = { training, tuning: inferred };
  assert.equal(prepare(fine).request.TrainingJobDefinition.StaticHyperParameters.epochs, '3');
});
