// Unit tests of the PrepareRequest Lambda handler (constructs/Orchestration/runtime/): every kind of
// invalid input fails with an InvalidInput error naming the field, and every override lands on its documented path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepare, handler } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { pythonJson } from '../../../constructs/Orchestration/runtime/encoding.mjs';
import { jobNameFor, sanitizeName, fitName } from '../../../constructs/Orchestration/runtime/names.mjs';
import { InvalidInputError } from '../../../constructs/Orchestration/runtime/errors.mjs';
import { event, policy } from './fixtures.mjs';

function invalid(input, ...expected) {
  let error;
  try { prepare(event(input)); } catch (e) { error = e; }
  assert.ok(error, `expected InvalidInput for ${JSON.stringify(input)}`);
  assert.equal(error.name, 'InvalidInput');
  assert.ok(error instanceof InvalidInputError);
  for (const fragment of expected) assert.match(error.message, fragment);
  return error;
}

test('an empty input trains with the recipe defaults and a job name derived from the execution name', () => {
  const { mode, request, summary } = prepare(event({}));
  assert.equal(mode, 'train');
  assert.equal(request.TrainingJobName, 'hf-translate-run-2024-06-01');
  assert.equal(request.HyperParameters.sagemaker_job_name, '"hf-translate-run-2024-06-01"');
  assert.equal(request.HyperParameters.learning_rate, '5e-05');
  assert.equal(request.ResourceConfig.InstanceType, 'ml.g5.2xlarge');
  assert.equal(request.EnableManagedSpotTraining, true);
  assert.deepEqual(request.StoppingCondition, { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 });
  assert.equal(request.CheckpointConfig.S3Uri, 's3://checkpoints-bucket/hf-translate/hf-translate-run-2024-06-01');
  assert.equal(summary.quotaName, 'ml.g5.2xlarge for spot training job usage');
  assert.equal(summary.outputS3Uri, 's3://artifacts-bucket/hf-translate');
});

test('the handler is async and returns the same as prepare', async () => {
  assert.deepEqual(await handler(event({})), prepare(event({})));
});

test('overrides patch only their documented paths', () => {
  const before = event({}).defaults.training;
  const { request, summary } = prepare(event({
    jobName: 'hf-translate-my-run',
    hyperparameters: { learning_rate: 0.0001, model_name_or_path: 't5-base', num_train_epochs: 5 },
    instanceType: 'ml.g5.12xlarge',
    instanceCount: 2,
    spot: false,
    maxRuntimeSeconds: 7200,
    channels: { train: 's3://datasets-bucket-111122223333/other/train/' },
  }));
  assert.equal(request.TrainingJobName, 'hf-translate-my-run');
  assert.deepEqual(request.HyperParameters, {
    ...before.HyperParameters,
    learning_rate: '0.0001', model_name_or_path: '"t5-base"', num_train_epochs: '5',
    sagemaker_job_name: '"hf-translate-my-run"',
  });
  assert.deepEqual(request.ResourceConfig, { ...before.ResourceConfig, InstanceType: 'ml.g5.12xlarge', InstanceCount: 2 });
  assert.equal('EnableManagedSpotTraining' in request, false);
  assert.deepEqual(request.StoppingCondition, { MaxRuntimeInSeconds: 7200 });
  assert.deepEqual(request.CheckpointConfig, { S3Uri: 's3://checkpoints-bucket/hf-translate/hf-translate-my-run' });
  assert.equal(request.InputDataConfig[0].DataSource.S3DataSource.S3Uri, 's3://datasets-bucket-111122223333/other/train/');
  assert.deepEqual(request.InputDataConfig[1], before.InputDataConfig[1]);
  assert.deepEqual(request.InputDataConfig[2], before.InputDataConfig[2]);
  for (const key of ['AlgorithmSpecification', 'RoleArn', 'OutputDataConfig', 'RetryStrategy', 'EnableNetworkIsolation', 'VpcConfig']) {
    assert.deepEqual(request[key], before[key], key);
  }
  assert.equal(summary.quotaName, 'ml.g5.12xlarge for training job usage');
});

test('turning spot on with a longer run keeps MaxWait at least MaxRuntime', () => {
  const { request } = prepare(event({ maxRuntimeSeconds: 10000 }));
  assert.equal(request.StoppingCondition.MaxWaitTimeInSeconds, 10000);
  const explicit = prepare(event({ maxRuntimeSeconds: 3600, maxWaitSeconds: 20000 })).request;
  assert.equal(explicit.StoppingCondition.MaxWaitTimeInSeconds, 20000);
});

test('unknown keys are rejected with the allowed list', () => {
  invalid({ instance_type: 'ml.g5.2xlarge' }, /instance_type: unknown field; allowed fields: mode, jobName/);
});

test('the input must be an object', () => {
  invalid([1, 2], /\(input\): \[1,2\] is not allowed/);
});

test('an instance type outside the environment list is rejected', () => {
  invalid({ instanceType: 'ml.p5.48xlarge' }, /instanceType: "ml\.p5\.48xlarge" is not allowed; allowed: ml\.g5\.2xlarge, ml\.g5\.12xlarge/);
});

test('an instance count over the environment maximum is rejected', () => {
  invalid({ instanceCount: 3 }, /instanceCount: 3 is not allowed; allowed: an integer from 1 to 2/);
  invalid({ instanceCount: 1.5 }, /instanceCount: 1\.5 is not allowed/);
});

test('a max run over the environment maximum is rejected', () => {
  invalid({ maxRuntimeSeconds: 8 * 3600 + 1 }, /maxRuntimeSeconds: 28801 is not allowed; allowed: an integer from 1 to 28800/);
});

test('a max wait below the run time, or without spot, is rejected', () => {
  invalid({ maxRuntimeSeconds: 5000, maxWaitSeconds: 4000 }, /maxWaitSeconds: 4000 is not allowed; allowed: an integer from 5000/);
  invalid({ spot: false, maxWaitSeconds: 4000 }, /maxWaitSeconds: 4000 is not allowed; allowed: only with spot/);
});

test('a channel outside the datasets bucket, or an unknown channel, is rejected', () => {
  invalid({ channels: { train: 's3://someone-elses-bucket/train/' } },
    /channels\.train: "s3:\/\/someone-elses-bucket\/train\/" is not allowed; allowed: an S3 URI under s3:\/\/datasets-bucket-111122223333\//);
  invalid({ channels: { train: 's3://datasets-bucket-111122223333-evil/train/' } }, /channels\.train/);
  invalid({ channels: { code: 's3://datasets-bucket-111122223333/code.tar.gz' } }, /channels\.code: unknown channel; allowed channels: train, validation/);
});

test('a bad job name is rejected: pattern, length, prefix', () => {
  invalid({ jobName: 'hf-translate_bad' }, /jobName: "hf-translate_bad" is not allowed; it must match/);
  invalid({ jobName: `hf-translate-${'x'.repeat(60)}` }, /must be 1 to 63 characters \(got 73\)/);
  invalid({ jobName: 'other-prefix-run' }, /must start with "hf-translate-"/);
  invalid({ mode: 'tune', jobName: 'hf-translate-a-name-too-long-for-tuning' }, /must be 1 to 32 characters/);
});

test('spot must be a boolean', () => {
  invalid({ spot: 'yes' }, /spot: "yes" is not allowed; allowed: true or false/);
});

test('bad hyperparameter keys are rejected: reserved, malformed, unknown', () => {
  invalid({ hyperparameters: { sagemaker_program: 'evil.py' } }, /hyperparameters\.sagemaker_program: reserved for SageMaker/);
  invalid({ hyperparameters: { '--lr': 1 } }, /hyperparameters\.--lr: not a valid hyperparameter name/);
  invalid({ hyperparameters: { learning_rat: 1 } }, /hyperparameters\.learning_rat: unknown hyperparameter of this recipe; allowed keys: model_name_or_path, num_train_epochs, learning_rate/);
  invalid({ hyperparameters: { model_name_or_path: 'x'.repeat(2600) } }, /encoded value is 2602 characters; allowed: at most 2500/);
});

test('every problem is reported at once', () => {
  const error = invalid({ instanceType: 'ml.t3.medium', instanceCount: 0, spot: 1, extra: true }, /4 problems/);
  assert.equal(error.problems.length, 4);
});

test('tuning: mode tune renames the tuning job, keeps tuned keys out of the static hyperparameters', () => {
  const { mode, request, summary } = prepare(event({ mode: 'tune', hyperparameters: { num_train_epochs: 2 } }));
  assert.equal(mode, 'tune');
  assert.equal(request.HyperParameterTuningJobName, 'hf-translate-run-2024-06-01');
  const statics = request.TrainingJobDefinition.StaticHyperParameters;
  assert.equal(statics.num_train_epochs, '2');
  assert.equal(statics.sagemaker_job_name, '"hf-translate-run-2024-06-01"');
  assert.equal('learning_rate' in statics, false);
  assert.equal(summary.maxJobs, 4);
});

test('tuning: limits and ranges override, a dropped range becomes static again', () => {
  const { request } = prepare(event({
    mode: 'tune',
    tuning: {
      maxJobs: 6, maxParallelJobs: 1, strategy: 'Random', earlyStopping: 'Auto',
      ranges: {
        num_train_epochs: { type: 'integer', min: 1, max: 4 },
        model_name_or_path: { type: 'categorical', values: ['t5-small', 't5-base'] },
      },
    },
  }));
  const config = request.HyperParameterTuningJobConfig;
  assert.deepEqual(config.ResourceLimits, { MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 1 });
  assert.equal(config.Strategy, 'Random');
  assert.equal(config.TrainingJobEarlyStoppingType, 'Auto');
  // sagemaker/tuner.py HyperparameterTuner._prepare_parameter_ranges_for_tuning: one list per range type, empty ones
  // included; categorical values json.dumps-encoded for Framework estimators (CategoricalParameter.as_json_range).
  assert.deepEqual(config.ParameterRanges, {
    ContinuousParameterRanges: [],
    IntegerParameterRanges: [{ Name: 'num_train_epochs', MinValue: '1', MaxValue: '4', ScalingType: 'Auto' }],
    CategoricalParameterRanges: [{ Name: 'model_name_or_path', Values: ['"t5-small"', '"t5-base"'] }],
  });
  const statics = request.TrainingJobDefinition.StaticHyperParameters;
  assert.equal(statics.learning_rate, '5e-05');
  assert.equal('num_train_epochs' in statics, false);
  assert.equal('model_name_or_path' in statics, false);
});

test('tuning: limits over the environment maximum are rejected', () => {
  invalid({ mode: 'tune', tuning: { maxJobs: 11 } }, /tuning\.maxJobs: 11 is not allowed; allowed: an integer from 1 to 10/);
  invalid({ mode: 'tune', tuning: { maxJobs: 5, maxParallelJobs: 3 } }, /tuning\.maxParallelJobs: 3 is not allowed; allowed: an integer from 1 to 2/);
  invalid({ mode: 'tune', tuning: { strategy: 'Grid' } }, /tuning\.strategy: "Grid" is not allowed; allowed: Bayesian, Random/);
  invalid({ mode: 'tune', tuning: { budget: 1 } }, /tuning\.budget: unknown field/);
});

test('tuning: invalid ranges are rejected', () => {
  invalid({ mode: 'tune', tuning: { ranges: { learning_rate: { type: 'continuous', min: 0.1, max: 0.01 } } } },
    /tuning\.ranges\.learning_rate: min 0\.1 must be less than max 0\.01/);
  invalid({ mode: 'tune', tuning: { ranges: { learning_rate: { type: 'continuous', min: 0, max: 0.1, scaling: 'Logarithmic' } } } },
    /Logarithmic needs min > 0/);
  invalid({ mode: 'tune', tuning: { ranges: { num_train_epochs: { type: 'integer', min: 1.5, max: 3 } } } },
    /tuning\.ranges\.num_train_epochs\.min: 1\.5 is not allowed; allowed: an integer/);
  invalid({ mode: 'tune', tuning: { ranges: { model_name_or_path: { type: 'categorical', values: [] } } } },
    /tuning\.ranges\.model_name_or_path\.values: \[\] is not allowed/);
  invalid({ mode: 'tune', tuning: { ranges: { dropout: { type: 'continuous', min: 0, max: 1 } } } },
    /tuning\.ranges\.dropout: unknown hyperparameter/);
  invalid({ mode: 'tune', tuning: { ranges: { learning_rate: { type: 'uniform', min: 0, max: 1 } } } },
    /tuning\.ranges\.learning_rate\.type: "uniform" is not allowed/);
});

test('tuning: a static override of a tuned hyperparameter is rejected', () => {
  invalid({ mode: 'tune', hyperparameters: { learning_rate: 0.001 } }, /hyperparameters\.learning_rate: tuned by this run/);
});

test('tuning settings without mode tune are rejected, and so is an unknown mode', () => {
  invalid({ tuning: { maxJobs: 2 } }, /tuning: only allowed with "mode": "tune"/);
  invalid({ mode: 'deploy' }, /mode: "deploy" is not allowed; allowed: "train" or "tune"/);
  const noTuning = event({ mode: 'tune' });
  noTuning.defaults.tuning = null;
  assert.throws(() => prepare(noTuning), /this recipe defines no tuning job/);
});

test('capacity retries get a new job name', () => {
  const { request, summary } = prepare(event({}, { attempt: 2 }));
  assert.equal(request.TrainingJobName, 'hf-translate-run-2024-06-01-r2');
  assert.equal(summary.attempt, 2);
});

test('job names: sanitized, prefixed, truncated with a hash that keeps them unique and valid', () => {
  assert.equal(sanitizeName('My Run #7 (v2)'), 'My-Run-7-v2');
  assert.equal(sanitizeName('___'), 'run');
  const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const tuning = jobNameFor({ prefix: 'hf-translate', executionName: uuid, maxLength: 32 });
  assert.equal(tuning.length, 32);
  assert.match(tuning, /^hf-translate-0f8fad5b-d-[0-9a-f]{8}$/);
  assert.notEqual(jobNameFor({ prefix: 'hf-translate', executionName: uuid.replace('e', 'f'), maxLength: 32 }), tuning);
  assert.equal(jobNameFor({ prefix: 'hf-translate', executionName: uuid, maxLength: 63 }), `hf-translate-${uuid}`);
  assert.equal(fitName('a'.repeat(40), 40), 'a'.repeat(40));
});

test('hyperparameter values are encoded like Python json.dumps', () => {
  const cases = [
    [3, '3'], [5e-5, '5e-05'], [0.0001, '0.0001'], [1e16 + 2, '1.0000000000000002e+16'], [1.5, '1.5'], [-2.5e-7, '-2.5e-07'],
    [true, 'true'], [false, 'false'], [null, 'null'], ['t5-small', '"t5-small"'], ['é"\\\n', '"\\u00e9\\"\\\\\\n"'],
    [[1, 2], '[1, 2]'], [{ a: 1, b: [true] }, '{"a": 1, "b": [true]}'], [123456789.125, '123456789.125'],
  ];
  for (const [value, expected] of cases) assert.equal(pythonJson(value), expected, JSON.stringify(value));
});

test('a broken definition (no defaults) is not reported as invalid input', () => {
  assert.throws(() => prepare({ input: {}, policy }), (e) => e.name !== 'InvalidInput' && /definition is broken/.test(e.message));
});

// ---- run-time overrides never produce a request TrainingRequestBuilder would have refused at synthesis ----

function withDefaults(mutate) {
  const e = event({});
  mutate(e.defaults);
  return (input) => e && { ...e, input };
}

test('mp_parameters is reserved at run time as at synthesis (TrainingRequestBuilder rejects it as a user key)', () => {
  const ev = withDefaults((d) => { d.training.HyperParameters.mp_parameters = '{"partitions": 2}'; });
  let error;
  try { prepare(ev({ hyperparameters: { mp_parameters: { partitions: 4 } } })); } catch (e) { error = e; }
  assert.equal(error?.name, 'InvalidInput');
  assert.match(error.message, /hyperparameters\.mp_parameters: reserved for SageMaker; allowed keys: model_name_or_path, num_train_epochs, learning_rate$/);
});

test('spot MaxWait stays within the policy\'s bound (C# caps twice the environment maximum at 28 days)', () => {
  const long = { ...policy, maxRuntimeSeconds: 28 * 24 * 3600, spot: { ...policy.spot, maxWaitSeconds: 28 * 24 * 3600 } };
  const limit = 28 * 24 * 3600;
  const ok = prepare(event({ maxRuntimeSeconds: 20 * 24 * 3600, maxWaitSeconds: limit }, { policy: long })).request;
  assert.equal(ok.StoppingCondition.MaxWaitTimeInSeconds, 2419200);
  let error;
  try { prepare(event({ maxRuntimeSeconds: 20 * 24 * 3600, maxWaitSeconds: limit + 1 }, { policy: long })); } catch (e) { error = e; }
  assert.match(error?.message ?? '', /maxWaitSeconds: 2419201 is not allowed; allowed: an integer from 1728000 to 2419200/);
  const defaulted = prepare(event({ maxRuntimeSeconds: 27 * 24 * 3600 }, { policy: long })).request;
  assert.ok(defaulted.StoppingCondition.MaxWaitTimeInSeconds <= 2419200);
  assert.ok(defaulted.StoppingCondition.MaxWaitTimeInSeconds >= defaulted.StoppingCondition.MaxRuntimeInSeconds);
});

test('tuning: at most 30 ranges and categorical values of at most 256 encoded characters (ParameterValue)', () => {
  const many = {};
  for (let i = 0; i < 31; i++) many[`p${i}`] = { type: 'integer', min: 1, max: 2 };
  invalid({ mode: 'tune', tuning: { ranges: many } }, /tuning\.ranges: 31 ranges is not allowed; allowed: 1 to 30 hyperparameters/);
  invalid({ mode: 'tune', tuning: { ranges: { model_name_or_path: { type: 'categorical', values: ['x'.repeat(255)] } } } },
    /tuning\.ranges\.model_name_or_path\.values: encoded value .* is 257 characters; allowed: at most 256/);
});

test('tuning: Hyperband recipes refuse early stopping Auto (TuningValidator)', () => {
  const ev = withDefaults((d) => { d.tuning.HyperParameterTuningJobConfig.Strategy = 'Hyperband'; });
  let error;
  try { prepare(ev({ mode: 'tune', tuning: { earlyStopping: 'Auto' } })); } catch (e) { error = e; }
  assert.match(error?.message ?? '', /tuning\.earlyStopping: "Auto" is not allowed with the Hyperband strategy/);
  assert.equal(prepare(ev({ mode: 'tune', tuning: { strategy: 'Bayesian', earlyStopping: 'Auto' } })).request.HyperParameterTuningJobConfig.Strategy, 'Bayesian');
});

test('tuning: Grid recipes take no maxJobs and categorical ranges only; leaving Grid needs maxJobs', () => {
  const ev = withDefaults((d) => {
    const c = d.tuning.HyperParameterTuningJobConfig;
    c.Strategy = 'Grid';
    delete c.ResourceLimits.MaxNumberOfTrainingJobs;
    c.ParameterRanges = { ContinuousParameterRanges: [], IntegerParameterRanges: [], CategoricalParameterRanges: [{ Name: 'learning_rate', Values: ['1e-05', '5e-05'] }] };
  });
  const attempt = (input) => { try { prepare(ev(input)); return null; } catch (e) { return e; } };
  assert.match(attempt({ mode: 'tune', tuning: { maxJobs: 4 } })?.message ?? '', /tuning\.maxJobs: not allowed with the Grid strategy/);
  assert.match(attempt({ mode: 'tune', tuning: { ranges: { learning_rate: { type: 'continuous', min: 0.00001, max: 0.001 } } } })?.message ?? '',
    /tuning\.ranges: learning_rate not allowed; allowed: categorical ranges only/);
  assert.match(attempt({ mode: 'tune', tuning: { strategy: 'Random' } })?.message ?? '', /tuning\.maxJobs: required when switching this Grid recipe to Random/);
  const random = prepare(ev({ mode: 'tune', tuning: { strategy: 'Random', maxJobs: 4 } })).request.HyperParameterTuningJobConfig;
  assert.deepEqual(random.ResourceLimits, { MaxParallelTrainingJobs: 2, MaxNumberOfTrainingJobs: 4 });
  const grid = prepare(ev({ mode: 'tune', tuning: { ranges: { num_train_epochs: { type: 'categorical', values: [2, 3] } } } })).request.HyperParameterTuningJobConfig;
  assert.equal('MaxNumberOfTrainingJobs' in grid.ResourceLimits, false);
});

test('a hyperparameter override must have the JSON kind of the recipe default: the script parses one type per name', () => {
  invalid({ hyperparameters: { learning_rate: 'abc' } },
    /hyperparameters\.learning_rate: "abc" is not allowed; allowed: a number like the recipe's default 5e-05/);
  invalid({ hyperparameters: { learning_rate: null } }, /hyperparameters\.learning_rate: null is not allowed; allowed: a number/);
  invalid({ hyperparameters: { model_name_or_path: true } },
    /hyperparameters\.model_name_or_path: true is not allowed; allowed: a string like the recipe's default "t5-small"/);
  invalid({ hyperparameters: { num_train_epochs: [1, 2] } }, /hyperparameters\.num_train_epochs: .* is not allowed; allowed: a number/);
  // the same kind passes, an integral default accepts a fraction (the script reads epochs as a float)
  const { request } = prepare(event({ hyperparameters: { learning_rate: 0.001, num_train_epochs: 2.5, model_name_or_path: 't5-base' } }));
  assert.equal(request.HyperParameters.learning_rate, '0.001');
  assert.equal(request.HyperParameters.num_train_epochs, '2.5');
});

test('an optional hyperparameter (default null) takes a scalar or null, not an object', () => {
  const ev = withDefaults((d) => { d.training.HyperParameters.max_train_samples = 'null'; });
  assert.equal(prepare(ev({ hyperparameters: { max_train_samples: 1000 } })).request.HyperParameters.max_train_samples, '1000');
  assert.equal(prepare(ev({ hyperparameters: { max_train_samples: null } })).request.HyperParameters.max_train_samples, 'null');
  let error;
  try { prepare(ev({ hyperparameters: { max_train_samples: { n: 1 } } })); } catch (e) { error = e; }
  assert.equal(error?.name, 'InvalidInput');
  assert.match(error.message, /hyperparameters\.max_train_samples: \{"n":1\} is not allowed; allowed: a number, string, boolean or null/);
});

test('integer bounds must be exact integers: 1e20 is not one', () => {
  invalid({ instanceCount: 1e20 }, /instanceCount: 100000000000000000000 is not allowed/);
});
