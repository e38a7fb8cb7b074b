// Unit tests of PrepareRequest's cross-field hyperparameter rules (constructs/Orchestration/runtime/rules.mjs) and of
// the values a pipeline marks ignored: a run is refused (or, for a note, reported) on what the script would receive,
// in train mode and for every value a tuning range can take. The recipes' own rules are replayed against the scripts'
// parsers in tests/node/csharp-output/hyperparameter-contract.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { event, policy as basePolicy } from './fixtures.mjs';

const integer = (extra = {}) => ({ kind: 'integer', nullable: false, allowed: 'an integer', ...extra });
// Shaped as C# HyperparameterSpec.ToJson and PrepareRequestPolicy.HyperparameterRules write them.
const policy = {
  ...basePolicy,
  hyperparameters: {
    model_name_or_path: { kind: 'string', nullable: false, allowed: 'a string', ignored: "the script does not use it: the 'model' channel, which every job of this pipeline has, wins; allowed: choose with channels.model instead" },
    num_train_epochs: integer(),
    learning_rate: { kind: 'float', nullable: false, allowed: 'a number' },
    fp16: { kind: 'boolean', nullable: false, allowed: 'true or false' },
    bf16: { kind: 'string', nullable: false, allowed: '"auto", "true" or "false"', pattern: '^\\s*([Aa][Uu][Tt][Oo]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*(?![\\s\\S])' },
    eval_strategy: { kind: 'string', nullable: false, allowed: 'one of "no", "steps", "epoch"', choices: ['no', 'steps', 'epoch'] },
    eval_steps: integer({ nullable: true, minimum: 1, allowed: 'an integer >= 1, or null' }),
    max_steps: integer({ minimum: -1, excluded: [0], allowed: 'an integer >= -1 and not 0' }),
    lang_code: { kind: 'string', nullable: true, allowed: 'a string, or null' },
  },
  hyperparameterRules: {
    rules: [
      { when: { fp16: { in: [true] }, bf16: { matches: '^\\s*[Tt][Rr][Uu][Ee]\\s*(?![\\s\\S])' } }, message: 'choose one precision' },
      { when: { eval_steps: { null: false } }, require: { eval_strategy: { in: ['steps'] } }, message: 'eval_steps needs eval_strategy steps' },
      { when: { max_steps: { in: [5] } }, message: 'five is refused' },
      { when: { lang_code: { given: true } }, require: { lang_code: { null: false } }, message: 'lang_code given empty' },
      { when: { max_steps: { notIn: [-1] }, num_train_epochs: { given: true } }, effect: 'note', message: 'num_train_epochs is not used' },
    ],
    scriptDefaults: { eval_strategy: 'epoch', max_steps: -1 },
  },
};

const run = (input) => prepare(event(input, { policy }));
function refused(input, ...expected) {
  let error;
  try { run(input); } catch (e) { error = e; }
  assert.ok(error, `expected InvalidInput for ${JSON.stringify(input)}`);
  assert.equal(error.name, 'InvalidInput', error.stack);
  for (const fragment of expected) assert.match(error.message, fragment);
  return error;
}
const tune = (ranges, hyperparameters = {}) => ({ mode: 'tune', hyperparameters, tuning: { ranges } });

test('a combination a rule forbids is refused, naming every value it reads', () => {
  refused({ hyperparameters: { fp16: true, bf16: ' TRUE ' } }, /\(1 problem\): hyperparameters\.fp16 = true, hyperparameters\.bf16 = " TRUE ": choose one precision$/);
  assert.equal(run({ hyperparameters: { fp16: true, bf16: 'auto' } }).mode, 'train');
  assert.equal(run({ hyperparameters: { fp16: false, bf16: 'true' } }).mode, 'train');
});

test('an unmet requirement is refused, and a name the request leaves out counts with the script\'s default', () => {
  refused({ hyperparameters: { eval_steps: 10 } },
    /hyperparameters\.eval_steps = 10, hyperparameters\.eval_strategy = "epoch" \(not set: the default\): eval_steps needs eval_strategy steps/);
  assert.equal(run({ hyperparameters: { eval_steps: 10, eval_strategy: 'steps' } }).mode, 'train');
  assert.equal(run({ hyperparameters: { eval_steps: null } }).mode, 'train');
});

test('an override refused on its own breaks no rule as the default it leaves in place', () => {
  const error = refused({ hyperparameters: { eval_steps: 10, eval_strategy: 'STEPS' } }, /hyperparameters\.eval_strategy: "STEPS" is not allowed/);
  assert.equal(error.problems.length, 1, error.message);
});

test('given: the request carries the name; an empty string of a nullable hyperparameter is null, as the script receives it', () => {
  refused({ hyperparameters: { lang_code: '' } }, /hyperparameters\.lang_code = null: lang_code given empty/);
  refused({ hyperparameters: { lang_code: null } }, /lang_code given empty/);
  assert.equal(run({ hyperparameters: { lang_code: 'de' } }).mode, 'train');
  assert.equal(run({}).mode, 'train');
});

test('a note rule lets the run go ahead and reports the values in summary.notes', () => {
  const { summary } = run({ hyperparameters: { max_steps: 20 } });
  assert.deepEqual(summary.notes, ['hyperparameters.max_steps = 20, hyperparameters.num_train_epochs = 3: num_train_epochs is not used']);
  assert.equal(run({}).summary.notes, undefined);
});

test('tuning: a rule broken by any value a categorical range can take is refused, naming that value and the range', () => {
  refused(tune({ fp16: { type: 'categorical', values: [false, true] } }, { bf16: 'true' }),
    /hyperparameters\.fp16 = true \(a value of tuning\.ranges\.fp16\), hyperparameters\.bf16 = "true": choose one precision/);
  assert.equal(run(tune({ fp16: { type: 'categorical', values: [false] } }, { bf16: 'true' })).mode, 'tune');
  refused(tune({ eval_strategy: { type: 'categorical', values: ['steps', 'epoch'] } }, { eval_steps: 50 }),
    /eval_steps = 50, hyperparameters\.eval_strategy = "epoch" \(a value of tuning\.ranges\.eval_strategy\): eval_steps needs/);
  assert.equal(run(tune({ eval_strategy: { type: 'categorical', values: ['steps'] } }, { eval_steps: 50 })).mode, 'tune');
});

test('tuning: a numeric range breaks a rule when it holds a number the rule names, or any number the rule does not', () => {
  assert.equal(run(tune({ max_steps: { type: 'integer', min: 1, max: 4 } })).mode, 'tune');
  refused(tune({ max_steps: { type: 'integer', min: 1, max: 10 } }), /hyperparameters\.max_steps = 5 \(a value of tuning\.ranges\.max_steps\): five is refused/);
  refused(tune({ eval_steps: { type: 'integer', min: 1, max: 100 } }), /eval_steps = 1 \(a value of tuning\.ranges\.eval_steps\), hyperparameters\.eval_strategy = "epoch" \(not set: the default\)/);
  assert.equal(run(tune({ eval_steps: { type: 'integer', min: 1, max: 100 } }, { eval_strategy: 'steps' })).mode, 'tune');
  // The tuned max_steps is never -1 here: the note is reported for the tuning run.
  assert.deepEqual(run(tune({ max_steps: { type: 'integer', min: 6, max: 9 } })).summary.notes,
    ['hyperparameters.max_steps = 6 (a value of tuning.ranges.max_steps), hyperparameters.num_train_epochs = 3: num_train_epochs is not used']);
});

test('a value the script would not use is refused as an override and as a tuning range, saying what to do instead', () => {
  refused({ hyperparameters: { model_name_or_path: 't5-base' } },
    /hyperparameters\.model_name_or_path: "t5-base" is not allowed; the script does not use it: the 'model' channel, which every job of this pipeline has, wins; allowed: choose with channels\.model instead/);
  refused(tune({ model_name_or_path: { type: 'categorical', values: ['t5-small', 't5-base'] } }),
    /tuning\.ranges\.model_name_or_path: not allowed; the script does not use it/);
});
