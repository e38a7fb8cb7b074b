// Property tests of PrepareRequest over malformed execution inputs nobody wrote by hand (the whole class of mistakes
// rather than one example). Every field of a valid train input and of a valid tune input is replaced, one at a time, by each value
// of a fixed pool (types swapped, null, -0, huge and fractional numbers, numbers as strings, case and whitespace
// variants, zero-width and homoglyph characters, control characters, 5000-character strings, empty arrays and objects)
// or deleted; unknown keys (__proto__ and constructor included) are added to every object. Properties:
//   - the handler either throws InvalidInput whose message names the field (or, for a cross-field rule, its parent),
//     or returns a request the SageMaker API model (botocore, tests/node/lib/sagemaker-api-model.mjs) accepts;
//   - it never throws anything else (a TypeError would end the execution without the InvalidInput path);
//   - messages stay bounded, and no input pollutes Object.prototype.
// The defaults and policy come from the synthesized translation pipeline that the C# tests write to $HF_TEST_RESULTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizedDefinition } from '../lib/synthesized.mjs';
import { validateRequest } from '../lib/sagemaker-api-model.mjs';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { MESSAGE_LIMITS } from '../../../constructs/Orchestration/runtime/errors.mjs';

/** The PrepareRequest payload of the synthesized definition: { defaults, policy } as the state machine sends them. */
function synthesizedPayload() {
  let payload;
  (function find(node) {
    if (payload || !node || typeof node !== 'object') return;
    if (node.defaults && node.policy) { payload = node; return; }
    Object.values(node).forEach(find);
  })(synthesizedDefinition('translation-pipeline.template.json'));
  assert.ok(payload?.policy?.hyperparameters, 'no PrepareRequest payload with declared hyperparameters in the definition');
  return payload;
}

const { defaults, policy } = synthesizedPayload();
const event = (input) => ({ input, defaults, policy, executionName: 'run-2024-06-01', attempt: 1 });

const POOL = [null, true, false, 0, -0, 1, -1, 2.5, 1e308, -1e308, 9007199254740993, '', ' ', 'x', '1', 'true', 'NaN',
  'Infinity', '-0', '1e3', [], [1], {}, { a: 1 }, 'a'.repeat(5000), '\u200b', 'ml.g5.2xlarge\u200b', ' ml.g5.2xlarge',
  'ML.G5.2XLARGE', 'Train', 'TUNE', ' train', 'train\n', '\u0000', '\u0442rain', `${policy.jobNamePrefix}-\u0430`,
  `${policy.jobNamePrefix}-x\n`, '\u202etrain'];

/** A valid value for each declared hyperparameter kind (its minimum, or the first choice or word; the recipe's own
 *  default where a pattern decides, which no generic value can be assumed to meet). */
function validValue(spec, name) {
  if (spec.choices) return spec.choices[0];
  if (spec.vocabulary) return spec.vocabulary.words[0];
  if (spec.pattern) return JSON.parse(defaults.training.HyperParameters[name]);
  switch (spec.kind) {
    case 'integer': return spec.minimum ?? 1;
    case 'float': case 'number': return spec.minimum ?? 0.5;
    case 'boolean': return true;
    default: return 'ab';
  }
}

// Every declared hyperparameter a run may set (not those the script would not use, which PrepareRequest refuses), with
// the steps strategies the recipe's rules require of eval_steps, save_steps and save_total_limit.
const settable = Object.entries(policy.hyperparameters).filter(([, spec]) => spec.ignored === undefined);
const train = {
  mode: 'train', jobName: `${policy.jobNamePrefix}-a`, instanceType: Object.keys(policy.instanceTypes)[0], instanceCount: 1,
  spot: true, maxRuntimeSeconds: 3600, maxWaitSeconds: 7200,
  hyperparameters: { ...Object.fromEntries(settable.map(([k, spec]) => [k, validValue(spec, k)])), eval_strategy: 'steps', save_strategy: 'steps' },
  channels: { train: `s3://${policy.datasetsBucket}/x/` },
};
const tune = {
  mode: 'tune', jobName: `${policy.jobNamePrefix}-t`,
  tuning: { maxJobs: 2, maxParallelJobs: 1, strategy: 'Bayesian', earlyStopping: 'Auto', randomSeed: 1,
    ranges: { learning_rate: { type: 'continuous', min: 1e-5, max: 1e-4, scaling: 'Logarithmic' } } },
};

function paths(value, at = []) {
  const found = [at];
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) found.push(...paths(v, [...at, Array.isArray(value) ? Number(k) : k]));
  return found;
}
const show = (segments) => segments.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${k}`)).join('');
const parentOf = (segments) => segments.slice(0, -1);

/** Runs one input through JSON (as Step Functions hands it over) and checks the properties; returns a problem or null. */
function check(input, field) {
  const sent = input === undefined ? undefined : JSON.parse(JSON.stringify(input));
  let result;
  try {
    result = prepare(event(sent));
  } catch (e) {
    if (e.name !== 'InvalidInput') return `threw ${e.name}: ${e.message}`;
    if (e.message.length > MESSAGE_LIMITS.causeLength + 200) return `message of ${e.message.length} characters`;
    if (field && field.length > 0) {
      // The field itself, or (cross-field rules, e.g. min < max) its parent object.
      const names = [show(field), ...(field.length > 1 ? [`${show(parentOf(field))}:`, `${show(parentOf(field))}.`] : [])];
      if (!names.some((n) => e.message.includes(n))) return `message names neither ${names.join(' nor ')}: ${e.message.slice(0, 300)}`;
    }
    return null;
  }
  const operation = result.mode === 'tune' ? 'CreateHyperParameterTuningJob' : 'CreateTrainingJob';
  const problems = validateRequest(operation, result.request);
  return problems.length ? `accepted, but SageMaker would reject: ${problems.slice(0, 3).join(' | ')}` : null;
}

test('the valid base inputs are accepted (so every mutation below tests one field)', () => {
  for (const base of [train, tune]) {
    assert.doesNotThrow(() => prepare(event(structuredClone(base))));
    assert.equal(check(base), null);
  }
  assert.ok(Object.keys(train.hyperparameters).length > 20);
});

for (const base of [train, tune]) {
  test(`${base.mode}: every field replaced by every pool value, or deleted: InvalidInput naming it, or a valid request`, () => {
    const failures = [];
    let count = 0;
    for (const field of paths(base).filter((p) => p.length > 0)) {
      for (const value of [...POOL, undefined]) {
        const input = structuredClone(base);
        const parent = field.slice(0, -1).reduce((o, k) => o[k], input);
        if (value === undefined) delete parent[field.at(-1)]; else parent[field.at(-1)] = value;
        const problem = check(input, value === undefined ? null : field);
        count++;
        if (problem) failures.push(`${show(field)} = ${JSON.stringify(value)?.slice(0, 40)}: ${problem}`);
      }
    }
    assert.ok(count > 500, `only ${count} mutations`);
    assert.deepEqual(failures, []);
  });

  test(`${base.mode}: unknown keys in every object (prototype keys included) are rejected by name, nothing is polluted`, () => {
    const failures = [];
    for (const at of paths(base).filter((p) => { const v = p.reduce((o, k) => o[k], base); return v && typeof v === 'object' && !Array.isArray(v); })) {
      for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'unknownField']) {
        const text = JSON.stringify(base).replace(at.length === 0 ? /^\{/ : new RegExp(`"${at.at(-1)}":\\{`), (m) => `${m}"${key}":{"polluted":true},`);
        const input = JSON.parse(text);
        let error;
        try { prepare(event(input)); } catch (e) { error = e; }
        if (error?.name !== 'InvalidInput' || !error.message.includes(key)) failures.push(`${show([...at, key])}: ${error ? error.message.slice(0, 200) : 'accepted'}`);
      }
    }
    assert.equal({}.polluted, undefined, 'Object.prototype was polluted');
    assert.deepEqual(failures, []);
  });
}

test('non-object inputs and every pool value as the whole input: InvalidInput, or the defaults for null', () => {
  for (const value of POOL) {
    const problem = check(value, null);
    assert.equal(problem, null, `${JSON.stringify(value)?.slice(0, 40)}: ${problem}`);
  }
});
