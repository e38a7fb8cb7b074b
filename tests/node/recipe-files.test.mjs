// The recipe folder format (training-scripts/recipe.schema.json, training-scripts/hyperparameters.schema.json) checked
// by a validator nobody here wrote: Ajv in strict mode compiles both schemas, every shipped recipe folder matches them,
// and documents that break a rule the formats state in words are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

const scripts = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'training-scripts');
const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validRecipe = ajv.compile(read(join(scripts, 'recipe.schema.json')));
const validContract = ajv.compile(read(join(scripts, 'hyperparameters.schema.json')));
const recipes = readdirSync(scripts).filter((d) => existsSync(join(scripts, d, 'recipe.json'))).sort();

test('both shipped recipes are folders with a recipe.json', () => {
  assert.deepEqual(recipes, ['llm-sft', 'translation']);
});

for (const recipe of recipes) {
  test(`${recipe}: recipe.json and hyperparameters.json match their schemas`, () => {
    assert.ok(validRecipe(read(join(scripts, recipe, 'recipe.json'))), JSON.stringify(validRecipe.errors));
    assert.ok(validContract(read(join(scripts, recipe, 'hyperparameters.json'))), JSON.stringify(validContract.errors));
  });

  test(`${recipe}: every tuning range names a hyperparameter and the objective a metric of the folder`, () => {
    const data = read(join(scripts, recipe, 'recipe.json'));
    const names = Object.keys(read(join(scripts, recipe, 'hyperparameters.json')).hyperparameters);
    for (const range of Object.keys(data.tuning.ranges)) assert.ok(names.includes(range), range);
    const metrics = read(join(scripts, recipe, 'metric_definitions.json')).map((m) => m.Name);
    assert.ok(metrics.includes(data.tuning.objective.metric), data.tuning.objective.metric);
  });
}

test('the contract schema refuses what its descriptions rule out', () => {
  const entry = (extra) => ({ hyperparameters: { x: { kind: 'integer', default: 1, help: 'h', ...extra } } });
  const refused = {
    'an integer default of 1.5': entry({ default: 1.5 }),
    'a null default without nullable': entry({ default: null }),
    'bounds on a string': entry({ kind: 'string', default: 'a', minimum: 1 }),
    'choices on a number': entry({ choices: ['1'] }),
    'a pipeline default on a non-boolean': entry({ pipelineDefault: 'networkIsolation' }),
    'a pattern meaning without a pattern': entry({ kind: 'string', default: 'a', patternMeaning: 'words' }),
    'an unknown field': entry({ secret: true }),
    'a SageMaker key': { hyperparameters: { sagemaker_program: { kind: 'string', default: 'a', help: 'h' } } },
    'checkpoint_dir, a script argument': { hyperparameters: { checkpoint_dir: { kind: 'string', default: '', help: 'h' } } },
  };
  for (const [what, document] of Object.entries(refused)) assert.equal(validContract(document), false, what);
  assert.ok(validContract(entry({ nullable: true, default: null, minimum: 1 })), JSON.stringify(validContract.errors));
});

test('the recipe schema refuses what its descriptions rule out', () => {
  const base = read(join(scripts, 'llm-sft', 'recipe.json'));
  const variant = (change) => change(structuredClone(base));
  const refused = {
    'a short name of 10 characters': variant((r) => { r.shortName = 'abcdefghij'; return r; }),
    'a short name ending in a newline': variant((r) => { r.shortName = 'llmsft\n'; return r; }),
    'a data prefix without its slash': variant((r) => { r.dataPrefixes.train = 'llm-sft/train'; return r; }),
    'a categorical range with min': variant((r) => { r.tuning.ranges.lora_r.min = 1; return r; }),
    'an integer range with a fractional bound': variant((r) => { r.tuning.ranges.lora_r = { type: 'integer', min: 8, max: 64.5 }; return r; }),
    'an unknown section': variant((r) => { r.inference = {}; return r; }),
  };
  for (const [what, document] of Object.entries(refused)) assert.equal(validRecipe(document), false, what);
});
