// PrepareRequest, sdk-fidelity parts: categorical values as the SDK encodes them (the same table the C# builder is
// tested against), a tuning definition's HyperParameterTuningResourceConfig, the volume key, and continuing a search
// run after run (tuning.randomSeed, tuning.warmStart) within the environment's guardrails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { encodeCategorical } from '../../../constructs/Orchestration/runtime/encoding.mjs';
import { InvalidInputError } from '../../../constructs/Orchestration/runtime/errors.mjs';
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
  // As C# PrepareRequestPolicy writes them: a volume key only for a type with EBS storage only.
  const withP3 = { ...policy, instanceTypes: { ...policy.instanceTypes, 'ml.p3.16xlarge': { resources: { VolumeKmsKeyId: volume }, quotaNames: {} } } };
  const { request } = prepare(event({ mode: 'tune', instanceType: 'ml.g5.12xlarge' }, { policy: withP3 }));
  const resources = request.TrainingJobDefinition.HyperParameterTuningResourceConfig;
  assert.equal(resources.InstanceType, 'ml.g5.12xlarge');
  assert.equal(resources.VolumeKmsKeyId, undefined);
  assert.equal(request.TrainingJobDefinition.ResourceConfig, undefined);

  const p3 = prepare(event({ mode: 'tune', instanceType: 'ml.p3.16xlarge' }, { policy: withP3 })).request.TrainingJobDefinition.HyperParameterTuningResourceConfig;
  assert.equal(p3.VolumeKmsKeyId, volume);
  const p3Training = prepare(event({ instanceType: 'ml.p3.16xlarge' }, { policy: withP3 })).request.ResourceConfig;
  assert.equal(p3Training.VolumeKmsKeyId, volume);
  // Back to a type with local storage: the default request's key goes.
  assert.equal(prepare(event({ instanceType: 'ml.g5.12xlarge' }, { policy: withP3 })).request.ResourceConfig.VolumeKmsKeyId, undefined);
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

// The class of input the job would ignore, or SageMaker would refuse, once the whole request is known.

function hyperbandEvent(input, { minResource } = {}) {
  const tuning = tuningDefaults();
  tuning.HyperParameterTuningJobConfig.Strategy = 'Hyperband';
  if (minResource !== undefined) tuning.HyperParameterTuningJobConfig.StrategyConfig = { HyperbandStrategyConfig: { MinResource: minResource } };
  const training = trainingDefaults();
  training.HyperParameters.epochs = '3';
  tuning.TrainingJobDefinition.StaticHyperParameters.epochs = '3';
  const ev = event(input);
  ev.defaults = { training, tuning };
  return ev;
}

test('Hyperband reads MaxResource from the static epochs: an override SageMaker could not use is refused with the other problems', () => {
  // API reference, HyperbandStrategyConfig.MaxResource: inferred from a static epochs-like hyperparameter, at most 20,000.
  invalid(hyperbandEvent({ mode: 'tune', hyperparameters: { epochs: 0 } }), /hyperparameters\.epochs: 0 cannot serve as this Hyperband recipe's MaxResource; allowed: an integer from 1 to 20000/);
  invalid(hyperbandEvent({ mode: 'tune', hyperparameters: { epochs: 2.5 } }), /hyperparameters\.epochs: 2\.5 cannot serve/);
  invalid(hyperbandEvent({ mode: 'tune', hyperparameters: { epochs: 20001 } }), /hyperparameters\.epochs: 20001 cannot serve/);
  invalid(hyperbandEvent({ mode: 'tune', hyperparameters: { epochs: 2 } }, { minResource: 3 }), /hyperparameters\.epochs: 2 cannot serve .* allowed: an integer from 3 to 20000/);
  const both = invalid(hyperbandEvent({ mode: 'tune', instanceCount: 9, hyperparameters: { epochs: 0 } }), /instanceCount: 9/, /hyperparameters\.epochs: 0/);
  assert.equal(both.problems.length, 2);
  assert.equal(prepare(hyperbandEvent({ mode: 'tune', hyperparameters: { epochs: 5 } })).request.TrainingJobDefinition.StaticHyperParameters.epochs, '5');
  // Without any static epochs key (the recipe's is gone), SageMaker has nothing to infer it from.
  const none = hyperbandEvent({ mode: 'tune' });
  delete none.defaults.tuning.TrainingJobDefinition.StaticHyperParameters.epochs;
  delete none.defaults.training.HyperParameters.epochs;
  invalid(none, /hyperparameters: no static epochs, numepochs, n-epochs, n_epochs, num_epochs; this Hyperband recipe sets no MaxResource/);
});

test('a seed with the Grid strategy would change nothing: refused (null is still accepted)', () => {
  const grid = (input) => {
    const ev = event(input);
    const c = ev.defaults.tuning.HyperParameterTuningJobConfig;
    c.Strategy = 'Grid';
    delete c.ResourceLimits.MaxNumberOfTrainingJobs;
    c.ParameterRanges = { ContinuousParameterRanges: [], IntegerParameterRanges: [], CategoricalParameterRanges: [{ Name: 'learning_rate', Values: ['"1e-05"', '"5e-05"'] }] };
    return ev;
  };
  invalid(grid({ mode: 'tune', tuning: { randomSeed: 7 } }), /tuning\.randomSeed: 7 is not allowed with the Grid strategy of this recipe \(SageMaker runs every combination of the categorical values: a seed would change nothing\); allowed: null/);
  assert.equal('RandomSeed' in prepare(grid({ mode: 'tune', tuning: { randomSeed: null } })).request.HyperParameterTuningJobConfig, false);
  // Switching to Random makes the seed meaningful again.
  assert.equal(prepare(grid({ mode: 'tune', tuning: { strategy: 'Random', maxJobs: 2, randomSeed: 7 } })).request.HyperParameterTuningJobConfig.RandomSeed, 7);
});

test('more instances than a job without a distribution can use are refused, saying why', () => {
  const single = { ...policy, instanceCount: { max: 1, why: 'this recipe runs no distribution: every extra instance would train its own copy of the model' } };
  invalid(event({ instanceCount: 2 }, { policy: single }),
    /instanceCount: 2 is not allowed; allowed: an integer from 1 to 1 \(this recipe runs no distribution: every extra instance would train its own copy of the model\)/);
  assert.equal(prepare(event({ instanceCount: 1 }, { policy: single })).request.ResourceConfig.InstanceCount, 1);
});

test('a training request may not carry more hyperparameters than SageMaker takes, also when the overrides add them', () => {
  const integer = { kind: 'integer', nullable: false, allowed: 'an integer' };
  const declared = { model_name_or_path: { kind: 'string', nullable: false, allowed: 'a string' }, num_train_epochs: integer, learning_rate: { kind: 'float', nullable: false, allowed: 'a number' }, warmup_steps: integer };
  // At most 8: the defaults carry 7 keys, every run adds sagemaker_job_name, and warmup_steps (declared, no default) one more.
  const tight = { ...policy, hyperparameters: declared, limits: { ...policy.limits, hyperparameters: 8 } };
  const run = (input) => {
    const ev = event(input, { policy: tight });
    delete ev.defaults.training.HyperParameters.sagemaker_job_name;
    return ev;
  };
  assert.equal(Object.keys(prepare(run({})).request.HyperParameters).length, 8);
  invalid(run({ hyperparameters: { warmup_steps: 10 } }), /hyperparameters: the request would carry 9 hyperparameters; allowed: at most 8/);
});

test('recipe settings a run changes beyond its own fields are reported in the summary, never dropped silently', () => {
  const warm = event({ spot: true });
  delete warm.defaults.training.EnableManagedSpotTraining;
  warm.defaults.training.ResourceConfig.KeepAlivePeriodInSeconds = 1800;
  const { request, summary } = prepare(warm);
  assert.equal('KeepAlivePeriodInSeconds' in request.ResourceConfig, false);
  assert.deepEqual(summary.notes, ['spot: the recipe\'s warm pool (KeepAlivePeriodInSeconds 1800) is not sent: SageMaker keeps no warm pools for managed spot training']);
  assert.equal('notes' in prepare(event({})).summary, false);

  const lowered = prepare(event({ mode: 'tune', tuning: { maxJobs: 1 } })).summary;
  assert.deepEqual(lowered.notes, ['tuning.maxJobs: the recipe\'s 2 parallel jobs are lowered to 1, as many as the run starts in all']);
  assert.equal('notes' in prepare(event({ mode: 'tune', tuning: { maxJobs: 1, maxParallelJobs: 1 } })).summary, false);

  const hyperband = tuningDefaults();
  hyperband.HyperParameterTuningJobConfig.Strategy = 'Hyperband';
  hyperband.HyperParameterTuningJobConfig.StrategyConfig = { HyperbandStrategyConfig: { MinResource: 1, MaxResource: 3 } };
  const switched = event({ mode: 'tune', tuning: { strategy: 'Random' } });
  switched.defaults.tuning = hyperband;
  assert.deepEqual(prepare(switched).summary.notes, ['tuning.strategy: the recipe\'s Hyperband settings {"MinResource":1,"MaxResource":3} do not apply to the Random strategy and are not sent']);
});
