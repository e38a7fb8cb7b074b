// Contract between the synthesis side (C# HyperparameterEncoding, builder job-name rule) and the run-time side
// (PrepareRequest): the C# Orchestration tests write $HF_TEST_RESULTS/contract/encoding.json; the run-time encoder and
// name rule must give the same answers for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pythonJson, jobNameProblems } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';

const results = process.env.HF_TEST_RESULTS ?? path.resolve(import.meta.dirname, '../../../.test-results');
const file = path.join(results, 'contract', 'encoding.json');

function load() {
  assert.ok(existsSync(file), `${file} is missing: run the C# Orchestration tests first (scripts/test.sh does)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

test('hyperparameter values encode identically at synthesis (C#) and at run time (PrepareRequest)', () => {
  const { hyperparameters } = load();
  assert.ok(hyperparameters.length >= 20);
  for (const { value, encoded } of hyperparameters) {
    assert.equal(pythonJson(value), encoded, `value ${JSON.stringify(value)}`);
  }
});

test('job names are accepted and refused identically (training: 63, tuning: 32 characters)', () => {
  const { jobNames } = load();
  assert.ok(jobNames.length >= 10);
  for (const { name, validTraining, validTuning } of jobNames) {
    assert.equal(jobNameProblems(name, 63).length === 0, validTraining, `training name ${JSON.stringify(name)}`);
    assert.equal(jobNameProblems(name, 32).length === 0, validTuning, `tuning name ${JSON.stringify(name)}`);
  }
});
