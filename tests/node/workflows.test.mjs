// Checks the GitHub Actions workflows in .github/workflows: they parse, have the required triggers and jobs, pin every
// action to a commit SHA whose action.yml runs on node24 (as read at that commit and recorded in
// tests/fixtures/action-runtimes.json), use no long-lived AWS keys and grant minimal permissions; and the OIDC roles template
// (ops/github-oidc-roles.yaml): every GitHub-trusting role accepts only `environment:` subjects, the diff role only
// `<env>-diff`, the subject the pull-request workflow's diff job gets. Each rule is a function returning the list of
// problems, run against the real files and against bad fixtures, so every rule is shown to be able to fail.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML, { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workflowDir = join(root, '.github', 'workflows');
const oidcTemplatePath = join(root, 'ops', 'github-oidc-roles.yaml');
const actionRuntimesPath = join(root, 'tests', 'fixtures', 'action-runtimes.json');
// The action runtime every pinned JavaScript action must declare (`runs.using` in its action.yml).
const ACTION_RUNTIME = 'node24';

// The Node LTS major version the repository runs on: package.json "engines" (written ">=N") is the one place it is set.
const enginesNode = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node ?? '';
const nodeMajor = /^>=\s*(\d+)$/.exec(enginesNode)?.[1];

function load(text) {
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
  return doc.toJS();
}

// CloudFormation short forms (`!Sub x`, `!GetAtt A.B`, `!Equals [a, b]`, ...) become their long forms
// (`{ "Fn::Sub": x }`, `{ "Fn::GetAtt": ["A", "B"] }`, ...), as CloudFormation reads them. A tag not listed here is an
// error, not a silently kept string.
const intrinsics = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub',
  'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Ref', 'Condition'];
const longName = (name) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);
const cloudFormationTags = intrinsics.flatMap((name) => {
  const key = longName(name);
  const wrap = (value) => {
    const map = new YAMLMap();
    map.items.push(new Pair(new Scalar(key), value));
    return map;
  };
  return [
    {
      tag: `!${name}`,
      resolve: (str) => (name === 'GetAtt' ? { [key]: str.split(/\.(.*)/s, 2) } : { [key]: str }),
    },
    { tag: `!${name}`, collection: 'seq', nodeClass: YAMLSeq, resolve: wrap },
    { tag: `!${name}`, collection: 'map', nodeClass: YAMLMap, resolve: wrap },
  ];
});

export function loadCloudFormation(text) {
  const doc = YAML.parseDocument(text, { uniqueKeys: true, customTags: cloudFormationTags });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) throw new Error(problems.map((e) => e.message).join('; '));
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

/** Every pinned `uses:` of the workflows ({ file: { text, wf } }): where, the action, the commit and its `# vX.Y.Z` tag. */
export function pinnedUses(files) {
  const found = [];
  for (const [file, { text, wf }] of Object.entries(files))
    for (const [id, job] of jobsOf(wf))
      for (const ref of [job.uses, ...stepsOf(job).map((s) => s.uses)]) {
        const pin = /^([^@\s]+)@([0-9a-f]{40})$/.exec(ref ?? '');
        if (!pin) continue; // local actions; anything else unpinnedActions reports
        const line = text.split('\n').find((l) => l.includes(ref)) ?? '';
        found.push({ where: `${file}: ${id}`, action: pin[1], sha: pin[2], tag: /#\s*(v\d+(?:\.\d+){0,2})\b/.exec(line)?.[1] });
      }
  return found;
}

/** The address of an action's metadata file at a commit (action.yml, or action.yaml where the action uses that name). */
const actionSource = (action, sha, file) => {
  const [owner, repo, ...path] = action.split('/');
  return `https://github.com/${owner}/${repo}/blob/${sha}/${[...path, file].join('/')}`;
};

/**
 * Every pinned action of the workflows is in the runtime fixture (tests/fixtures/action-runtimes.json) with the same
 * commit and tag, its source the action.yml at that commit, and runs on node24 (a composite or docker action needs a
 * reason); the fixture lists nothing the workflows do not pin.
 */
export function actionRuntimeProblems(files, fixture) {
  const problems = [];
  const entries = fixture.actions ?? [];
  const used = pinnedUses(files);
  for (const use of used) {
    const entry = entries.find((e) => e.action === use.action && e.sha === use.sha);
    if (!entry) {
      const listed = entries.filter((e) => e.action === use.action).map((e) => `${e.sha} (${e.tag})`);
      problems.push(`${use.where}: ${use.action}@${use.sha} is not in tests/fixtures/action-runtimes.json`
        + `${listed.length ? ` (it lists ${listed.join(', ')})` : ''}: read runs.using in `
        + `${actionSource(use.action, use.sha, 'action.yml')} and record it`);
    } else if (entry.tag !== use.tag) {
      problems.push(`${use.where}: ${use.action}@${use.sha} is commented '# ${use.tag}', but that commit is ${entry.tag} in the fixture`);
    }
  }
  for (const entry of entries) {
    const name = `${entry.action}@${entry.sha} (${entry.tag})`;
    const sources = ['action.yml', 'action.yaml'].map((file) => actionSource(entry.action, entry.sha, file));
    if (!sources.includes(entry.source)) problems.push(`${name}: source '${entry.source}' is not its action.yml at the pinned commit (${sources[0]})`);
    if (['composite', 'docker'].includes(entry.runs_using)) {
      if (!entry.reason) problems.push(`${name}: runs.using ${entry.runs_using} without a reason why it needs no node runtime`);
    } else if (entry.runs_using !== ACTION_RUNTIME) {
      problems.push(`${name}: runs.using is '${entry.runs_using}', not ${ACTION_RUNTIME}: pin a release whose action.yml says runs.using: ${ACTION_RUNTIME}`);
    }
    if (!used.some((u) => u.action === entry.action && u.sha === entry.sha)) problems.push(`${name}: in the fixture but pinned by no workflow`);
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

/** Every actions/setup-node step installs the Node major version package.json "engines" names. */
export function nodeVersionProblems(wf, major = nodeMajor) {
  const problems = [];
  for (const [id, job] of jobsOf(wf)) {
    for (const step of stepsOf(job)) {
      if (!(step.uses ?? '').startsWith('actions/setup-node@')) continue;
      const version = String(step.with?.['node-version'] ?? '');
      if (version !== major) problems.push(`${id}: setup-node installs node-version '${version}'; package.json engines.node says ${major}`);
    }
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
    if (!node || node.with?.cache !== 'npm') problems.push('test job does not set up Node with the npm cache');
  }
  // The upgrade check: the base synthesized from the pull request's base commit, compared with the head's templates,
  // the report posted per environment; no AWS credentials needed.
  const upgrade = Object.values(jobs).find((j) => /scripts\/upgrade-check\.sh/.test(runs(j)));
  if (!upgrade) problems.push('no job runs scripts/upgrade-check.sh');
  else {
    const base = stepsOf(upgrade).find((s) => (s.uses ?? '').startsWith('actions/checkout@') && /github\.event\.pull_request\.base\.sha/.test(String(s.with?.ref ?? '')));
    if (!base) problems.push('upgrade job does not check out the pull request base (github.event.pull_request.base.sha)');
    if (!/dotnet run --project infra/.test(runs(upgrade))) problems.push('upgrade job does not synthesize the base with dotnet run --project infra');
    if (!usesGithubScript(upgrade)) problems.push('upgrade job does not post its report as a PR comment');
    if (usesAws(upgrade)) problems.push('upgrade job assumes an AWS role: the check needs none');
    if ('if' in upgrade) problems.push('upgrade job is conditional: it must run on every pull request (only its comment may be skipped)');
  }
  const diff = Object.values(jobs).find((j) => /cdk diff/.test(runs(j)));
  if (!diff) problems.push('no job runs cdk diff');
  else {
    if (!/--app cdk\.out/.test(runs(diff))) problems.push('cdk diff does not use the synthesized cdk.out');
    // Templates only: a change set (the CLI's default method) needs the deploy role, which the diff role cannot assume.
    if (!/cdk diff[^\n]*--method[= ]template/.test(runs(diff))) problems.push('cdk diff does not compare templates only (--method=template)');
    if (!usesAws(diff)) problems.push('diff job does not assume a role');
    if (!usesGithubScript(diff)) problems.push('diff job does not post a PR comment');
    if (!diff.strategy?.matrix?.environment) problems.push('diff job is not a matrix over environments');
    // The PR branch supplies the workflow file, so only the GitHub environment (whose protection rules live in the
    // repository settings, not in the branch) can stand between a branch and prod credentials.
    const name = environmentName(diff);
    if (!name) problems.push('diff job runs in no GitHub environment: any branch would get the diff role');
    else if (!diffEnvironmentPattern.test(name))
      problems.push(`diff job runs in GitHub environment '${name}': use '\${{ matrix.environment }}-diff', one protected <env>-diff per environment`);
  }
  return problems;
}

const environmentName = (job) => (typeof job.environment === 'object' && job.environment !== null ? job.environment.name : job.environment);
const diffEnvironmentPattern = /^\$\{\{\s*matrix\.environment\s*\}\}-diff$/;

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

// ---- OIDC roles template (ops/github-oidc-roles.yaml) ----

const GITHUB_ISSUER = 'token.actions.githubusercontent.com';
const SUB = `${GITHUB_ISSUER}:sub`;
const AUD = `${GITHUB_ISSUER}:aud`;
/** The text of a string or `Fn::Sub` (either form); anything else (Ref, Join, ...) as JSON, so it never looks valid. */
const subText = (v) => (typeof v === 'string' ? v : v?.['Fn::Sub'] !== undefined ? [].concat(v['Fn::Sub'])[0] : JSON.stringify(v));
const trustsGitHub = (statement) => [].concat(statement.Principal?.Federated ?? []).some((f) => subText(f).endsWith(`oidc-provider/${GITHUB_ISSUER}`));
const roleName = (id, role) => subText(role.Properties?.RoleName ?? id);

/** Every GitHub OIDC subject each role trusts, with the condition operator it sits under. */
export function githubTrusts(template) {
  const roles = [];
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    if (res.Type !== 'AWS::IAM::Role') continue;
    const statements = [].concat(res.Properties?.AssumeRolePolicyDocument?.Statement ?? []).filter(trustsGitHub);
    if (statements.length === 0) continue;
    roles.push({ id, name: roleName(id, res), statements });
  }
  return roles;
}

/**
 * Every role that GitHub's OIDC provider may assume: Allow + AssumeRoleWithWebIdentity, `aud` = sts.amazonaws.com and
 * `sub` under StringEquals only, each subject `repo:${GitHubRepository}:environment:<name>` (never `:pull_request`, a
 * branch or a wildcard: those subjects are available to any branch's workflow file). The diff role trusts exactly
 * `<env>-diff`, the deploy role exactly `<env>`, so neither environment's token opens the other role.
 */
export function oidcTrustProblems(template) {
  const problems = [];
  const roles = githubTrusts(template);
  if (roles.length === 0) problems.push('no role trusts the GitHub OIDC provider');
  const expected = {
    diff: 'repo:${GitHubRepository}:environment:${EnvironmentName}-diff',
    deploy: 'repo:${GitHubRepository}:environment:${EnvironmentName}',
  };
  for (const { id, name, statements } of roles) {
    const subjects = [];
    for (const st of statements) {
      if (st.Effect !== 'Allow' || ![].concat(st.Action).every((a) => a === 'sts:AssumeRoleWithWebIdentity'))
        problems.push(`${id}: GitHub statement must be Allow sts:AssumeRoleWithWebIdentity only`);
      const cond = st.Condition ?? {};
      for (const [op, keys] of Object.entries(cond)) {
        if (op === 'StringEquals') continue;
        for (const key of Object.keys(keys ?? {}))
          if (key === SUB || key === AUD) problems.push(`${id}: ${key} under ${op}; only StringEquals pins one subject`);
      }
      const eq = cond.StringEquals ?? {};
      if ([].concat(eq[AUD] ?? []).join() !== 'sts.amazonaws.com') problems.push(`${id}: ${AUD} is not exactly sts.amazonaws.com`);
      const subs = [].concat(eq[SUB] ?? []).map(subText);
      if (subs.length === 0) problems.push(`${id}: no ${SUB} condition: every GitHub repository could assume it`);
      subjects.push(...subs);
    }
    for (const sub of subjects) {
      if (/:pull_request$/.test(sub)) problems.push(`${id}: trusts '${sub}': any branch's workflow file gets that subject`);
      else if (!/^repo:\$\{GitHubRepository\}:environment:[^:*?]+$/.test(sub))
        problems.push(`${id}: trusts '${sub}': only repo:\${GitHubRepository}:environment:<name> subjects are allowed`);
    }
    const kind = /-diff-/.test(name) ? 'diff' : /-deploy-/.test(name) ? 'deploy' : null;
    if (kind && subjects.join('\n') !== expected[kind])
      problems.push(`${id}: ${kind} role trusts [${subjects.join(', ')}], expected exactly [${expected[kind]}]`);
  }
  for (const kind of ['diff', 'deploy'])
    if (!roles.some(({ name }) => name.includes(`-${kind}-`))) problems.push(`no ${kind} role (RoleName containing '-${kind}-')`);
  return problems;
}

/** The GitHub environment the workflow's diff job runs in is the one the template's diff role trusts (per env). */
export function diffEnvironmentMismatch(wf, template) {
  const diff = Object.values(wf.jobs ?? {}).find((j) => /cdk diff/.test(runs(j)));
  const fromWorkflow = String(diff ? environmentName(diff) : '').replace(/\$\{\{\s*matrix\.environment\s*\}\}/, '<env>');
  const role = githubTrusts(template).find(({ name }) => name.includes('-diff-'));
  const sub = role ? role.statements.flatMap((st) => [].concat(st.Condition?.StringEquals?.[SUB] ?? [])).map(subText)[0] ?? '' : '';
  const fromTemplate = sub.replace(/^.*:environment:/, '').replace('${EnvironmentName}', '<env>');
  return fromWorkflow === fromTemplate ? [] : [`diff job runs in '${fromWorkflow}' but the diff role trusts environment '${fromTemplate}'`];
}

const oidcTemplateText = readFileSync(oidcTemplatePath, 'utf8');
const actionRuntimes = JSON.parse(readFileSync(actionRuntimesPath, 'utf8'));

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
    test(`${name}: every setup-node step installs the Node LTS of package.json engines`, () => assert.deepEqual(nodeVersionProblems(wf), []));
  }

  test('every pinned action runs on node24, as its action.yml at the pinned commit says (tests/fixtures/action-runtimes.json)', () => {
    assert.ok(pinnedUses(workflows).length >= 10, 'the workflows pin fewer actions than expected: is the parser blind?');
    assert.deepEqual(actionRuntimeProblems(workflows, actionRuntimes), []);
  });

  test('package.json engines names a Node LTS major version, and scripts/node.sh pins a release of it', () => {
    assert.ok(nodeMajor && Number(nodeMajor) % 2 === 0, `engines.node is '${enginesNode}': expected '>=N' with N an LTS (even) major`);
    const pinned = /^NODE_VERSION=(\d+)\.\d+\.\d+\b/m.exec(readFileSync(join(root, 'scripts', 'node.sh'), 'utf8'))?.[1];
    assert.equal(pinned, nodeMajor);
  });

  test('pull-request.yml: tests, synthesizes, runs the upgrade check and posts cdk diff per environment', () =>
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

  test('pull-request.yml: the diff job runs in the GitHub environment <env>-diff', () => {
    const diff = workflows['pull-request.yml'].wf.jobs.diff;
    assert.match(String(environmentName(diff)), /-diff$/);
    assert.ok(diff.strategy.matrix.environment, 'diff job is a matrix over environments');
  });
});

describe('OIDC roles template', () => {
  const template = loadCloudFormation(oidcTemplateText);

  test('parses with the CloudFormation short-form tags as their long forms', () => {
    assert.equal(template.AWSTemplateFormatVersion, '2010-09-09');
    assert.deepEqual(template.Conditions.CreateProvider, { 'Fn::Equals': [{ Ref: 'CreateOidcProvider' }, 'true'] });
    assert.deepEqual(template.Outputs.DiffRoleArn.Value, { 'Fn::GetAtt': ['DiffRole', 'Arn'] });
  });
  test('GitHub may assume each role only from a GitHub environment; the diff role only from <env>-diff', () =>
    assert.deepEqual(oidcTrustProblems(template), []));
  test('no role trusts a pull_request subject', () => {
    const subjects = githubTrusts(template).flatMap(({ statements }) => statements.flatMap((st) => [].concat(st.Condition.StringEquals[SUB]).map(subText)));
    assert.equal(subjects.length, 2);
    for (const sub of subjects) {
      assert.doesNotMatch(sub, /pull_request/);
      assert.match(sub, /:environment:/);
    }
  });
  test('the diff job\'s GitHub environment is the one the diff role trusts', () =>
    assert.deepEqual(diffEnvironmentMismatch(workflows['pull-request.yml'].wf, template), []));
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
        with: { node-version: 24, cache: npm }
      - run: scripts/test.sh
      - run: dotnet run --project infra
  upgrade:
    needs: test
    permissions: { contents: read, pull-requests: write }
    steps:
      - uses: actions/checkout@${SHA} # v4.2.2
        with: { ref: "\${{ github.event.pull_request.base.sha }}", path: .upgrade-base }
      - run: cd .upgrade-base && dotnet run --project infra
      - run: scripts/upgrade-check.sh base.out cdk.out .upgrade-base upgrade-report
      - uses: actions/github-script@${SHA} # v7.0.1
  diff:
    environment: \${{ matrix.environment }}-diff
    permissions: { contents: read, id-token: write, pull-requests: write }
    strategy: { matrix: { environment: [dev] } }
    steps:
      - uses: aws-actions/configure-aws-credentials@${SHA} # v4.2.1
        with: { role-to-assume: arn, aws-region: eu-west-1 }
      - run: npx cdk diff X --app cdk.out --method=template
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
    assert.deepEqual(nodeVersionProblems(load(goodPr), '24'), []);
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

  describe('the action runtime rule', () => {
    const checkout = '3d3c42e5aac5ba805825da76410c181273ba90b1';
    const fixture = (change) => {
      const copy = structuredClone(actionRuntimes);
      const entry = copy.actions.find((e) => e.action === 'actions/checkout');
      assert.equal(entry?.sha, checkout, 'the fixture no longer pins actions/checkout at the commit these cases use');
      change(entry, copy);
      return copy;
    };
    const withWorkflow = (from, to) => {
      const text = workflows['deploy.yml'].text;
      assert.ok(text.includes(from), `'${from}' is not in deploy.yml`);
      const changed = text.replaceAll(from, to);
      return { ...workflows, 'deploy.yml': { text: changed, wf: load(changed) } };
    };

    test('an action on the node20 runtime is reported', () =>
      assert.match(actionRuntimeProblems(workflows, fixture((e) => { e.runs_using = 'node20'; })).join('\n'),
        /actions\/checkout@3d3c42e\w+ \(v7\.0\.1\): runs.using is 'node20', not node24: pin a release/));
    test('a composite action needs a reason; with one it passes', () => {
      assert.match(actionRuntimeProblems(workflows, fixture((e) => { e.runs_using = 'composite'; })).join(), /runs.using composite without a reason/);
      assert.deepEqual(actionRuntimeProblems(workflows, fixture((e) => { e.runs_using = 'composite'; e.reason = 'runs only shell steps'; })), []);
    });
    test('a workflow pinning a commit the fixture does not list is reported, with the commit it lists', () => {
      const problems = actionRuntimeProblems(withWorkflow(`actions/checkout@${checkout}`, `actions/checkout@${'b'.repeat(40)}`), actionRuntimes).join('\n');
      assert.match(problems, new RegExp(`deploy\\.yml: \\w+: actions/checkout@b{40} is not in tests/fixtures/action-runtimes\\.json \\(it lists ${checkout} \\(v7\\.0\\.1\\)\\): read runs.using in https://github\\.com/actions/checkout/blob/b{40}/action\\.yml`));
    });
    test('an action the fixture lacks is reported, and so is an entry no workflow pins', () => {
      const problems = actionRuntimeProblems(workflows, fixture((e, copy) => { copy.actions = copy.actions.filter((x) => x !== e); })).join('\n');
      assert.match(problems, /actions\/checkout@3d3c42e\w+ is not in tests\/fixtures\/action-runtimes\.json: read/);
      const stale = actionRuntimeProblems(workflows, fixture((e, copy) => { copy.actions.push({ ...e, action: 'actions/cache' }); })).join('\n');
      assert.match(stale, /actions\/cache@3d3c42e\w+ \(v7\.0\.1\): in the fixture but pinned by no workflow/);
    });
    test('a version comment that is not the fixture\'s tag for the commit is reported', () =>
      assert.match(actionRuntimeProblems(withWorkflow(`${checkout} # v7.0.1`, `${checkout} # v6.0.2`), actionRuntimes).join(),
        /actions\/checkout@3d3c42e\w+ is commented '# v6\.0\.2', but that commit is v7\.0\.1 in the fixture/));
    test('a source that is not the action.yml at the pinned commit is reported', () =>
      assert.match(actionRuntimeProblems(workflows, fixture((e) => { e.source = e.source.replace(checkout, 'v7.0.1'); })).join(),
        /source 'https:\/\/github\.com\/actions\/checkout\/blob\/v7\.0\.1\/action\.yml' is not its action\.yml at the pinned commit/));
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
    assert.match(pullRequestProblems(load(goodPr.replace('npx cdk diff X --app cdk.out --method=template', 'echo'))).join(), /no job runs cdk diff/);
    assert.match(pullRequestProblems(load(goodPr.replace(' --method=template', ' --no-change-set'))).join(), /--method=template/);
    assert.match(pullRequestProblems(load(goodPr.replace('pull_request: { branches: [main] }', 'push: {}'))).join(), /not triggered on pull_request/);
    assert.match(pullRequestProblems(load(goodPr.replace('{ global-json-file: global.json }', '{ dotnet-version: 10.0.x }'))).join(), /global.json/);
  });

  test('a pull-request workflow without the upgrade check, or with one that compares nothing, is reported', () => {
    assert.match(pullRequestProblems(load(goodPr.replace('scripts/upgrade-check.sh', 'echo'))).join(), /no job runs scripts\/upgrade-check.sh/);
    assert.match(pullRequestProblems(load(goodPr.replace('github.event.pull_request.base.sha', 'github.sha'))).join(), /does not check out the pull request base/);
    assert.match(pullRequestProblems(load(goodPr.replace('cd .upgrade-base && dotnet run --project infra', 'true'))).join(), /does not synthesize the base/);
    assert.match(pullRequestProblems(load(goodPr.replace('  upgrade:\n    needs: test\n', '  upgrade:\n    needs: test\n    if: false\n'))).join(), /upgrade job is conditional/);
  });

  test('a setup-node step on another Node than package.json engines names is reported', () => {
    assert.match(nodeVersionProblems(load(goodPr.replace('node-version: 24', 'node-version: 20')), '24').join(),
      /test: setup-node installs node-version '20'; package.json engines.node says 24/);
    assert.match(nodeVersionProblems(load(goodPr.replace('node-version: 24, ', '')), '24').join(), /node-version ''/);
  });

  test('prod deployed without its environment or out of order is reported', () => {
    assert.match(deployProblems(load(goodDeploy.replace('environment: prod', 'environment: production'))).join(), /no deploy job with environment: prod/);
    assert.match(deployProblems(load(goodDeploy.replace('needs: staging', 'needs: dev'))).join(), /prod: does not need staging/);
    assert.match(deployProblems(load(goodDeploy.replace('cancel-in-progress: false', 'cancel-in-progress: true'))).join(), /not serialized/);
    assert.match(deployProblems(load(goodDeploy.replace('push: { branches: [main] }', 'push: { branches: [develop] }'))).join(), /push to main/);
    assert.match(deployProblems(load(goodDeploy.replace(/--require-approval never/g, ''))).join(), /--require-approval never/);
  });

  test('a diff job outside an <env>-diff GitHub environment is reported', () => {
    const env = 'environment: ${{ matrix.environment }}-diff';
    assert.ok(goodPr.includes(env));
    assert.match(pullRequestProblems(load(goodPr.replace(`    ${env}\n`, ''))).join(), /runs in no GitHub environment/);
    // The plain environment would get the deploy role's subject.
    assert.match(pullRequestProblems(load(goodPr.replace(env, 'environment: ${{ matrix.environment }}'))).join(), /'\$\{\{ matrix.environment \}\}'/);
    // One fixed environment for every matrix entry would put prod's diff behind dev's (absent) protection.
    assert.match(pullRequestProblems(load(goodPr.replace(env, 'environment: dev-diff'))).join(), /GitHub environment 'dev-diff'/);
    assert.deepEqual(pullRequestProblems(load(goodPr.replace(env, 'environment: { name: "${{ matrix.environment }}-diff" }'))), []);
  });
});

describe('the OIDC rules reject bad templates', () => {
  const subLine = '!Sub repo:${GitHubRepository}:environment:${EnvironmentName}-diff';
  const mutate = (from, to) => {
    assert.ok(oidcTemplateText.includes(from), `fixture anchor '${from}' missing from the template`);
    return loadCloudFormation(oidcTemplateText.replace(from, to));
  };
  const wf = () => workflows['pull-request.yml'].wf;

  test('an unknown tag, a YAML error or a duplicated key does not parse', () => {
    assert.throws(() => loadCloudFormation('a: !NotAnIntrinsic x'), /Unresolved tag/);
    assert.throws(() => loadCloudFormation('a: [b'));
    assert.throws(() => loadCloudFormation('a: 1\na: 2'));
  });
  test('short forms in scalar, sequence and mapping position resolve like CloudFormation', () =>
    assert.deepEqual(loadCloudFormation('a: !Sub [ "x${A}", { A: !Ref B } ]\nb: !GetAtt R.Outputs.X\nc: !Join\n  - ""\n  - [a, !Ref B]\nd: !Base64 { Ref: C }'), {
      a: { 'Fn::Sub': ['x${A}', { A: { Ref: 'B' } }] },
      b: { 'Fn::GetAtt': ['R', 'Outputs.X'] },
      c: { 'Fn::Join': ['', ['a', { Ref: 'B' }]] },
      d: { 'Fn::Base64': { Ref: 'C' } },
    }));

  test('a diff role trusting pull_request is reported (the review finding)', () => {
    const problems = oidcTrustProblems(mutate(subLine, '!Sub repo:${GitHubRepository}:pull_request')).join('\n');
    assert.match(problems, /DiffRole: trusts 'repo:\$\{GitHubRepository\}:pull_request': any branch/);
  });
  test('pull_request added next to the environment subject is reported', () =>
    assert.match(oidcTrustProblems(mutate(subLine, `[${subLine.replace('!Sub ', '"')}", "repo:\${GitHubRepository}:pull_request"]`)).join(), /pull_request': any branch/));
  test('a branch or wildcard subject is reported', () => {
    assert.match(oidcTrustProblems(mutate(subLine, '!Sub repo:${GitHubRepository}:ref:refs/heads/main')).join(), /only repo:\$\{GitHubRepository\}:environment:<name>/);
    assert.match(oidcTrustProblems(mutate(subLine, '!Sub repo:${GitHubRepository}:environment:*')).join(), /only repo:/);
  });
  test('the diff role trusting the deploy environment (or the deploy role a diff environment) is reported', () => {
    assert.match(oidcTrustProblems(mutate(subLine, '!Sub repo:${GitHubRepository}:environment:${EnvironmentName}')).join(), /DiffRole: diff role trusts .* expected exactly/);
    const deployLine = '!Sub repo:${GitHubRepository}:environment:${EnvironmentName}\n';
    assert.match(oidcTrustProblems(mutate(deployLine, `${subLine}\n`)).join(), /DeployRole: deploy role trusts .* expected exactly/);
  });
  test('a subject under StringLike, or none at all, is reported', () => {
    const like = mutate(`                token.actions.githubusercontent.com:sub: ${subLine}`, `              StringLike:\n                token.actions.githubusercontent.com:sub: ${subLine}`);
    assert.match(oidcTrustProblems(like).join(), /DiffRole: token.actions.githubusercontent.com:sub under StringLike/);
    const none = mutate(`                token.actions.githubusercontent.com:sub: ${subLine}`, '');
    assert.match(oidcTrustProblems(none).join(), /DiffRole: no token.actions.githubusercontent.com:sub condition/);
  });
  test('a workflow environment the diff role does not trust is reported', () => {
    const other = structuredClone(wf());
    other.jobs.diff.environment = '${{ matrix.environment }}-preview';
    assert.match(diffEnvironmentMismatch(other, loadCloudFormation(oidcTemplateText)).join(), /runs in '<env>-preview' but the diff role trusts environment '<env>-diff'/);
  });
});
