// Proves the cdk-nag route used on the C# templates: AwsSolutions over CfnInclude honours suppressions written as
// resource metadata (what HfSageMaker.Constructs.Compliance.NagSuppressions.Add writes), matches IAM5 findings by
// applies_to, and does not honour stack-level suppressions.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAwsSolutions } from './lib/nag.mjs';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/bucket-no-logs.template.json', import.meta.url), 'utf8'));
let dir;
before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'nag-fixture-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function nag(template, name) {
  const file = path.join(dir, `${name}.template.json`);
  writeFileSync(file, JSON.stringify(template));
  return runAwsSolutions(file);
}

const clone = (x) => structuredClone(x);
const S1_REASON = 'Access-log destination bucket: logging it into itself would create a delivery loop.';

describe('AwsSolutions over CfnInclude', () => {
  test('a bucket without access logs is an unsuppressed S1 error', () => {
    const r = nag(fixture, 'no-suppression');
    const s1 = r.errors.filter((f) => f.ruleId === 'AwsSolutions-S1');
    assert.equal(s1.length, 1);
    assert.equal(s1[0].logicalId, 'DataBucket');
    assert.equal(r.suppressed.length, 0);
  });

  test('resource metadata cdk_nag.rules_to_suppress suppresses S1 and carries the reason', () => {
    const t = clone(fixture);
    t.Resources.DataBucket.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: S1_REASON }] } };
    const r = nag(t, 'suppressed');
    assert.deepEqual(r.errors.filter((f) => f.ruleId === 'AwsSolutions-S1'), []);
    const s1 = r.suppressed.filter((f) => f.ruleId === 'AwsSolutions-S1');
    assert.equal(s1.length, 1);
    assert.equal(s1[0].reason, S1_REASON);
  });

  test('applies_to on a rule without findings (S1) does not suppress it: only IAM4/IAM5-style rules have finding ids', () => {
    const t = clone(fixture);
    t.Resources.DataBucket.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: S1_REASON, applies_to: ['Resource::*'] }] } };
    assert.equal(nag(t, 'granular-on-plain').errors.filter((f) => f.ruleId === 'AwsSolutions-S1').length, 1);
  });

  test('stack-level (template Metadata) suppressions are not honoured through CfnInclude', () => {
    const t = clone(fixture);
    t.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: S1_REASON }] } };
    assert.equal(nag(t, 'stack-level').errors.filter((f) => f.ruleId === 'AwsSolutions-S1').length, 1);
  });
});

describe('IAM5 findings and applies_to', () => {
  const iam = (metadata) => ({
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Metadata: metadata,
        Properties: {
          PolicyName: 'p',
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject*', 'sagemaker:CreateTrainingJob'], Resource: '*' }] },
        },
      },
    },
  });
  const iam5 = (r) => r.errors.filter((f) => f.ruleId === 'AwsSolutions-IAM5').map((f) => f.findingId).sort();

  test('each wildcard is its own finding: Action::s3:GetObject* and Resource::*', () => {
    assert.deepEqual(iam5(nag(iam(undefined), 'iam5')), ['Action::s3:GetObject*', 'Resource::*']);
  });

  test('applies_to suppresses exactly the findings it names', () => {
    const r = nag(iam({ cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason: 'CreateTrainingJob has no resource-level scoping before the job exists.', applies_to: ['Resource::*'] }] } }), 'iam5-partial');
    assert.deepEqual(iam5(r), ['Action::s3:GetObject*']);
    assert.deepEqual(r.suppressed.filter((f) => f.ruleId === 'AwsSolutions-IAM5').map((f) => f.findingId), ['Resource::*']);
  });

  test('applies_to also accepts a regex object', () => {
    const r = nag(iam({ cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason: 'Both wildcards are needed for the fixture; this proves regex matching.', applies_to: [{ regex: '/^(Action|Resource)::/' }] }] } }), 'iam5-regex');
    assert.deepEqual(iam5(r), []);
  });
});
