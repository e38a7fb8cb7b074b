// Strings the AWS APIs constrain beyond the CloudFormation schemas (tests/api-string-rules.json: EC2 descriptions,
// tag keys and values, SageMaker, CloudWatch Logs, IAM and Budgets names, SNS email endpoints, description lengths),
// checked on every template of every synthesized environment, plus the rules' own tests on known good and bad values.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { rules, checkTemplate, checkValue } from './lib/api-strings.mjs';

const rule = (id) => rules.find((r) => r.id === id);
const stacks = listStacks();

describe('every synthesized template', () => {
  for (const stack of stacks) {
    test(`${stack.name}: every string an AWS API constrains beyond the CloudFormation schema is valid`, () => {
      const { problems, checked } = checkTemplate(readTemplate(stack));
      assert.deepEqual(problems, []);
      // Not vacuous: the strings every environment has were found and checked.
      for (const id of ['ec2-security-group-description', 'ec2-security-group-rule-description', 'tag-key', 'tag-value',
        'sagemaker-user-profile-name', 'logs-log-group-name', 'iam-role-description', 'lambda-function-description', 'kms-key-description']) {
        assert.ok(checked[id] > 0, `${id}: no string checked in ${stack.name}`);
      }
    });
  }
});

describe('the rules themselves', () => {
  test('EC2 rule descriptions: the apostrophe that rolled back every stack is refused; the allowed punctuation is accepted', () => {
    const r = rule('ec2-security-group-rule-description');
    assert.equal(checkValue(r, "Distributed training between the job's instances").length, 1);
    assert.deepEqual(checkValue(r, 'Traffic between Studio apps (NFS 2049/tcp): [a] {b} #1, @x; +=!$*_-.:/'), []);
    assert.equal(checkValue(r, 'é').length, 1);
    assert.equal(checkValue(r, 'a'.repeat(256)).length, 1);
  });

  test('tag keys: 1 to 128 Unicode letters, digits, spaces and _.:/=+-@, never the aws: prefix', () => {
    const r = rule('tag-key');
    assert.deepEqual(checkValue(r, 'aws-cdk:subnet-name'), []);
    assert.deepEqual(checkValue(r, 'coût-centre'), []);
    assert.equal(checkValue(r, 'aws:cloudformation:stack-name').length, 1);
    assert.equal(checkValue(r, 'owner,team').length, 1);
    assert.equal(checkValue(r, '').length, 1);
  });

  test('SNS email endpoints: an address, not a name or a list', () => {
    const r = rule('sns-email-endpoint');
    assert.deepEqual(checkValue(r, 'ml-platform+alerts@example.co.uk'), []);
    for (const bad of ['ml-platform', 'a@b', 'a b@example.com', 'a@example.com, b@example.com', 'a@-example.com']) {
      assert.equal(checkValue(r, bad).length, 1, bad);
    }
  });

  test('budget names: no ":" or "\\" (Budgets model pattern, inline (?i) honoured)', () => {
    const r = rule('budgets-budget-name');
    assert.deepEqual(checkValue(r, 'hf-sagemaker-prod'), []);
    assert.equal(checkValue(r, 'a:b').length, 1);
    assert.equal(checkValue(r, 'x<SCRIPT>y</script>').length, 1);
  });

  test('an email rule applies only to email subscriptions; intrinsic values are skipped, not passed', () => {
    const template = { Resources: {
      S: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'sqs', Endpoint: 'arn:aws:sqs:eu-west-1:1:q' } },
      E: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'email', Endpoint: 'not an address' } },
      G: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: { Ref: 'DescriptionParameter' }, Tags: [{ Key: 'aws:x', Value: 'v' }] } },
    } };
    template.Resources.L = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/vendedlogs/states/a b-', { Ref: 'AWS::StackId' }]] } } };
    const { problems, skipped, checked } = checkTemplate(template);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[2], /^L\.Properties\.LogGroupName .*literal part "\/aws\/vendedlogs\/states\/a b-"/);
    assert.equal(checked['logs-log-group-name'], 1);
    assert.match(problems[0], /^E\.Properties\.Endpoint/);
    assert.match(problems[1], /^G\.Properties\.Tags\[0\]\.Key .*reserved prefix/);
    assert.equal(skipped, 2);
  });

  test('SageMaker rules copy the vendored SageMaker API model exactly (pattern, min, max)', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const model = JSON.parse(gunzipSync(readFileSync(join(root, 'tests/models/sagemaker-2017-07-24.botocore-1.43.11.json.gz'))).toString('utf8'));
    const fromModel = rules.filter((r) => r.source === 'model' && r.model.service === 'sagemaker');
    assert.ok(fromModel.length >= 4);
    for (const r of fromModel) {
      const shape = model.shapes[r.model.shape];
      assert.deepEqual({ pattern: r.pattern, min: r.min, max: r.max }, { pattern: shape.pattern, min: shape.min, max: shape.max }, r.id);
    }
  });
});
