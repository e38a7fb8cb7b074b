// A stack deleted with retained resources (DeletionPolicy Retain: buckets, keys, log groups of "retain" environments)
// must be creatable again: a retained resource whose physical name is fixed at synthesis makes the second create fail
// with "already exists". Every retained resource of every synthesized template therefore has either no explicit name
// (CloudFormation generates a fresh one) or a name that contains AWS::StackId, which differs per stack creation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';

// Properties that set a resource's physical name (CloudFormation resource reference, "Name type").
const NAME_PROPERTIES = ['BucketName', 'LogGroupName', 'TableName', 'FileSystemName', 'DomainName', 'TopicName', 'QueueName', 'RoleName', 'AliasName', 'RepositoryName'];

export function fixedNamesOfRetained(template) {
  const problems = [];
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (r.DeletionPolicy !== 'Retain' && r.UpdateReplacePolicy !== 'Retain') continue;
    for (const key of NAME_PROPERTIES) {
      const value = r.Properties?.[key];
      if (value === undefined) continue;
      if (!JSON.stringify(value).includes('"AWS::StackId"')) {
        problems.push(`${id} (${r.Type}): retained with the fixed ${key} ${JSON.stringify(value)}; a re-created stack would fail with "already exists"`);
      }
    }
  }
  return problems;
}

test('the check finds a retained, fixed name and accepts a generated or stack-unique one', () => {
  const template = { Resources: {
    Fixed: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', Properties: { LogGroupName: '/aws/vendedlogs/states/x' } },
    Unique: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', Properties: { LogGroupName: { 'Fn::Join': ['', ['/x-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]] } } },
    Generated: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', Properties: {} },
    Deleted: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete', Properties: { LogGroupName: '/y' } },
  } };
  assert.deepEqual(fixedNamesOfRetained(template).map((p) => p.split(' ')[0]), ['Fixed']);
});

for (const stack of listStacks()) {
  test(`${stack.name}: no retained resource has a physical name fixed at synthesis (the stack can be created again)`, () => {
    const template = readTemplate(stack);
    assert.deepEqual(fixedNamesOfRetained(template), []);
  });
}
