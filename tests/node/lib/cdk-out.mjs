// Reads a synthesized cloud assembly (cdk.out) and lists every CloudFormation stack in it.
// The directory is $HF_CDK_OUT (set by scripts/test.sh), else ./cdk.out. Never passes vacuously: a missing
// directory, a missing manifest or an assembly without stacks is an error, not an empty list.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The cloud assembly directory the checks read. */
export function cdkOutDir() {
  return path.resolve(process.env.HF_CDK_OUT || 'cdk.out');
}

function readManifest(dir) {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`Cloud assembly directory '${dir}' does not exist. Synthesize first: ` +
      `CDK_OUTDIR=${dir} dotnet run --project infra (or set HF_CDK_OUT; scripts/test.sh does both).`);
  }
  if (!existsSync(manifestPath)) {
    throw new Error(`'${manifestPath}' is missing: '${dir}' is not a synthesized cloud assembly. Run the synthesis first.`);
  }
  return JSON.parse(readFileSync(manifestPath, 'utf8'));
}

function parseEnvironment(env) {
  // 'aws://123456789012/eu-west-1'; 'unknown-account' / 'unknown-region' for environment-agnostic stacks.
  const m = /^aws:\/\/([^/]+)\/(.+)$/.exec(env ?? '');
  if (!m) return { account: undefined, region: undefined, raw: env };
  const known = (v) => (v.startsWith('unknown-') ? undefined : v);
  return { account: known(m[1]), region: known(m[2]), raw: env };
}

function collect(dir, stacks, seen) {
  const manifest = readManifest(dir);
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = path.join(dir, artifact.properties?.templateFile ?? `${id}.template.json`);
      if (seen.has(templateFile)) continue;
      seen.add(templateFile);
      if (!existsSync(templateFile)) {
        throw new Error(`Stack '${id}' names template '${templateFile}', which does not exist.`);
      }
      stacks.push({
        id,
        name: artifact.properties?.stackName ?? id,
        displayName: artifact.displayName ?? id,
        templateFile,
        environment: parseEnvironment(artifact.environment),
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      collect(path.join(dir, artifact.properties.directoryName), stacks, seen); // stages: nested assemblies
    }
  }
}

/**
 * Every CloudFormation stack of the assembly: { id, name, displayName, templateFile, environment: {account, region} }.
 * @param {string} [dir] the assembly directory; default cdkOutDir().
 * @throws when the directory or manifest is missing or the assembly has no stacks.
 */
export function listStacks(dir = cdkOutDir()) {
  const stacks = [];
  collect(path.resolve(dir), stacks, new Set());
  if (stacks.length === 0) {
    throw new Error(`Cloud assembly '${dir}' contains no CloudFormation stacks; the checks would pass vacuously. ` +
      'Program.cs must synthesize one stack per environments/*.json.');
  }
  return stacks.sort((a, b) => a.id.localeCompare(b.id));
}

/** The parsed template of a stack returned by listStacks. */
export function readTemplate(stack) {
  return JSON.parse(readFileSync(stack.templateFile, 'utf8'));
}
