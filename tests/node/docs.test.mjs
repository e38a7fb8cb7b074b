// Keeps README.md true to the code: the state machine diagram has exactly the states and transitions of the
// synthesized definition, every examples/*.json execution input is accepted (or refused) by the real PrepareRequest
// validation of each synthesized environment exactly as the README's examples table says, and every repository path
// the README names in backticks exists. Reads the cloud assembly in $HF_CDK_OUT (scripts/test.sh), else ./cdk.out.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { stateMachineDefinitions } from './lib/intrinsics.mjs';
import { prepare } from '../../constructs/Orchestration/runtime/prepare-request.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

// ---- the README's state diagram ----

/** Parses a Mermaid stateDiagram-v2: `state "Label" as Id` aliases and `A --> B[: label]` transitions. */
export function parseStateDiagram(text) {
  const aliases = new Map();
  const edges = new Set();
  const names = new Set();
  const name = (token) => (token === '[*]' ? '[*]' : aliases.get(token) ?? token);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('%%') || line === 'stateDiagram-v2' || line.startsWith('direction ')) continue;
    const alias = /^state\s+"([^"]+)"\s+as\s+(\S+)$/.exec(line);
    if (alias) { aliases.set(alias[2], alias[1]); names.add(alias[1]); continue; }
    const edge = /^(\S+)\s*-->\s*([^\s:]+)\s*(?::.*)?$/.exec(line);
    if (!edge) throw new Error(`unrecognised line in the README's state diagram: ${line}`);
    const [from, to] = [name(edge[1]), name(edge[2])];
    for (const n of [from, to]) if (n !== '[*]') names.add(n);
    edges.add(`${from} -> ${to}`);
  }
  return { names, edges };
}

/** The states and transitions of an ASL definition (top level; the pipeline has no Parallel or Map states). */
export function definitionGraph(definition) {
  const names = new Set(Object.keys(definition.States));
  const edges = new Set([`[*] -> ${definition.StartAt}`]);
  for (const [n, s] of Object.entries(definition.States)) {
    const targets = [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)];
    for (const t of targets.filter(Boolean)) edges.add(`${n} -> ${t}`);
    if (s.End === true || s.Type === 'Succeed' || s.Type === 'Fail') edges.add(`${n} -> [*]`);
  }
  return { names, edges };
}

function readmeStateDiagrams() {
  return [...readme.matchAll(/```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/g)].map((m) => m[1]);
}

/** The recipe of a state machine: the `recipe` tag its default training request gives every job (TrainingRecipe.Job). */
function recipeOf(definition, logicalId) {
  const tags = definition.States.PrepareRequest?.Parameters?.Payload?.defaults?.training?.Tags ?? [];
  const tag = tags.find((t) => t.Key === 'recipe');
  assert.ok(tag, `${logicalId}: the default training request carries no recipe tag`);
  return tag.Value;
}

function pipelineDefinitions() {
  const out = [];
  for (const stack of listStacks()) {
    for (const m of stateMachineDefinitions(readTemplate(stack), { stackName: stack.name, ...stack.environment })) {
      assert.ok(m.text, `${stack.id}/${m.logicalId}: ${m.skipped}`);
      const definition = JSON.parse(m.text);
      out.push({ stack, logicalId: m.logicalId, recipe: recipeOf(definition, m.logicalId), definition });
    }
  }
  assert.ok(out.length > 0, 'no state machine in the cloud assembly: nothing to compare the README with');
  return out;
}

const difference = (a, b) => [...a].filter((x) => !b.has(x)).sort();

describe('README state machine diagram', () => {
  test('the parser reads aliases and transitions, and the comparison catches a missing and an invented state', () => {
    const diagram = parseStateDiagram('stateDiagram-v2\n  state "Go?" as Go\n  [*] --> A\n  A --> Go: label\n  Go --> B\n  B --> [*]\n');
    assert.deepEqual([...diagram.names].sort(), ['A', 'B', 'Go?']);
    const real = definitionGraph({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Go?' }, 'Go?': { Type: 'Choice', Choices: [{ Next: 'C' }], Default: 'B' }, B: { Type: 'Succeed' }, C: { Type: 'Fail' } } });
    assert.deepEqual(difference(real.names, diagram.names), ['C']);
    assert.deepEqual(difference(real.edges, diagram.edges), ['C -> [*]', 'Go? -> C']);
    assert.throws(() => parseStateDiagram('stateDiagram-v2\n  A -> B\n'), /unrecognised line/);
  });

  test('there is exactly one state diagram in the README', () => {
    assert.equal(readmeStateDiagrams().length, 1);
  });

  test('the diagram names every state of the synthesized definition and no other', () => {
    const diagram = parseStateDiagram(readmeStateDiagrams()[0]);
    for (const { stack, definition } of pipelineDefinitions()) {
      const real = definitionGraph(definition);
      assert.deepEqual(difference(real.names, diagram.names), [], `${stack.id}: states missing from the README diagram`);
      assert.deepEqual(difference(diagram.names, real.names), [], `${stack.id}: README diagram names states that do not exist`);
    }
  });

  test('the diagram draws every transition of the synthesized definition and no other', () => {
    const diagram = parseStateDiagram(readmeStateDiagrams()[0]);
    for (const { stack, definition } of pipelineDefinitions()) {
      const real = definitionGraph(definition);
      assert.deepEqual(difference(real.edges, diagram.edges), [], `${stack.id}: transitions missing from the README diagram`);
      assert.deepEqual(difference(diagram.edges, real.edges), [], `${stack.id}: README diagram draws transitions that do not exist`);
    }
  });
});

// ---- the execution inputs in examples/ ----

// examples/*.json are inputs of the translation recipe; examples/<recipe>/*.json of that recipe (examples/data/ is data).
const DEFAULT_RECIPE = 'translation';
const exampleFiles = readdirSync(path.join(root, 'examples'), { withFileTypes: true }).flatMap((e) => {
  if (e.isFile() && e.name.endsWith('.json')) return [e.name];
  if (e.isDirectory() && e.name !== 'data') {
    return readdirSync(path.join(root, 'examples', e.name)).filter((f) => f.endsWith('.json')).map((f) => `${e.name}/${f}`);
  }
  return [];
}).sort();

/** The recipe an example is an input of. */
export function exampleRecipe(file) {
  return file.includes('/') ? file.split('/')[0] : DEFAULT_RECIPE;
}

/** Rows of the README table whose first cell is `examples/<file>.json`: file -> environments named in the last cell. */
function readmeExampleTable() {
  const rows = new Map();
  for (const line of readme.split('\n')) {
    const m = /^\|\s*`examples\/([^`]+\.json)`\s*\|.*\|\s*([^|]*)\|\s*$/.exec(line);
    if (m) rows.set(m[1], m[2].split(',').map((s) => s.trim()).filter(Boolean).sort());
  }
  return rows;
}

/** Whether the real PrepareRequest accepts an input with the policy and default requests embedded in a definition. */
function accepts(definition, input) {
  const payload = definition.States.PrepareRequest.Parameters.Payload;
  try {
    prepare({ input, policy: payload.policy, defaults: payload.defaults, executionName: 'docs-example', attempt: 1 });
    return { ok: true };
  } catch (e) {
    assert.equal(e.name, 'InvalidInput', `PrepareRequest failed with something other than InvalidInput: ${e.stack}`);
    return { ok: false, message: e.message };
  }
}

describe('examples/*.json execution inputs', () => {
  test('there are examples, and the README lists each one in its examples table', () => {
    assert.ok(exampleFiles.length > 0, 'examples/ holds no execution input');
    assert.deepEqual([...readmeExampleTable().keys()].sort(), exampleFiles);
  });

  test('each example is accepted by the real validation in exactly the environments the README says', () => {
    const table = readmeExampleTable();
    const all = pipelineDefinitions();
    for (const file of exampleFiles) {
      const definitions = all.filter((d) => d.recipe === exampleRecipe(file));
      assert.ok(definitions.length > 0, `${file}: no environment deploys the ${exampleRecipe(file)} recipe`);
      const input = JSON.parse(readFileSync(path.join(root, 'examples', file), 'utf8'));
      const results = definitions.map(({ stack, definition }) => ({ env: stack.name.replace(/^HfSageMaker-/, ''), ...accepts(definition, input) }));
      const accepted = results.filter((r) => r.ok).map((r) => r.env).sort();
      assert.ok(accepted.length > 0, `${file} is accepted by no environment: ${results.map((r) => `${r.env}: ${r.message}`).join('; ')}`);
      assert.deepEqual(accepted, table.get(file), `${file}: README says "${table.get(file)}", the validation accepts it in ${accepted}; ` +
        results.filter((r) => !r.ok).map((r) => `${r.env}: ${r.message}`).join('; '));
    }
  });

  test('examples are matched to their recipe: a translation input is refused by the llm-sft state machine', () => {
    assert.equal(exampleRecipe('train.json'), 'translation');
    assert.equal(exampleRecipe('llm-sft/tune.json'), 'llm-sft');
    const llm = pipelineDefinitions().find((d) => d.recipe === 'llm-sft');
    assert.ok(llm, 'no llm-sft state machine in the cloud assembly');
    const input = JSON.parse(readFileSync(path.join(root, 'examples', 'tune.json'), 'utf8'));
    assert.match(accepts(llm.definition, input).message, /warmup_steps/);
  });

  test('an input the README calls invalid is refused (the check can fail)', () => {
    const [{ definition }] = pipelineDefinitions();
    assert.equal(accepts(definition, { instanceType: 'ml.m5.large' }).ok, false);
    assert.equal(accepts(definition, {}).ok, true);
  });
});

// ---- repository paths named in backticks ----

const TOP_LEVEL = readdirSync(root).filter((e) => !['node_modules', 'cdk.out', '.test-results', '.git', 'bin', 'obj'].includes(e));

/** Repository paths mentioned in inline code spans and in fenced code blocks (placeholders and globs excepted). */
export function mentionedPaths(markdown, topLevel = TOP_LEVEL) {
  const code = [
    ...[...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]),
    ...[...markdown.replace(/```[^\n]*\n[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]),
  ];
  const found = new Set();
  for (const text of code) {
    for (let token of text.split(/[\s"'=(),;]+/)) {
      token = token.replace(/^file:\/\//, '').replace(/^\.\//, '').replace(/[.:]+$/, '');
      const first = token.split('/')[0];
      if (!topLevel.includes(first) || (!token.includes('/') && !/\.\w+$/.test(token))) continue;
      if (/[<>{}*…[\]]|\.\.\./.test(token)) continue;
      found.add(token.replace(/\/$/, ''));
    }
  }
  return [...found].sort();
}

describe('README paths', () => {
  test('path extraction finds paths in code spans and blocks and skips placeholders', () => {
    const md = 'Run `scripts/test.sh`, see `environments/<env>.json`.\n```bash\naws ... --input file://examples/train.json\n```\n';
    assert.deepEqual(mentionedPaths(md, ['scripts', 'environments', 'examples']), ['examples/train.json', 'scripts/test.sh']);
  });

  test('every repository path the README names in backticks exists', () => {
    const paths = mentionedPaths(readme);
    assert.ok(paths.length > 20, `only ${paths.length} paths found: the extraction is broken`);
    const missing = paths.filter((p) => !existsSync(path.join(root, p)));
    assert.deepEqual(missing, [], 'README names paths that do not exist');
  });
});
