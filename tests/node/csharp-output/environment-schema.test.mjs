// Differential test of environments/environment.schema.json against the C# loader: the schema is generated from the C#
// model and the loader evaluates it with JsonSchema.Net (.NET regular expressions), then checks the cross-field rules in
// C#. A JSON Schema validator nobody here wrote (Ajv 8, draft 2020-12, ECMAScript regular expressions, with ajv-formats'
// "email" as a second opinion on the addresses) must accept and reject the same files of the bad-input corpus. The C#
// tests (tests/HfSageMaker.Tests/BadInput) write each corpus file and the loader's verdict to
// $HF_TEST_RESULTS/environment-corpus/. Exceptions are the rules only C# checks, listed here by id with the reason a
// schema cannot state them; a file marked with one must be rejected by the loader and accepted by the schema (so the
// list stays exact).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { resultsDir } from '../lib/synthesized.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const directory = join(resultsDir, 'environment-corpus');
const verdictsFile = join(directory, 'verdicts.json');

/** Rules only the reader checks, and why the schema cannot. */
const CROSS_FIELD = {
  'name-equals-file': 'the name must equal the file name: a schema does not see the file name',
  'zones-of-region': 'zones must be letters in use in the file\'s region: depends on another field',
  'default-in-allowed': 'defaultInstanceType must be one of allowedInstanceTypes: depends on another field',
  'cidr-network-address': 'the CIDR must have no host bits set: arithmetic on the prefix length',
  'warm-pool-without-spot': 'warm pools only when spotByDefault is false: depends on another field',
  'checkpoints-outlive-jobs': 'checkpoint expiry of at least 2 x maxRuntimeHours: depends on another field',
  'parallel-at-most-total': 'maxParallelTuningJobs at most maxTuningJobs: depends on another field',
  'recipe-gpu-memory': 'a recipe\'s instance types need its GPU memory per GPU: a property of the recipe and of a table outside the file',
  'unique-ignoring-case': 'Studio users, emails and tag keys distinct ignoring case: uniqueItems compares exactly, and property names case-sensitively',
  'budget-cents': 'at most 2 decimals: multipleOf 0.01 is inexact in binary floating point',
  'tag-characters': 'keys and values at most 10000 UTF-8 bytes together: a sum over all properties',
  'unpaired-surrogates': 'an escaped lone surrogate is valid JSON (RFC 8259 section 8.2) that .NET cannot read as text; patterns see a code point',
  'approvers-of-account': 'the approvers are roles of the file\'s account: depends on another field',
  'approver-roles-distinct': 'one role name once, whatever its path and case (IAM role names are unique in an account and not distinguished by case): uniqueItems compares whole ARNs exactly',
  'sdk-tags-ascii': 'with studio.notebookJobs true the tags must be ASCII (the SDK defaults construct): depends on another field',
  encoding: 'strict UTF-8 without a byte-order mark: a schema validates parsed values, not bytes (checked below with Node\'s strict decoder)',
};

const verdicts = existsSync(verdictsFile) ? JSON.parse(readFileSync(verdictsFile, 'utf8')) : {};

/** What Node reads from the file: strict UTF-8 (fatal on invalid bytes, a BOM kept so JSON.parse sees it), then JSON. */
function readStrict(bytes) {
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  return JSON.parse(text);
}

const schema = JSON.parse(readFileSync(join(root, 'environments/environment.schema.json'), 'utf8'));
// Strict, except strictRequired: it cannot see properties of a $ref'd schema that Ajv does not inline, and Ajv inlines
// none holding a $ref of its own (ajv-validator/ajv#1767, "a feature, not a bug"; ajv lib/compile/resolve.ts inlineRef),
// as the training definition does (the shared instance-type list). The test below checks what it would.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
// VS Code's message keywords, which the C# adapter words its messages with: annotations for Ajv.
ajv.addKeyword('errorMessage');
ajv.addKeyword('patternErrorMessage');
addFormats(ajv, ['email']);
const validate = ajv.compile(schema);

test('the C# tests wrote the corpus and the reader\'s verdicts', () => {
  assert.ok(Object.keys(verdicts).length > 50, `no verdicts in ${verdictsFile}: run dotnet test first (scripts/test.sh does)`);
});

for (const [id, verdict] of Object.entries(verdicts)) {
  test(`environment corpus ${id}: schema and reader agree`, () => {
    const bytes = readFileSync(join(directory, `${id}.json`));
    if (verdict.crossField !== null) {
      assert.ok(verdict.crossField in CROSS_FIELD, `${id}: unknown cross-field rule ${verdict.crossField}`);
      assert.equal(verdict.accepted, false, `${id}: the reader must reject a file breaking ${verdict.crossField}`);
    }
    if (verdict.crossField === 'encoding') {
      // Not for the schema: Node's strict reading must refuse the bytes as the reader does.
      assert.throws(() => readStrict(bytes), `${id}: Node read a file the reader refuses for its encoding`);
      return;
    }
    let schemaAccepts;
    try {
      schemaAccepts = validate(readStrict(bytes));
    } catch {
      schemaAccepts = false; // not JSON: no validator accepts it
    }
    const detail = `reader: ${verdict.accepted ? 'accepts' : verdict.errors.join(' | ')}; schema: ${schemaAccepts ? 'accepts' : ajv.errorsText(validate.errors)}`;
    if (verdict.crossField !== null) {
      assert.equal(schemaAccepts, true, `${id}: marked ${verdict.crossField}, but the schema rejects it too: drop the mark. ${detail}`);
    } else {
      assert.equal(schemaAccepts, verdict.accepted, `${id}: ${detail}`);
    }
  });
}

test('the shipped environment files pass the schema', () => {
  for (const name of ['dev', 'staging', 'prod']) {
    const file = join(root, 'environments', `${name}.json`);
    assert.ok(validate(readStrict(readFileSync(file))), `${name}.json: ${ajv.errorsText(validate.errors)}`);
  }
});

test('every required key is a property of its object or of the definition it refers to (Ajv\'s strictRequired, through $ref)', () => {
  const at = (pointer) => pointer.slice(2).split('/').reduce((node, key) => node[key.replaceAll('~1', '/').replaceAll('~0', '~')], schema);
  const properties = (node) => ({ ...(node.$ref ? properties(at(node.$ref)) : {}), ...(node.properties ?? {}) });
  let checked = 0;
  (function walk(node, pointer) {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node.required)) {
      const defined = properties(node);
      for (const key of node.required) {
        assert.ok(key in defined, `${pointer || '#'}: required key ${key} is not a property`);
        checked += 1;
      }
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`);
  })(schema, '');
  assert.ok(checked > 20, `only ${checked} required keys found`);
});
