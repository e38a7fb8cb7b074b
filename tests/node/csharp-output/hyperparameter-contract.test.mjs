// Contract test: for every recipe, PrepareRequest's enforcement of the recipe's hyperparameters.json (read by C# into
// HyperparameterSpecs and HyperparameterRules, embedded in the policy) and the recipe script's own parser
// (args.parse_args, which reads the same file; run by Python from the recipe's sourcedir.tar.gz on the argv the
// SageMaker training toolkit builds) give the same verdict on probe values: the two evaluators of one file agree, on
// each hyperparameter's bounds and on the cross-field rules (refusals and notes). The C# tests write each recipe's
// declarations, rules, default request and archive to $HF_TEST_RESULTS/hyperparameter-contract/<recipe>.{json,tar.gz}.
//
// The one allowed asymmetry: the toolkit hands the script strings only, so the script also reads a value of another
// JSON kind ("3" for an integer, "true" for a boolean); PrepareRequest requires the declared JSON kind. For probes of
// the declared kind the verdicts must be equal; for the others, whatever PrepareRequest accepts the script must accept.
// A hyperparameter the pipeline marks ignored (the script would not use a run's value) is refused by PrepareRequest
// whatever the value: its bounds are compared without the mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { encodeHyperparameter } from '../../../constructs/Orchestration/runtime/encoding.mjs';
import { policy as basePolicy } from '../state-machine/fixtures.mjs';
import { resultsDir } from '../lib/synthesized.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const directory = path.join(resultsDir, 'hyperparameter-contract');
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
  // A vocabulary's spellings in other cases and with blanks around (those the vocabulary names, and others it does not).
  for (const spelling of Object.values(spec.vocabulary?.spellings ?? {}).flat()) {
    values.push(spelling, spelling.toUpperCase(), ` ${spelling}\t`, `\n${spelling}\r`, `\u00a0${spelling}`, `${spelling}\u2028`, `${spelling}.`, `${spelling}${spelling}`);
  }
  return values;
}

const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const declaredKind = (spec, value) => {
  const kind = kindOf(value);
  if (kind === 'null') return spec.nullable; // null is of the declared kind only where it is declared
  return spec.kind === 'integer' || spec.kind === 'float' ? kind === 'number' : kind === spec.kind;
};

/** The declarations without the ignored marks: what the script's table accepts. */
const bounds = (declarations) => Object.fromEntries(Object.entries(declarations).map(([name, { ignored, ...spec }]) => [name, spec]));

/** The fixture policy (shaped as C# writes it) for the recipe's default type, declarations and (unless off) rules. */
function policyFor(recipe, jobNamePrefix, { declarations = recipe.declarations, rules = true } = {}) {
  const type = recipe.defaults.training.ResourceConfig.InstanceType;
  return {
    ...basePolicy, jobNamePrefix, instanceTypes: { [type]: { quotaNames: {} } }, instanceCount: { max: 1 }, hyperparameters: declarations,
    ...(rules && recipe.hyperparameterRules ? { hyperparameterRules: recipe.hyperparameterRules } : {}),
  };
}

/** PrepareRequest on `hyperparameters`: { accepted, problem, notes, hyperparameters (what SageMaker would receive) }. */
function runPrepare(recipe, policy, hyperparameters) {
  try {
    const result = prepare({ input: { hyperparameters }, defaults: { training: recipe.defaults.training, tuning: null }, policy, executionName: 'contract' });
    return { accepted: true, notes: (result.summary.notes ?? []).filter((n) => n.startsWith('hyperparameters.')), hyperparameters: result.request.HyperParameters };
  } catch (e) {
    assert.equal(e.name, 'InvalidInput', e.stack);
    const encoded = {};
    for (const [name, value] of Object.entries(hyperparameters)) {
      try { encoded[name] = encodeHyperparameter(value); } catch { return null; } // not JSON-encodable: nothing could be sent
    }
    return { accepted: false, problem: e.message, notes: [], hyperparameters: { ...recipe.defaults.training.HyperParameters, ...encoded } };
  }
}

/** The script's verdicts on `cases` ({ id, hyperparameters, rules }). */
function runParser(recipe, cases) {
  const run = spawnSync('python3', [driver], {
    input: JSON.stringify({ archive: recipe.archive, cases: cases.map(({ id, hyperparameters, rules }) => ({ id, hyperparameters, rules })) }),
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const ABSENT = Symbol('not set');
// Words a string test of a rule (a pattern such as bf16's) tells apart, besides the hyperparameter's choices.
const WORDS = ['true', ' TRUE ', 'yes', '1', 'auto', 'false', 'no', '0', 'x', ''];

/** The values a rule's probes give `name`: not set, every value its tests name, and values of its declared kind. */
function ruleValues(name, spec, rule) {
  const named = [rule.when[name], rule.require?.[name]].filter(Boolean).flatMap((t) => [...(t.in ?? []), ...(t.notIn ?? [])]);
  const kind = { boolean: [true, false], integer: [-1, 1, 100], float: [0.5, 3], string: spec.choices ?? WORDS }[spec.kind];
  const values = [...named, ...kind, ...(spec.nullable ? [null] : [])].filter((v) => v !== null || spec.nullable);
  return [ABSENT, ...new Set(values)];
}

/** Every combination of the rule's names' values, as execution inputs. */
function combinations(entries) {
  if (entries.length === 0) return [{}];
  const [[name, values], ...rest] = entries;
  return combinations(rest).flatMap((tail) => values.map((v) => (v === ABSENT ? { ...tail } : { [name]: v, ...tail })));
}

test('the C# tests wrote the recipes\' hyperparameter declarations', () => {
  assert.ok(files.length > 0, `no declarations in ${directory}: run dotnet test first (scripts/test.sh does)`);
});

for (const file of files) {
  const recipe = JSON.parse(readFileSync(path.join(directory, file), 'utf8'));
  // Bounds: one hyperparameter at a time, without the rules (a rule over another name would refuse most probes).
  const policy = policyFor(recipe, 'hf-contract', { declarations: bounds(recipe.declarations), rules: false });
  const cases = [];
  for (const [name, spec] of Object.entries(bounds(recipe.declarations))) {
    probesFor(spec).forEach((value, i) => {
      const outcome = runPrepare(recipe, policy, { [name]: value });
      if (outcome) cases.push({ id: `${name}#${i}`, name, value, spec, rules: false, ...outcome });
    });
  }

  test(`${recipe.recipe}: PrepareRequest and the script's parser agree on every probe of every declared hyperparameter`, () => {
    const script = runParser(recipe, cases);
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

  const rules = recipe.hyperparameterRules?.rules ?? [];
  test(`${recipe.recipe}: PrepareRequest and the script's parser agree on every combination each cross-field rule reads`, () => {
    assert.ok(rules.length > 0, 'the recipe has no rules');
    const full = policyFor(recipe, 'hf-contract', { declarations: bounds(recipe.declarations) });
    const ruleCases = [];
    rules.forEach((rule, r) => {
      const names = [...new Set([...Object.keys(rule.when), ...Object.keys(rule.require ?? {})])];
      const inputs = combinations(names.map((n) => [n, ruleValues(n, recipe.declarations[n], rule)]));
      inputs.forEach((hyperparameters, i) => {
        const outcome = runPrepare(recipe, full, hyperparameters);
        if (outcome) ruleCases.push({ id: `rule${r}#${i}`, rule, input: hyperparameters, rules: true, ...outcome });
      });
    });
    const script = runParser(recipe, ruleCases);
    const disagreements = [];
    for (const c of ruleCases) {
      const parsed = script[c.id];
      if (c.accepted !== parsed.accepted) {
        disagreements.push(`${JSON.stringify(c.input)}: PrepareRequest ${c.accepted ? 'accepts' : `refuses (${c.problem})`}, the script ${parsed.accepted ? 'accepts' : `refuses (${parsed.error})`}`);
      }
      // The same notes: each rule of effect note, by its message, noted by both or by neither.
      for (const rule of rules.filter((x) => x.effect === 'note')) {
        const ours = c.notes.some((n) => n.endsWith(`: ${rule.message}`));
        const theirs = parsed.notes.some((n) => n.endsWith(`: ${rule.message}`));
        if (c.accepted && ours !== theirs) disagreements.push(`${JSON.stringify(c.input)}: note "${rule.message}": PrepareRequest ${ours}, the script ${theirs}`);
      }
    }
    assert.deepEqual(disagreements, []);
    // Each rule is exercised both ways, so the agreement above is about the rule, not about values refused on their own.
    for (const rule of rules) {
      const mine = ruleCases.filter((c) => c.rule === rule);
      const hit = rule.effect === 'note'
        ? mine.some((c) => c.notes.some((n) => n.endsWith(`: ${rule.message}`)))
        : mine.some((c) => !c.accepted && c.problem.includes(`: ${rule.message}`));
      assert.ok(hit, `no probe breaks the rule "${rule.message}"`);
      assert.ok(mine.some((c) => c.accepted), `no probe satisfies the rule "${rule.message}"`);
    }
  });

  test(`${recipe.recipe}: a value the script would not use is refused by PrepareRequest, naming why`, () => {
    const ignored = Object.entries(recipe.declarations).filter(([, spec]) => spec.ignored !== undefined);
    assert.ok(ignored.some(([name]) => name === 'model_name_or_path'), 'model_name_or_path is not marked ignored (every job has a model channel)');
    const marked = policyFor(recipe, 'hf-contract');
    for (const [name, spec] of ignored) {
      for (const value of probesFor(bounds({ [name]: spec })[name])) {
        const outcome = runPrepare(recipe, marked, { [name]: value });
        assert.equal(outcome?.accepted ?? false, false, `${name} = ${JSON.stringify(value)} accepted`);
        if (outcome) assert.ok(outcome.problem.includes(`hyperparameters.${name}: ${JSON.stringify(value)} is not allowed; ${spec.ignored}`) || !declaredKind(spec, value), outcome.problem);
      }
    }
  });
}

test('an integer of 2.5 and an optional integer of "many" are refused before any job', () => {
  const [file] = files;
  assert.ok(file);
  const recipe = JSON.parse(readFileSync(path.join(directory, 'translation.json'), 'utf8'));
  const policy = policyFor(recipe, 'hf-translate');
  const attempt = (hyperparameters) => () => prepare({ input: { hyperparameters }, defaults: { training: recipe.defaults.training, tuning: null }, policy, executionName: 'x' });
  assert.throws(attempt({ num_beams: 2.5 }), /hyperparameters\.num_beams: 2\.5 is not allowed; allowed: an integer >= 1, or null/);
  assert.throws(attempt({ max_train_samples: 'many' }), /hyperparameters\.max_train_samples: "many" is not allowed; allowed: an integer >= 1, or null/);
  assert.throws(attempt({ per_device_train_batch_size: 2.5 }), /an integer >= 1/);
  assert.doesNotThrow(attempt({ max_train_samples: null, num_beams: 4, eval_strategy: 'steps', eval_steps: 100 }));
});
