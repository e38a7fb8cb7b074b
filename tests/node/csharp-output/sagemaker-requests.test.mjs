// Every SageMaker request the C# tests built (dumped by tests/HfSageMaker.Tests/Training into
// $HF_TEST_RESULTS/requests/<name>.json as { operation, request }) must validate against the API model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateRequest } from '../lib/sagemaker-api-model.mjs';
import { resultsDir } from '../lib/synthesized.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const directory = join(resultsDir, 'requests');
const files = existsSync(directory) ? readdirSync(directory).filter((f) => f.endsWith('.json')).sort() : [];

test('the C# tests dumped SageMaker requests to validate', () => {
  assert.ok(files.length > 0, `no request files in ${directory}: run dotnet test first (scripts/test.sh does)`);
});

for (const file of files) {
  test(`request ${file} validates against the SageMaker API model`, () => {
    const { operation, request } = JSON.parse(readFileSync(join(directory, file), 'utf8'));
    assert.ok(typeof operation === 'string' && request, `${file}: expected { operation, request }`);
    assert.deepEqual(validateRequest(operation, request), []);
  });
}
