// Checks the GitHub Actions workflows in .github/workflows: they parse, have the required triggers and jobs, pin every
// action to a commit SHA, use no long-lived AWS keys and grant minimal permissions. Each rule is a function returning
// the list of problems, run against the real files and against bad fixtures, so every rule is shown to be able to fail.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workflowDir = join(root, '.github', 'workflows');

function load(text) {
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
  return doc.toJS();
}

const workflows = Object.fromEntries(
  readdirSync(workflowDir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .map((f) => {
      const text = readFileSync(join(workflowDir, f), 'utf8');
      return [f, { text, wf: load(text) }];
    }),
);

const jobsOf = (wf) => Object.entries(wf.jobs ?? {});
const stepsOf = (job) => job.steps ?? [];
const runs = (job) => stepsOf(job).map((s) => s.run ?? '').join('\n');
const usesAws = (job) => stepsOf(job).some((s) => (s.uses ?? '').startsWith('aws-actions/configure-aws-credentials@'));
const usesGithubScript = (job) => stepsOf(job).some((s) => (s.uses ?? '').startsWith('actions/github-script@'));

// ---- rules: each returns a list of problems ----

/** Every `uses:` is a local action or owner/repo[/path]@<40-hex SHA> with a `# vX.Y.Z` comment on the same line. */
export function unpinnedActions(text, wf) {
  const problems = [];
  const all = [];
  for (const [id, job] of jobsOf(wf)) {
    if (job.uses) all.push([id, job.uses]);
    for (const s of stepsOf(job)) if (s.uses) all.push([id, s.uses]);
  }
  for (const [id, ref] of all) {
    if (ref.startsWith('./')) continue;
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/.test(ref)) {
      problems.push(`${id}: '${ref}' is not pinned to a full commit SHA`);
      continue;
    }
    const line = text.split('\n').find((l) => l.includes(ref));
    if (!line || !/#\s*v\d+(\.\d+){0,2}\b/.test(line)) problems.push(`${id}: '${ref}' has no '# vX.Y.Z' comment`);
  }
  return problems;
}

/** No long-lived AWS keys anywhere: secrets or inputs named like access keys. */
export function longLivedKeys(text) {
  const patterns = [/AWS_ACCESS_KEY_ID/i, /AWS_SECRET_ACCESS_KEY/i, /aws-access-key-id/i, /aws-secret-access-key/i, /AWS_SESSION_TOKEN/i];
  return patterns.filter((p) => p.test(text)).map((p) => `mentions ${p.source}: use OIDC role assumption instead`);
}

/** Top level grants nothing (or contents: read); every job declares its own; id-token/pull-requests write only where used. */
export function permissionProblems(wf) {
  const problems = [];
  const top = wf.permissions;
  if (top === undefined) problems.push('no top-level permissions: the default token may be read-write');
  else if (typeof top === 'string') problems.push(`top-level permissions '${top}': use {} or contents: read`);
  else {
    for (const [k, v] of Object.entries(top))
      if (!(k === 'contents' && v === 'read')) problems.push(`top-level grants ${k}: ${v}; grant it in the job that needs it`);
  }
  for (const [id, job] of jobsOf(wf)) {
    const p = job.permissions;
    if (p === undefined) { problems.push(`${id}: no job-level permissions`); continue; }
    if (typeof p === 'string') { problems.push(`${id}: permissions '${p}'`); continue; }
    for (const [k, v] of Object.entries(p)) {
      if (v !== 'write') continue;
      if (k === 'id-token' && usesAws(job)) continue;
      if (k === 'pull-requests' && usesGithubScript(job)) continue;
      problems.push(`${id}: grants ${k}: write without a step that needs it`);
    }
    if (usesAws(job) && p['id-token'] !== 'write') problems.push(`${id}: assumes an AWS role but lacks id-token: write`);
  }
  return problems;
}

/** configure-aws-credentials only ever assumes a role (OIDC). */
export function awsCredentialProblems(wf) {
  const problems = [];
  for (const [id, job] of jobsOf(wf))
    for (const s of stepsOf(job))
      if ((s.uses ?? '').startsWith('aws-actions/configure-aws-credentials@')) {
        const w = s.with ?? {};
        if (!w['role-to-assume']) problems.push(`${id}: configure-aws-credentials without role-to-assume`);
        if (!w['aws-region']) problems.push(`${id}: configure-aws-credentials without aws-region`);
      }
  return problems;
}

/** The pull-request workflow: test job runs the suite and synthesizes; diff job assumes a role and diffs each env. */
export function pullRequestProblems(wf) {
  const problems = [];
  if (!wf.on || !('pull_request' in wf.on)) problems.push('not triggered on pull_request');
  const jobs = wf.jobs ?? {};
  const test = Object.values(jobs).find((j) => /scripts\/test\.sh/.test(runs(j)));
  if (!test) problems.push('no job runs scripts/test.sh');
  else {
    if (!/dotnet run --project infra/.test(runs(test))) problems.push('test job does not synthesize with dotnet run --project infra');
    const names = stepsOf(test).map((s) => s.uses ?? '');
    if (!names.some((u) => u.startsWith('actions/setup-dotnet@'))) problems.push('test job does not set up .NET');
    const dotnet = stepsOf(test).find((s) => (s.uses ?? '').startsWith('actions/setup-dotnet@'));
    if (dotnet && dotnet.with?.['global-json-file'] !== 'global.json') problems.push('setup-dotnet does not read global.json');
    const node = stepsOf(test).find((s) => (s.uses ?? '').startsWith('actions/setup-node@'));
    if (!node || String(node.with?.['node-version']) !== '20' || node.with?.cache !== 'npm') problems.push('test job does not set up Node 20 with the npm cache');
  }
  const diff = Object.values(jobs).find((j) => /cdk diff/.test(runs(j)));
  if (!diff) problems.push('no job runs cdk diff');
  else {
    if (!/--app cdk\.out/.test(runs(diff))) problems.push('cdk diff does not use the synthesized cdk.out');
    if (!usesAws(diff)) problems.push('diff job does not assume a role');
    if (!usesGithubScript(diff)) problems.push('diff job does not post a PR comment');
    if (!diff.strategy?.matrix?.environment) problems.push('diff job is not a matrix over environments');
    if (diff.environment) problems.push('diff job runs in a GitHub environment: required reviewers would block every PR');
  }
  return problems;
}

/** The deploy workflow: push to main, build once, dev -> staging -> prod, prod behind its environment, serialized. */
export function deployProblems(wf, environmentNames = ['dev', 'staging', 'prod']) {
  const problems = [];
  const branches = wf.on?.push?.branches ?? [];
  if (!branches.includes('main')) problems.push('not triggered on push to main');
  if (wf.on && 'pull_request' in wf.on) problems.push('deploys on pull_request');
  if (!wf.concurrency || wf.concurrency['cancel-in-progress'] !== false) problems.push('deploys are not serialized with concurrency (cancel-in-progress: false)');
  const jobs = wf.jobs ?? {};
  const build = Object.entries(jobs).find(([, j]) => /scripts\/test\.sh/.test(runs(j)));
  if (!build) problems.push('no job runs scripts/test.sh before deploying');
  const deployJobs = Object.entries(jobs).filter(([, j]) => /cdk deploy/.test(runs(j)));
  const byEnv = Object.fromEntries(deployJobs.map(([id, j]) => [typeof j.environment === 'object' ? j.environment.name : j.environment, [id, j]]));
  for (const name of environmentNames) if (!byEnv[name]) problems.push(`no deploy job with environment: ${name}`);
  for (const [id, j] of deployJobs) {
    if (!j.environment) problems.push(`${id}: deploys without a GitHub environment`);
    if (!/--app cdk\.out/.test(runs(j)) || !/--require-approval never/.test(runs(j))) problems.push(`${id}: cdk deploy must use --app cdk.out --require-approval never`);
    if (!usesAws(j)) problems.push(`${id}: does not assume a deploy role`);
  }
  const needs = (j) => [].concat(j?.needs ?? []);
  const order = ['dev', 'staging', 'prod'].filter((n) => byEnv[n]);
  for (let i = 1; i < order.length; i++) {
    const [prevId] = byEnv[order[i - 1]];
    const [id, j] = byEnv[order[i]];
    if (!needs(j).includes(prevId)) problems.push(`${id}: does not need ${prevId}`);
  }
  if (byEnv.dev && build && !needs(byEnv.dev[1]).includes(build[0])) problems.push(`${byEnv.dev[0]}: does not need the build job`);
  return problems;
}

// ---- the real workflows ----

describe('workflow files', () => {
  test('both workflows exist and parse', () => {
    assert.ok(workflows['pull-request.yml'], 'pull-request.yml missing');
    assert.ok(workflows['deploy.yml'], 'deploy.yml missing');
    for (const [name, { wf }] of Object.entries(workflows)) {
      assert.equal(typeof wf, 'object', name);
      assert.ok(wf.on, `${name}: no trigger`);
      assert.ok(Object.keys(wf.jobs ?? {}).length > 0, `${name}: no jobs`);
    }
  });

  for (const [name, { text, wf }] of Object.entries(workflows)) {
    test(`${name}: every action is pinned to a commit SHA with a version comment`, () => assert.deepEqual(unpinnedActions(text, wf), []));
    test(`${name}: no long-lived AWS keys`, () => assert.deepEqual(longLivedKeys(text), []));
    test(`${name}: permissions are minimal`, () => assert.deepEqual(permissionProblems(wf), []));
    test(`${name}: AWS credentials only by role assumption`, () => assert.deepEqual(awsCredentialProblems(wf), []));
  }

  test('pull-request.yml: tests, synthesizes and posts cdk diff per environment', () =>
    assert.deepEqual(pullRequestProblems(workflows['pull-request.yml'].wf), []));

  test('deploy.yml: dev -> staging -> prod after one build, prod behind its environment', () =>
    assert.deepEqual(deployProblems(workflows['deploy.yml'].wf), []));

  test('deploy.yml has a deploy job for every environment file', () => {
    const dir = join(root, 'environments');
    const names = existsSync(dir)
      ? readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).map((f) => f.replace(/\.json$/, ''))
      : [];
    assert.deepEqual(deployProblems(workflows['deploy.yml'].wf, names.length > 0 ? names : undefined), []);
  });

  test('the prod deploy job runs in the prod environment and needs staging', () => {
    const { prod, staging } = workflows['deploy.yml'].wf.jobs;
    assert.equal(prod.environment, 'prod');
    assert.ok([].concat(prod.needs).includes('staging'));
    assert.equal(staging.environment, 'staging');
  });
});

// ---- the rules can fail: bad fixtures ----

const SHA = 'a'.repeat(40);
const goodPr = `
on: { pull_request: { branches: [main] } }
permissions: {}
jobs:
  test:
    permissions: { contents: read }
    steps:
      - uses: actions/setup-dotnet@${SHA} # v4.3.1
        with: { global-json-file: global.json }
      - uses: actions/setup-node@${SHA} # v4.4.0
        with: { node-version: 20, cache: npm }
      - run: scripts/test.sh
      - run: dotnet run --project infra
  diff:
    permissions: { contents: read, id-token: write, pull-requests: write }
    strategy: { matrix: { environment: [dev] } }
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA} # v4.2.1
        with: { role-to-assume: arn, aws-region: eu-west-1 }
      - run: npx cdk diff X --app cdk.out
      - uses: actions/github-script@${SHA} # v7.0.1
`;
const goodDeploy = `
on: { push: { branches: [main] } }
permissions: {}
concurrency: { group: d, cancel-in-progress: false }
jobs:
  build: { permissions: { contents: read }, steps: [ { run: scripts/test.sh } ] }
${['dev', 'staging', 'prod'].map((e, i) => `  ${e}:
    needs: ${['build', 'dev', 'staging'][i]}
    environment: ${e}
    permissions: { contents: read, id-token: write }
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA} # v4.2.1
        with: { role-to-assume: arn, aws-region: eu-west-1 }
      - run: npx cdk deploy X --app cdk.out --require-approval never`).join('\n')}
`;

describe('the rules reject bad workflows', () => {
  test('the good fixtures pass every rule (so each failure below is caused by its one change)', () => {
    for (const text of [goodPr, goodDeploy]) {
      const wf = load(text);
      assert.deepEqual([...unpinnedActions(text, wf), ...longLivedKeys(text), ...permissionProblems(wf), ...awsCredentialProblems(wf)], []);
    }
    assert.deepEqual(pullRequestProblems(load(goodPr)), []);
    assert.deepEqual(deployProblems(load(goodDeploy)), []);
  });

  test('a YAML syntax error does not parse', () => assert.throws(() => load('on: [push\njobs: {')));
  test('a duplicated key does not parse', () => assert.throws(() => load('on: push\non: pull_request\njobs: {}')));

  test('a tag instead of a SHA is reported', () => {
    const text = goodPr.replace(`actions/setup-node@${SHA}`, 'actions/setup-node@v4');
    assert.match(unpinnedActions(text, load(text)).join(), /actions\/setup-node@v4' is not pinned/);
  });
  test('a short SHA is reported', () => {
    const text = goodPr.replace(`actions/setup-node@${SHA}`, 'actions/setup-node@49933ea');
    assert.match(unpinnedActions(text, load(text)).join(), /not pinned/);
  });
  test('a pinned SHA without a version comment is reported', () => {
    const text = goodPr.replace(`actions/setup-node@${SHA} # v4.4.0`, `actions/setup-node@${SHA}`);
    assert.match(unpinnedActions(text, load(text)).join(), /no '# vX.Y.Z' comment/);
  });
  test('a local action is allowed unpinned', () => {
    const text = goodPr.replace(`actions/setup-node@${SHA} # v4.4.0`, './.github/actions/setup');
    assert.deepEqual(unpinnedActions(text, load(text)), []);
  });

  test('access keys from secrets are reported', () => {
    const text = goodPr.replace('role-to-assume: arn,', 'aws-access-key-id: "${{ secrets.AWS_ACCESS_KEY_ID }}", aws-secret-access-key: x,');
    assert.ok(longLivedKeys(text).length >= 2);
    assert.match(awsCredentialProblems(load(text)).join(), /without role-to-assume/);
  });

  test('missing, write-all and broad top-level permissions are reported', () => {
    assert.match(permissionProblems(load(goodPr.replace('permissions: {}\n', ''))).join(), /no top-level permissions/);
    assert.match(permissionProblems(load(goodPr.replace('permissions: {}', 'permissions: write-all'))).join(), /top-level permissions 'write-all'/);
    assert.match(permissionProblems(load(goodPr.replace('permissions: {}', 'permissions: { id-token: write }'))).join(), /top-level grants id-token: write/);
  });
  test('id-token: write in a job that assumes no role is reported', () => {
    const text = goodPr.replace('permissions: { contents: read }', 'permissions: { contents: read, id-token: write }');
    assert.match(permissionProblems(load(text)).join(), /test: grants id-token: write without a step that needs it/);
  });
  test('a job that assumes a role without id-token: write is reported', () => {
    const text = goodPr.replace('permissions: { contents: read, id-token: write, pull-requests: write }', 'permissions: { contents: read, pull-requests: write }');
    assert.match(permissionProblems(load(text)).join(), /diff: assumes an AWS role but lacks id-token: write/);
  });
  test('a job without its own permissions is reported', () => {
    const text = goodPr.replace('    permissions: { contents: read }\n', '');
    assert.match(permissionProblems(load(text)).join(), /test: no job-level permissions/);
  });

  test('a pull-request workflow without the test suite or the diff is reported', () => {
    assert.match(pullRequestProblems(load(goodPr.replace('scripts/test.sh', 'make test'))).join(), /no job runs scripts\/test.sh/);
    assert.match(pullRequestProblems(load(goodPr.replace('npx cdk diff X --app cdk.out', 'echo'))).join(), /no job runs cdk diff/);
    assert.match(pullRequestProblems(load(goodPr.replace('pull_request: { branches: [main] }', 'push: {}'))).join(), /not triggered on pull_request/);
    assert.match(pullRequestProblems(load(goodPr.replace('{ global-json-file: global.json }', '{ dotnet-version: 10.0.x }'))).join(), /global.json/);
  });

  test('prod deployed without its environment or out of order is reported', () => {
    assert.match(deployProblems(load(goodDeploy.replace('environment: prod', 'environment: production'))).join(), /no deploy job with environment: prod/);
    assert.match(deployProblems(load(goodDeploy.replace('needs: staging', 'needs: dev'))).join(), /prod: does not need staging/);
    assert.match(deployProblems(load(goodDeploy.replace('cancel-in-progress: false', 'cancel-in-progress: true'))).join(), /not serialized/);
    assert.match(deployProblems(load(goodDeploy.replace('push: { branches: [main] }', 'push: { branches: [develop] }'))).join(), /push to main/);
    assert.match(deployProblems(load(goodDeploy.replace(/--require-approval never/g, ''))).join(), /--require-approval never/);
  });
});
