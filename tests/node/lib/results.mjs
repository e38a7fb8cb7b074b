// Writes machine-readable check results next to the test results (HF_TEST_RESULTS, default .test-results).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `name` (JSON) into the results directory and returns its path. */
export function writeResult(name, data) {
  const dir = path.resolve(process.env.HF_TEST_RESULTS || '.test-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}
