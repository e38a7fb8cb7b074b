// Patterns of the Node run-time code: without the m flag, JavaScript's $ is the end of input (ECMA-262
// 22.2.2.6 Assertion), so "abc\n" does not match /^abc$/. Every regex literal of the run-time functions is checked for
// the m flag, and the patterns that guard SageMaker names are exercised with a trailing newline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { prepare } from '../../constructs/Orchestration/runtime/prepare-request.mjs';
import { jobNameRule } from '../../constructs/Orchestration/runtime/names.mjs';
import { specProblem } from '../../constructs/Orchestration/runtime/values.mjs';
import { policy, trainingDefaults } from './state-machine/fixtures.mjs';

const root = path.resolve(import.meta.dirname, '../..');

function runtimeFiles(dir = path.join(root, 'constructs')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return ['bin', 'obj', 'node_modules'].includes(e.name) ? [] : runtimeFiles(full);
    return /\.(mjs|cjs|js)$/.test(e.name) ? [full] : [];
  });
}

test('no regex literal of the run-time code uses the m flag (with it, $ would match before a newline)', () => {
  const files = runtimeFiles();
  assert.ok(files.length > 0);
  const offenders = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // A regex literal: /.../flags after an operator, ( , = : [ ! & | ? { } ; or return.
    for (const m of text.matchAll(/(?:^|[=(,:[!&|?{};]|return)\s*\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+)\/([a-z]*)/gm)) {
      if (m[2].includes('m')) offenders.push(`${path.relative(root, file)}: /${m[1]}/${m[2]}`);
    }
    if (/new RegExp\([^)]*['"`][a-z]*m[a-z]*['"`]\s*\)/.test(text)) offenders.push(`${path.relative(root, file)}: new RegExp(..., 'm')`);
  }
  assert.deepEqual(offenders, []);
});

test('a job name or hyperparameter value ending in a newline is refused', () => {
  const { pattern } = jobNameRule(policy.jobNames, false);
  assert.equal(pattern.test('hf-translate-run\n'), false);
  assert.equal(pattern.test('hf-translate-run'), true);
  assert.throws(() => prepare({ input: { jobName: 'hf-translate-run\n' }, defaults: { training: trainingDefaults(), tuning: null }, policy, executionName: 'x' }), /jobName/);
  assert.throws(() => prepare({ input: { hyperparameters: { 'learning_rate\n': 0.1 } }, defaults: { training: trainingDefaults(), tuning: null }, policy, executionName: 'x' }), /not a valid hyperparameter name/);
  assert.ok(specProblem('epoch\n', { kind: 'string', nullable: false, choices: ['epoch'], allowed: 'one of "epoch"' }));
});
