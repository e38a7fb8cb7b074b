// Unit tests of two parts of a recipe's contract that PrepareRequest reads from the policy: a string hyperparameter's
// vocabulary (the spellings of its words, from training-scripts/hf_recipe/vocabularies.json, read here as C# embeds
// it) and the values that need a GPU with native bfloat16 (needsNativeBf16), refused on an instance type the policy
// marks nativeBf16 false (the instance-type catalog, at synthesis). The recipes' own declarations are replayed against
// the scripts' parsers in tests/node/csharp-output/hyperparameter-contract.test.mjs and executed in
// tests/node/csharp-output/executions.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { event, policy as basePolicy } from './fixtures.mjs';

const file = JSON.parse(readFileSync(new URL('../../../training-scripts/hf_recipe/vocabularies.json', import.meta.url), 'utf8'));
// As C# HyperparameterVocabulary.ToJson writes it.
const vocabulary = (name) => ({
  name, words: file.vocabularies[name], spellings: Object.fromEntries(file.vocabularies[name].map((w) => [w, file.words[w]])), blanks: file.blanks,
});
const ALLOWED = '"auto", "true" or "false" (any case; "yes" or "1" for "true", "no" or "0" for "false")';
const quotaNames = { onDemand: 'q', spot: 'q' };
const policy = {
  ...basePolicy,
  instanceTypes: { ...basePolicy.instanceTypes, 'ml.p3.2xlarge': { quotaNames, nativeBf16: false } },
  hyperparameters: {
    model_name_or_path: { kind: 'string', nullable: false, allowed: 'a string' },
    num_train_epochs: { kind: 'integer', nullable: false, allowed: 'an integer' },
    learning_rate: { kind: 'float', nullable: false, allowed: 'a number' },
    fp16: { kind: 'boolean', nullable: false, allowed: 'true or false' },
    bf16: { kind: 'string', nullable: false, allowed: ALLOWED, vocabulary: vocabulary('autoBoolean'), needsNativeBf16: ['true'] },
  },
  hyperparameterRules: { rules: [{ when: { fp16: { in: [true] }, bf16: { in: ['true'] } }, message: 'choose one precision' }] },
};

const run = (input, p = policy) => prepare(event(input, { policy: p }));
function refused(input, ...expected) {
  let error;
  try { run(input); } catch (e) { error = e; }
  assert.equal(error?.name, 'InvalidInput', `expected InvalidInput for ${JSON.stringify(input)}: ${error?.stack}`);
  for (const fragment of expected) assert.match(error.message, fragment);
  return error;
}

test('a vocabulary string takes every spelling of its words, in any case with blanks around, and is sent as given', () => {
  for (const word of file.vocabularies.autoBoolean) {
    for (const spelling of file.words[word]) {
      for (const given of [spelling, spelling.toUpperCase(), ` ${spelling}\t`]) {
        assert.equal(run({ hyperparameters: { bf16: given } }).request.HyperParameters.bf16, JSON.stringify(given), given);
      }
    }
  }
});

test('any other string or kind is refused, naming every word and spelling', () => {
  for (const value of ['maybe', '', 'tru e', '\u00a0true', 'yes!', true, 1, null]) {
    const error = refused({ hyperparameters: { bf16: value } });
    assert.equal(error.problems[0], `hyperparameters.bf16: ${JSON.stringify(value)} is not allowed; allowed: ${ALLOWED}`);
  }
});

test('rules compare the word a value spells', () => {
  refused({ hyperparameters: { fp16: true, bf16: ' YES ' } }, /hyperparameters\.fp16 = true, hyperparameters\.bf16 = "true": choose one precision/);
  assert.equal(run({ hyperparameters: { fp16: true, bf16: 'No' } }).mode, 'train');
});

test('bf16 true on a type without native bfloat16 is refused before any job, saying what to do', () => {
  const error = refused({ instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16: 'true' } });
  assert.deepEqual(error.problems, [
    'hyperparameters.bf16 = "true": needs a GPU that computes in bfloat16 natively, and instanceType "ml.p3.2xlarge" has none; '
    + 'allowed: bf16 "auto" or "false", or an instanceType whose GPU has it (ml.g5.2xlarge, ml.g5.12xlarge)',
  ]);
  refused({ instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16: ' Yes' } }, /hyperparameters\.bf16 = " Yes": needs a GPU that computes in bfloat16 natively/);
  for (const bf16 of ['auto', 'false', '0']) assert.equal(run({ instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16 } }).mode, 'train', bf16);
  assert.equal(run({ instanceType: 'ml.g5.2xlarge', hyperparameters: { bf16: 'true' } }).mode, 'train');
});

test('the check reads the effective values: the recipe\'s bf16 on a run\'s type, a run\'s bf16 on the recipe\'s type', () => {
  const ev = event({ instanceType: 'ml.p3.2xlarge' }, { policy });
  ev.defaults.training.HyperParameters.bf16 = '"true"';
  assert.throws(() => prepare(ev), /hyperparameters\.bf16 = "true" \(the recipe's\): needs a GPU .* and instanceType "ml\.p3\.2xlarge" has none/);
  const onP3 = event({ hyperparameters: { bf16: 'true' } }, { policy });
  onP3.defaults.training.ResourceConfig.InstanceType = 'ml.p3.2xlarge';
  assert.throws(() => prepare(onP3), /hyperparameters\.bf16 = "true": needs .* and instanceType "ml\.p3\.2xlarge" \(the recipe's\) has none/);
  // Not set at all: the script's default, which the policy carries for such a name.
  const unset = structuredClone(policy);
  unset.hyperparameters.bf16.scriptDefault = 'true';
  assert.throws(() => run({ instanceType: 'ml.p3.2xlarge' }, unset), /hyperparameters\.bf16 = "true" \(not set: the default\): needs/);
  assert.equal(run({ instanceType: 'ml.p3.2xlarge' }).mode, 'train');
});

test('tuning: a range that can take bf16 true is refused on such a type, whatever it takes besides', () => {
  const tune = (values, instanceType) => ({ mode: 'tune', instanceType, tuning: { ranges: { bf16: { type: 'categorical', values } } } });
  refused(tune(['auto', 'TRUE'], 'ml.p3.2xlarge'), /tuning\.ranges\.bf16: "true" \(a value of its range\): needs a GPU that computes in bfloat16 natively, and instanceType "ml\.p3\.2xlarge" has none/);
  assert.equal(run(tune(['auto', 'false'], 'ml.p3.2xlarge')).mode, 'tune');
  assert.equal(run(tune(['auto', 'true'], 'ml.g5.2xlarge')).mode, 'tune');
});

test('a declaration without needsNativeBf16, or a type the policy does not mark, is not checked', () => {
  const plain = structuredClone(policy);
  delete plain.hyperparameters.bf16.needsNativeBf16;
  assert.equal(run({ instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16: 'true' } }, plain).mode, 'train');
  const unmarked = structuredClone(policy);
  delete unmarked.instanceTypes['ml.p3.2xlarge'].nativeBf16;
  assert.equal(run({ instanceType: 'ml.p3.2xlarge', hyperparameters: { bf16: 'true' } }, unmarked).mode, 'train');
});
