// Contract test (issue 12): for every recipe, PrepareRequest's enforcement of the declared hyperparameter types
// (C# HyperparameterSpec, embedded in the policy) and the recipe script's own parser (args.parse_args, run by Python
// on the argv the SageMaker training toolkit builds) give the same verdict on one table of probe values. The C# tests
// write each recipe's declarations and default request to $HF_TEST_RESULTS/hyperparameter-contract/<recipe>.json.
//
// The one allowed asymmetry: the toolkit hands the script strings only, so the script also reads a value of another
// JSON kind ("3" for an integer, "true" for a boolean); PrepareRequest requires the declared JSON kind. For probes of
// the declared kind the verdicts must be equal; for the others, whatever PrepareRequest accepts the script must accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { encodeHyperparameter } from '../../../constructs/Orchestration/runtime/encoding.mjs';
import { policy as basePolicy } from '../state-machine/fixtures.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const directory = path.join(process.env.HF_TEST_RESULTS ?? path.join(root, '.test-results'), 'hyperparameter-contract');
const files = existsSync(directory) ? readdirSync(directory).filter((f) => f.endsWith('.json')).sort() : [];
const driver = path.join(root, 'tests/node/lib/parse_hyperparameters.py');

/** Probe values per declared kind, plus each declaration's own bounds and choices (and one step past them). */
const PROBES = {
  integer: [0, 1, -1, 3, 128, 2.5, 1.5e-7, 1e3, 2147483648, null, 'many', '3', '', true, false, [1], { n: 1 }],
  float: [0, 1, -1, 2.5, 5e-5, 3, 1e-12, 1e300, null, 'abc', '1e-5', '', true, [0.1]],
  boolean: [true, false, null, 'true', 'True', 'yes', 1, 0, '', [true]],
  string: ['', 'en', 'x y', 'epoch', 'steps', 'no', 'None', 'cosine', null, 3, 2.5, true, ['en'], { a: 'b' }],
};

function probesFor(spec) {
  const values = [...PROBES[spec.kind]];
  for (const bound of [spec.minimum, spec.exclusiveMinimum, spec.maximum]) {
    if (typeof bound === 'number') values.push(bound, bound - 1, bound + 1, bound - 0.5, bound + 0.5);
  }
  for (const choice of spec.choices ?? []) values.push(choice, choice.toUpperCase(), `${choice} `);
  return values;
}

const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const declaredKind = (spec, value) => {
  const kind = kindOf(value);
  if (kind === 'null') return spec.nullable; // null is of the declared kind only where it is declared
  return spec.kind === 'integer' || spec.kind === 'float' ? kind === 'number' : kind === spec.kind;
};

/** The fixture policy (shaped as C# writes it) for the recipe's default type and declarations. */
function policyFor(recipe, jobNamePrefix) {
  const type = recipe.defaults.training.ResourceConfig.InstanceType;
  return { ...basePolicy, jobNamePrefix, instanceTypes: { [type]: { quotaNames: {} } }, instanceCount: { max: 1 }, hyperparameters: recipe.declarations };
}

test('the C# tests wrote the recipes\' hyperparameter declarations', () => {
  assert.ok(files.length > 0, `no declarations in ${directory}: run dotnet test first (scripts/test.sh does)`);
});

for (const file of files) {
  const recipe = JSON.parse(readFileSync(path.join(directory, file), 'utf8'));
  const policy = policyFor(recipe, 'hf-contract');
  const cases = [];
  for (const [name, spec] of Object.entries(recipe.declarations)) {
    probesFor(spec).forEach((value, i) => {
      const id = `${name}#${i}`;
      let accepted; let hyperparameters; let problem = null;
      try {
        const result = prepare({ input: { hyperparameters: { [name]: value } }, defaults: { training: recipe.defaults.training, tuning: null }, policy, executionName: 'contract' });
        accepted = true;
        hyperparameters = result.request.HyperParameters; // exactly what SageMaker would receive
      } catch (e) {
        assert.equal(e.name, 'InvalidInput', `${id}: ${e.stack}`);
        accepted = false;
        problem = e.message;
        let encoded;
        try { encoded = encodeHyperparameter(value); } catch { return; } // not JSON-encodable: nothing could be sent
        hyperparameters = { ...recipe.defaults.training.HyperParameters, [name]: encoded };
      }
      cases.push({ id, name, value, spec, accepted, problem, hyperparameters });
    });
  }

  test(`${recipe.recipe}: PrepareRequest and the script's parser agree on every probe of every declared hyperparameter`, () => {
    const run = spawnSync('python3', [driver], {
      input: JSON.stringify({ scriptDirectory: recipe.scriptDirectory, cases: cases.map(({ id, hyperparameters }) => ({ id, hyperparameters })) }),
      encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    const script = JSON.parse(run.stdout);
    const disagreements = [];
    for (const c of cases) {
      const parsed = script[c.id];
      const exact = declaredKind(c.spec, c.value);
      if (c.accepted && !parsed.accepted) {
        disagreements.push(`${c.name} = ${JSON.stringify(c.value)}: PrepareRequest accepts, the script refuses: ${parsed.error}`);
      } else if (exact && !c.accepted && parsed.accepted) {
        disagreements.push(`${c.name} = ${JSON.stringify(c.value)}: the script accepts, PrepareRequest refuses: ${c.problem}`);
      }
    }
    assert.deepEqual(disagreements, []);
    assert.ok(cases.length > 200, `only ${cases.length} probes`);
  });
}

test('the issue\'s examples: an integer of 2.5 and an optional integer of "many" are refused before any job', () => {
  const [file] = files;
  assert.ok(file);
  const recipe = JSON.parse(readFileSync(path.join(directory, 'translation.json'), 'utf8'));
  const policy = policyFor(recipe, 'hf-translate');
  const attempt = (hyperparameters) => () => prepare({ input: { hyperparameters }, defaults: { training: recipe.defaults.training, tuning: null }, policy, executionName: 'x' });
  assert.throws(attempt({ num_beams: 2.5 }), /hyperparameters\.num_beams: 2\.5 is not allowed; allowed: an integer, or null/);
  assert.throws(attempt({ max_train_samples: 'many' }), /hyperparameters\.max_train_samples: "many" is not allowed; allowed: an integer >= 1, or null/);
  assert.throws(attempt({ per_device_train_batch_size: 2.5 }), /an integer >= 1/);
  assert.doesNotThrow(attempt({ max_train_samples: null, num_beams: 4, eval_strategy: 'steps', eval_steps: 100 }));
});
