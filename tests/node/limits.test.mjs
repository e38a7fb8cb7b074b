// CloudFormation and Step Functions limits with room to grow: every stack of every environment stays under half of
// each limit. Prints a table and writes .test-results/limits.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listStacks } from './lib/cdk-out.mjs';
import { formatTable, measureStack, overHalf } from './lib/limits.mjs';
import { writeResult } from './lib/results.mjs';

test('every stack stays under half of each CloudFormation and state machine limit', (t) => {
  const measurements = listStacks().map(measureStack);
  t.diagnostic('\n' + formatTable(measurements));
  writeResult('limits.json', measurements);
  const problems = measurements.flatMap(overHalf);
  for (const p of problems) t.diagnostic(p);
  assert.equal(problems.length, 0, problems.join('\n'));
});
