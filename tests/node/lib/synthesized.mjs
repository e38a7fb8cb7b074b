// Reads what the C# tests wrote under $HF_TEST_RESULTS (default .test-results): the Node tests in csharp-output/ run
// after them (scripts/test.sh orders the phases) and check the synthesized output with tools nobody here wrote.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stateMachineDefinitions } from './intrinsics.mjs';

export const resultsDir = process.env.HF_TEST_RESULTS ?? path.resolve(import.meta.dirname, '../../../.test-results');

/** A JSON file the C# tests wrote, by its path inside the results folder; fails with what to run when it is missing. */
export function readResult(relativePath) {
  const file = path.join(resultsDir, relativePath);
  assert.ok(existsSync(file), `${file} is missing: run the C# tests first (scripts/test.sh does)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The state machine definitions (parsed) of a template under state-machines/, with the template's intrinsic functions
 * rendered for a fixed stack, account and region.
 */
export function synthesizedDefinitions(templateName, stackName = 'PipelineTest') {
  const template = readResult(path.join('state-machines', templateName));
  const machines = stateMachineDefinitions(template, { stackName, account: '111122223333', region: 'eu-west-1' });
  assert.ok(machines.length > 0 && machines.every((m) => m?.text), `no renderable state machine in ${templateName}: ${JSON.stringify(machines)}`);
  return machines.map((m) => JSON.parse(m.text));
}

/** The one state machine definition of a template under state-machines/ (the pipeline tests write one per recipe). */
export function synthesizedDefinition(templateName) {
  return synthesizedDefinitions(templateName)[0];
}
