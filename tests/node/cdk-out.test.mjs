// The cloud assembly reader never passes vacuously.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listStacks } from './lib/cdk-out.mjs';

let dir;
before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'cdk-out-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function assembly(name, artifacts, files = {}) {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, 'manifest.json'), JSON.stringify({ version: '38.0.1', artifacts }));
  for (const [f, body] of Object.entries(files)) writeFileSync(path.join(d, f), body);
  return d;
}

test('a missing directory or manifest is an error naming the synthesis step', () => {
  assert.throws(() => listStacks(path.join(dir, 'nope')), /does not exist\. Synthesize first/);
  mkdirSync(path.join(dir, 'empty-dir'));
  assert.throws(() => listStacks(path.join(dir, 'empty-dir')), /manifest\.json' is missing/);
});

test('an assembly without stacks is an error, not an empty list', () => {
  const d = assembly('no-stacks', { Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } });
  assert.throws(() => listStacks(d), /contains no CloudFormation stacks/);
});

test('stacks are listed with name, template and environment, including those in nested stage assemblies', () => {
  const d = assembly('with-stacks', {
    'HfSageMaker-dev': { type: 'aws:cloudformation:stack', environment: 'aws://111122223333/eu-west-1', properties: { templateFile: 'HfSageMaker-dev.template.json' } },
    Stage: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Stage' } },
  }, { 'HfSageMaker-dev.template.json': '{"Resources":{}}' });
  assembly(path.join('with-stacks', 'assembly-Stage'), {
    'Stage-HfSageMaker-prod': { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'p.template.json', stackName: 'HfSageMaker-prod' } },
  }, { 'p.template.json': '{"Resources":{}}' });
  const stacks = listStacks(d);
  assert.deepEqual(stacks.map((s) => [s.id, s.name, s.environment.account, s.environment.region]), [
    ['HfSageMaker-dev', 'HfSageMaker-dev', '111122223333', 'eu-west-1'],
    ['Stage-HfSageMaker-prod', 'HfSageMaker-prod', undefined, undefined],
  ]);
});

test('a stack whose template file is missing is an error', () => {
  const d = assembly('dangling', { S: { type: 'aws:cloudformation:stack', environment: 'aws://1/r', properties: { templateFile: 'S.template.json' } } });
  assert.throws(() => listStacks(d), /does not exist/);
});
