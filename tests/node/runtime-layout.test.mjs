// The PrepareRequest function's code (constructs/Orchestration/runtime/): small ES modules that hold no SageMaker
// tables. What a run-time choice changes comes in the policy C# computes at synthesis, so no module names an instance
// type or family (constructs/Training/Catalog/instance-types.json is their one home).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const runtime = path.join(root, 'constructs', 'Orchestration', 'runtime');
const files = readdirSync(runtime).filter((f) => f.endsWith('.mjs')).sort();
const catalog = JSON.parse(readFileSync(path.join(root, 'constructs', 'Training', 'Catalog', 'instance-types.json'), 'utf8'));

test('the function is several modules, none over 400 lines, and the entry point imports only its siblings and node:', () => {
  assert.ok(files.length >= 6, files.join(', '));
  for (const file of files) {
    const text = readFileSync(path.join(runtime, file), 'utf8');
    assert.ok(text.split('\n').length <= 400, `${file}: ${text.split('\n').length} lines`);
    for (const [, spec] of text.matchAll(/^import .* from '([^']+)';$/gm)) {
      assert.ok(spec.startsWith('./') || spec.startsWith('node:'), `${file} imports ${spec}`);
      if (spec.startsWith('./')) assert.ok(files.includes(spec.slice(2)), `${file} imports ${spec}, which is not in the folder`);
    }
  }
  assert.ok(files.includes('prepare-request.mjs'));
});

test('no module names an instance type or an instance family of the catalog', () => {
  const families = [...new Set(catalog.instanceTypes.map((t) => t.family))];
  assert.ok(families.length > 40);
  const word = new RegExp(`(?<![A-Za-z0-9_-])(?:ml\\.[a-z0-9-]+|${families.map((f) => f.replace(/-/g, '\\-')).join('|')})(?![A-Za-z0-9_-])`, 'g');
  const found = files.flatMap((file) => [...readFileSync(path.join(runtime, file), 'utf8').matchAll(word)].map((m) => `${file}: ${m[0]}`));
  assert.deepEqual(found, []);
});
