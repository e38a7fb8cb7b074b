// The approval notification rule of every synthesized environment (ModelApprovals, ModelApprovalNotifications) against
// SageMaker's model package events, matched offline (tests/node/lib/event-patterns.mjs; `aws events
// test-event-pattern` needs an AWS account). The event is shaped as the documented sample (SageMaker Developer Guide,
// "Events that Amazon SageMaker AI sends to Amazon EventBridge", SageMaker model package state change:
// https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html#eventbridge-model-package;
// its detail carries DescribeModelPackage's members, ApprovalDescription among them), for a version of the stack's
// group. SageMaker sends one on every change of a version's status, and every one carries the approval status: a
// version registered Approved is also Approved while Pending and InProgress (ModelPackageStatus in the API model), and
// while Deleting. Subscribers hear of a version once it is Completed and Approved or Rejected.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { render, renderContext } from './lib/intrinsics.mjs';
import { matchesEventPattern } from './lib/event-patterns.mjs';
import { shape } from './lib/sagemaker-api-model.mjs';

const sample = JSON.parse(readFileSync(new URL('./fixtures/sagemaker-model-package-state-change.event.json', import.meta.url), 'utf8'));

/** The sample for `group`, with `detail` members replaced. */
function event(group, detail = {}, top = {}) {
  const e = structuredClone(sample);
  e.detail.ModelPackageGroupName = group;
  e.detail.ModelPackageArn = `arn:aws:sagemaker:eu-west-1:111122223333:model-package/${group}/3`;
  e.resources = [e.detail.ModelPackageArn];
  Object.assign(e.detail, detail);
  return Object.assign(e, top);
}

/** What the input transformer sends: InputTemplate with each <variable> replaced by its path's value in the event. */
function transformed(transformer, e) {
  const values = Object.fromEntries(Object.entries(transformer.InputPathsMap).map(([name, path]) =>
    [name, path.slice(2).split('.').reduce((v, k) => v?.[k], e)]));
  return JSON.parse(transformer.InputTemplate.replace(/<([^<>]+)>/g, (whole, name) => (name in values ? String(values[name]) : whole)));
}

describe('the matcher follows the EventBridge User Guide', () => {
  test('every pattern field must be present with one of its values; other fields are ignored; objects nest', () => {
    const pattern = { source: ['aws.ec2'], detail: { state: ['running', 'stopped'] } };
    assert.equal(matchesEventPattern(pattern, { source: 'aws.ec2', region: 'x', detail: { state: 'running', id: 1 } }), true);
    assert.equal(matchesEventPattern(pattern, { source: 'aws.ec2', detail: { state: 'pending' } }), false);
    assert.equal(matchesEventPattern(pattern, { source: 'aws.ec2', detail: {} }), false);
    assert.equal(matchesEventPattern(pattern, { source: 'aws.ec2' }), false);
    assert.equal(matchesEventPattern(pattern, { source: 'aws.ec2', detail: 'running' }), false);
  });

  test('an array in the event matches when it shares a value with the pattern (eb-event-patterns-arrays)', () => {
    const pattern = { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] };
    assert.equal(matchesEventPattern(pattern, { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }), true);
    assert.equal(matchesEventPattern(pattern, { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x'] }), false);
  });

  test('values match exactly: case and type count, and operators are refused rather than guessed', () => {
    assert.equal(matchesEventPattern({ a: ['Approved'] }, { a: 'approved' }), false);
    assert.equal(matchesEventPattern({ a: ['3'] }, { a: 3 }), false);
    assert.throws(() => matchesEventPattern({ a: [{ prefix: 'x' }] }, { a: 'xy' }), /comparison operator/);
  });
});

const rules = listStacks().flatMap((stack) => {
  const template = readTemplate(stack);
  const ctx = renderContext(template, { stackName: stack.name, account: stack.environment.account, region: stack.environment.region });
  return Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::Events::Rule' && id.startsWith('ModelApprovalsRule'))
    .map(([id, r]) => ({ stack: stack.id, id, properties: render(ctx, r.Properties) }));
});

test('every environment has the approval rule', () => {
  assert.ok(rules.length >= 1, 'no ModelApprovals rule in cdk.out');
  assert.equal(new Set(rules.map((r) => r.stack)).size, listStacks().length);
});

for (const { stack, id, properties } of rules) {
  const pattern = properties.EventPattern;
  const groups = pattern.detail.ModelPackageGroupName;

  describe(`${stack} ${id}`, () => {
    test('a completed version of each group approved or rejected is notified', () => {
      assert.ok(groups.length >= 1);
      for (const group of groups) {
        assert.equal(matchesEventPattern(pattern, event(group)), true, `${group} Approved`);
        assert.equal(matchesEventPattern(pattern, event(group, { ModelApprovalStatus: 'Rejected' })), true, `${group} Rejected`);
      }
    });

    test('a version pending approval, one not completed (a new version registered Approved) or being deleted is not', () => {
      const statuses = shape('ModelPackageStatus').enum;
      assert.deepEqual(statuses, ['Pending', 'InProgress', 'Completed', 'Failed', 'Deleting']);
      for (const group of groups) {
        assert.equal(matchesEventPattern(pattern, event(group, { ModelApprovalStatus: 'PendingManualApproval' })), false);
        for (const status of statuses.filter((s) => s !== 'Completed')) {
          assert.equal(matchesEventPattern(pattern, event(group, { ModelPackageStatus: status })), false, `${group} Approved while ${status}`);
        }
      }
    });

    test('another group, another source or another kind of event is not', () => {
      assert.equal(matchesEventPattern(pattern, event('team-models')), false);
      assert.equal(matchesEventPattern(pattern, event(groups[0], {}, { 'detail-type': 'SageMaker Model State Change' })), false);
      assert.equal(matchesEventPattern(pattern, event(groups[0], {}, { source: 'custom.sagemaker' })), false);
    });

    test('the message names the group, version, approval status, account, region, time, description and ARN', () => {
      const [target] = properties.Targets;
      const e = event(groups[0]);
      assert.equal(transformed(target.InputTransformer, e),
        `Model package ${groups[0]} version 3 is Approved (account 111122223333, region eu-west-1, 2026-06-01T12:30:00Z). `
        + `Approval description: BLEU 27.4 on wmt16 validation, reviewed. Model package: ${e.detail.ModelPackageArn}`);
    });
  });
}
