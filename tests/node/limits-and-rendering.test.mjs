// Unit tests of the intrinsic renderer and the limit checks on fixtures.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { render, renderContext, stateMachineDefinitions } from './lib/intrinsics.mjs';
import { LIMITS, overHalf } from './lib/limits.mjs';

const template = {
  Parameters: { Env: { Type: 'String', Default: 'dev' } },
  Mappings: { Images: { 'eu-west-1': { Account: '763104351884' } } },
  Resources: {
    Role: { Type: 'AWS::IAM::Role' },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Key: { Type: 'AWS::KMS::Key' },
    Fn: { Type: 'AWS::Lambda::Function' },
    Odd: { Type: 'AWS::Custom::Thing' },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: { 'Fn::Join': ['', ['{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:', { Ref: 'AWS::Partition' },
          ':states:::sagemaker:createTrainingJob.sync","Parameters":{"RoleArn":"', { 'Fn::GetAtt': ['Role', 'Arn'] }, '","Out":"s3://', { Ref: 'Bucket' },
          '/${Prefix}"},"End":true}}}']] },
        DefinitionSubstitutions: { Prefix: { 'Fn::Sub': 'output/${Env}' } },
      },
    },
  },
};
const ctx = renderContext(template, { stackName: 'HfSageMaker-dev', account: '111122223333', region: 'eu-west-1' });

describe('render', () => {
  test('Ref to pseudo parameters, parameters and resources', () => {
    assert.equal(render(ctx, { Ref: 'AWS::Partition' }), 'aws');
    assert.equal(render(ctx, { Ref: 'AWS::AccountId' }), '111122223333');
    assert.equal(render(ctx, { Ref: 'Env' }), 'dev');
    assert.match(render(ctx, { Ref: 'Bucket' }), /^hfsagemaker-dev-bucket-[0-9a-z]{13}$/);
    assert.match(render(ctx, { Ref: 'Key' }), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  test('Fn::GetAtt gives realistic ARNs, in both array and dotted form', () => {
    assert.match(render(ctx, { 'Fn::GetAtt': ['Role', 'Arn'] }), /^arn:aws:iam::111122223333:role\/HfSageMaker-dev-Role-[0-9A-F]{13}$/);
    assert.match(render(ctx, { 'Fn::GetAtt': 'Fn.Arn' }), /^arn:aws:lambda:eu-west-1:111122223333:function:HfSageMaker-dev-Fn-/);
    assert.match(render(ctx, { 'Fn::GetAtt': ['Odd', 'Arn'] }), /^arn:aws:custom:eu-west-1:111122223333:thing\//);
  });
  test('Fn::Join, Fn::Sub (with variables, attributes and ${!literal}), Fn::FindInMap, Fn::Select, Fn::Split', () => {
    assert.equal(render(ctx, { 'Fn::Join': ['-', ['a', { Ref: 'Env' }]] }), 'a-dev');
    assert.equal(render(ctx, { 'Fn::Sub': ['${A}/${Env}/${!Literal}', { A: 'x' }] }), 'x/dev/${Literal}');
    assert.match(render(ctx, { 'Fn::Sub': 'role=${Role.Arn}' }), /^role=arn:aws:iam::111122223333:role\//);
    assert.equal(render(ctx, { 'Fn::FindInMap': ['Images', { Ref: 'AWS::Region' }, 'Account'] }), '763104351884');
    assert.equal(render(ctx, { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] }), 'b');
  });
  test('an unknown intrinsic or a dangling Ref throws instead of guessing', () => {
    assert.throws(() => render(ctx, { 'Fn::Transmogrify': 'x' }), /Fn::Transmogrify/);
    assert.throws(() => render(ctx, { Ref: 'Missing' }), /'Missing'/);
  });
});

describe('stateMachineDefinitions', () => {
  test('renders DefinitionString Fn::Join to JSON and applies DefinitionSubstitutions', () => {
    const [d] = stateMachineDefinitions(template, { stackName: 'HfSageMaker-dev', account: '111122223333' });
    assert.equal(d.logicalId, 'Machine');
    const def = JSON.parse(d.text);
    assert.equal(def.States.T.Resource, 'arn:aws:states:::sagemaker:createTrainingJob.sync');
    assert.match(def.States.T.Parameters.RoleArn, /^arn:aws:iam::111122223333:role\//);
    assert.match(def.States.T.Parameters.Out, /^s3:\/\/hfsagemaker-dev-bucket-[0-9a-z]+\/output\/dev$/);
  });
  test('a definition kept in S3 is reported as skipped, not measured as empty', () => {
    const [d] = stateMachineDefinitions({ Resources: { M: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionS3Location: { Bucket: 'b', Key: 'k' } } } } });
    assert.match(d.skipped, /S3/);
  });
});

describe('overHalf', () => {
  const base = { stack: 'S', resources: 10, parameters: 1, outputs: 1, mappings: 0, templateBytes: 1000, stateMachines: [{ logicalId: 'M', definitionBytes: 100 }] };
  test('figures under half of every limit pass', () => assert.deepEqual(overHalf(base), []));
  test('a figure just above half of its limit fails, naming it', () => {
    assert.match(overHalf({ ...base, resources: LIMITS.resources / 2 + 1 }).join(), /resources = 251/);
    assert.match(overHalf({ ...base, templateBytes: 500_001 }).join(), /templateBytes/);
    assert.match(overHalf({ ...base, stateMachines: [{ logicalId: 'M', definitionBytes: 500_001 }] }).join(), /state machine M definition = 500001/);
  });
  test('exactly half is still allowed', () => assert.deepEqual(overHalf({ ...base, outputs: 100 }), []));
  test('an unmeasurable state machine fails', () => assert.match(overHalf({ ...base, stateMachines: [{ logicalId: 'M', skipped: 'in S3' }] }).join(), /could not be measured/));
});
