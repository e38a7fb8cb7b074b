// Contract between the synthesis side (C# HyperparameterEncoding, builder job-name rule) and the run-time side
// (PrepareRequest): the C# Orchestration tests write $HF_TEST_RESULTS/contract/encoding.json; the run-time encoder and
// name rule must give the same answers for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readResult, synthesizedDefinition } from '../lib/synthesized.mjs';
import { pythonJson } from '../../../constructs/Orchestration/runtime/encoding.mjs';
import { jobNameProblems, jobNameRule } from '../../../constructs/Orchestration/runtime/names.mjs';

function synthesizedPolicy() {
  return synthesizedDefinition('translation-pipeline.template.json').States.PrepareRequest.Parameters.Payload.policy;
}

const load = () => readResult('contract/encoding.json');

test('hyperparameter values encode identically at synthesis (C#) and at run time (PrepareRequest)', () => {
  const { hyperparameters } = load();
  assert.ok(hyperparameters.length >= 20);
  for (const { value, encoded } of hyperparameters) {
    assert.equal(pythonJson(value), encoded, `value ${JSON.stringify(value)}`);
  }
});

test('job names are accepted and refused identically under the rules the synthesized policy carries (63 and 32 characters)', () => {
  const { jobNames } = load();
  assert.ok(jobNames.length >= 10);
  const rules = synthesizedPolicy().jobNames;
  assert.deepEqual([rules.trainingMaxLength, rules.tuningMaxLength], [63, 32]);
  for (const { name, validTraining, validTuning } of jobNames) {
    assert.equal(jobNameProblems(name, jobNameRule(rules, false)).length === 0, validTraining, `training name ${JSON.stringify(name)}`);
    assert.equal(jobNameProblems(name, jobNameRule(rules, true)).length === 0, validTuning, `tuning name ${JSON.stringify(name)}`);
  }
});
