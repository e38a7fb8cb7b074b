// Unit tests of the product's own template checks on small good and bad fixtures, so each check is seen to fail.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkBuckets, checkDefaultSecurityGroupsRestricted, checkLogGroupsEncrypted, checkNoFullAccessPolicies, checkServiceTrustConfusedDeputy, checkNoOpenIngress,
  checkPassRole, checkStudioDomainsVpcOnly, checkStudioSecurityGroupPorts, checkSuppressions,
} from './lib/policy-checks.mjs';

const tpl = (Resources) => ({ Resources });
const KEY = { 'Fn::GetAtt': ['Key', 'Arn'] };

function sslPolicy(bucketId, overrides = {}) {
  return {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }],
          ...overrides,
        }],
      },
    },
  };
}

function goodBuckets() {
  return tpl({
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    AccessLogs: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    },
    AccessLogsPolicy: sslPolicy('AccessLogs'),
    Data: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'AccessLogs' }, LogFilePrefix: 'data/' },
      },
    },
    DataPolicy: sslPolicy('Data'),
  });
}

describe('checkStudioDomainsVpcOnly', () => {
  test('a VpcOnly domain passes', () => {
    assert.deepEqual(checkStudioDomainsVpcOnly(tpl({ D: { Type: 'AWS::SageMaker::Domain', Properties: { AppNetworkAccessType: 'VpcOnly' } } })), []);
  });
  test('a PublicInternetOnly or unset domain fails, naming the domain', () => {
    const problems = checkStudioDomainsVpcOnly(tpl({
      Pub: { Type: 'AWS::SageMaker::Domain', Properties: { AppNetworkAccessType: 'PublicInternetOnly' } },
      Unset: { Type: 'AWS::SageMaker::Domain', Properties: {} },
    }));
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^Pub: .*PublicInternetOnly/);
    assert.match(problems[1], /^Unset: .*unset/);
  });
});

describe('checkNoOpenIngress', () => {
  test('ingress from a security group or a private CIDR passes', () => {
    assert.deepEqual(checkNoOpenIngress(tpl({
      Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16' }] } },
      In: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { Ref: 'Sg' }, SourceSecurityGroupId: { Ref: 'Sg' }, IpProtocol: '-1' } },
    })), []);
  });
  test('inline 0.0.0.0/0 and separate ::/0 ingress both fail', () => {
    const problems = checkNoOpenIngress(tpl({
      Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }] } },
      In: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { Ref: 'Sg' }, CidrIpv6: '::/0', IpProtocol: '-1' } },
    }));
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^Sg: .*0\.0\.0\.0\/0/);
    assert.match(problems[1], /^In: .*::\/0/);
  });
  test('egress to 0.0.0.0/0 is not ingress and passes', () => {
    assert.deepEqual(checkNoOpenIngress(tpl({
      Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }] } },
    })), []);
  });
});

describe('checkBuckets', () => {
  test('a KMS data bucket logging to an SSE-S3 access-log bucket, both SSL-only and versioned, passes', () => {
    assert.deepEqual(checkBuckets(goodBuckets()), []);
  });
  test('a data bucket with SSE-S3 fails: only the access-log destination may use SSE-S3', () => {
    const t = goodBuckets();
    t.Resources.Data.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault = { SSEAlgorithm: 'AES256' };
    assert.deepEqual(checkBuckets(t).map((p) => p.split(':')[0]), ['Data']);
    assert.match(checkBuckets(t)[0], /aws:kms/);
  });
  test('aws:kms without a customer key fails', () => {
    const t = goodBuckets();
    delete t.Resources.Data.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID;
    assert.match(checkBuckets(t).join('\n'), /^Data: .*without KMSMasterKeyID/);
  });
  test('an access-log bucket encrypted with KMS fails, because S3 cannot deliver access logs to it', () => {
    const t = goodBuckets();
    t.Resources.AccessLogs.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault = { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY };
    assert.match(checkBuckets(t).join('\n'), /^AccessLogs: is an access-log destination and must use SSE-S3/);
  });
  test('a bucket without encryption, versioning, logging and SSL policy reports all four', () => {
    const problems = checkBuckets(tpl({ Bare: { Type: 'AWS::S3::Bucket', Properties: {} } }));
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /BucketEncryption/);
    assert.match(problems.join('\n'), /VersioningConfiguration/);
    assert.match(problems.join('\n'), /LoggingConfiguration/);
    assert.match(problems.join('\n'), /SecureTransport/);
  });
  test('suspended versioning fails', () => {
    const t = goodBuckets();
    t.Resources.Data.Properties.VersioningConfiguration.Status = 'Suspended';
    assert.match(checkBuckets(t).join('\n'), /^Data: VersioningConfiguration.Status is 'Suspended'/);
  });
  test('a bucket policy that allows instead of denying insecure transport does not count as SSL-only', () => {
    const t = goodBuckets();
    t.Resources.DataPolicy = sslPolicy('Data', { Effect: 'Allow' });
    assert.match(checkBuckets(t).join('\n'), /^Data: no AWS::S3::BucketPolicy denies/);
  });
  test('an SSL policy attached to another bucket does not count', () => {
    const t = goodBuckets();
    t.Resources.DataPolicy = sslPolicy('AccessLogs');
    assert.match(checkBuckets(t).join('\n'), /^Data: no AWS::S3::BucketPolicy denies/);
  });
});

const passRole = (statement) => tpl({
  Pol: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'R' }], PolicyDocument: { Version: '2012-10-17', Statement: [statement] } } },
  R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
});

describe('checkPassRole', () => {
  const condition = { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } };
  test('PassRole on a named role with iam:PassedToService passes', () => {
    assert.deepEqual(checkPassRole(passRole({ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['R', 'Arn'] }, Condition: condition })), []);
  });
  test('PassRole without iam:PassedToService fails', () => {
    assert.match(checkPassRole(passRole({ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['R', 'Arn'] } })).join('\n'), /^Pol Statement\[0\]: grants iam:PassRole without an iam:PassedToService/);
  });
  test('PassRole on * fails even with the condition', () => {
    assert.match(checkPassRole(passRole({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: condition })).join('\n'), /on '\*'/);
  });
  test('a wildcard role ARN built with Fn::Join fails', () => {
    const problems = checkPassRole(passRole({
      Effect: 'Allow', Action: ['iam:PassRole'], Condition: condition,
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*']] },
    }));
    assert.match(problems.join('\n'), /arn:aws:iam::123456789012:role\/\*/);
  });
  test('iam:* and iam:Pass* grant PassRole and are checked', () => {
    assert.equal(checkPassRole(passRole({ Effect: 'Allow', Action: 'iam:*', Resource: '*' })).length, 2);
    assert.equal(checkPassRole(passRole({ Effect: 'Allow', Action: 'iam:Pass*', Resource: { 'Fn::GetAtt': ['R', 'Arn'] } })).length, 1);
  });
  test('inline role policies are checked too', () => {
    const t = tpl({ R: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'inline', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/x' }] } }] } } });
    assert.match(checkPassRole(t).join('\n'), /^R\.Policies\[0\]\(inline\)/);
  });
  test('a Deny statement on iam:PassRole is not a grant', () => {
    assert.deepEqual(checkPassRole(passRole({ Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' })), []);
  });
});

describe('checkNoFullAccessPolicies', () => {
  test('a role with a scoped managed policy passes', () => {
    assert.deepEqual(checkNoFullAccessPolicies(tpl({ R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSageMakerCanvasDirectDeployAccess']] }] } } })), []);
  });
  test('AmazonSageMakerFullAccess fails, also when built with Fn::Join', () => {
    const problems = checkNoFullAccessPolicies(tpl({
      R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSageMakerFullAccess']] }] } },
      U: { Type: 'AWS::IAM::User', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] } },
    }));
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^R: .*AmazonSageMakerFullAccess/);
  });
});

describe('checkSuppressions', () => {
  const withSuppression = (rule) => tpl({ B: { Type: 'AWS::S3::Bucket', Metadata: { cdk_nag: { rules_to_suppress: [rule] } } } });
  test('a reasoned suppression passes, and an IAM5 one with applies_to', () => {
    assert.deepEqual(checkSuppressions(withSuppression({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it to itself would loop.' })), []);
    assert.deepEqual(checkSuppressions(withSuppression({ id: 'AwsSolutions-IAM5', reason: 'CreateTrainingJob cannot be scoped below the job-name prefix.', applies_to: ['Resource::*'] })), []);
  });
  test('a missing, short or placeholder reason fails', () => {
    assert.match(checkSuppressions(withSuppression({ id: 'AwsSolutions-S1' })).join('\n'), /shorter than 20/);
    assert.match(checkSuppressions(withSuppression({ id: 'AwsSolutions-S1', reason: 'not needed here' })).join('\n'), /shorter than 20/);
    assert.match(checkSuppressions(withSuppression({ id: 'AwsSolutions-S1', reason: 'TODO: explain this suppression later' })).join('\n'), /placeholder/);
    assert.match(checkSuppressions(withSuppression({ id: 'AwsSolutions-S1', reason: 'xxxxxxxxxxxxxxxxxxxxxxxxx' })).join('\n'), /placeholder/);
  });
  test('IAM5 without applies_to fails', () => {
    assert.match(checkSuppressions(withSuppression({ id: 'AwsSolutions-IAM5', reason: 'SageMaker needs wildcard access for its own log streams.' })).join('\n'), /no applies_to/);
  });
  test('stack-level suppressions fail', () => {
    const t = tpl({});
    t.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: 'a long enough reason for the whole stack' }] } };
    assert.match(checkSuppressions(t).join('\n'), /stack-level/);
  });
});

describe('checkLogGroupsEncrypted', () => {
  const logsStatement = (overrides = {}) => ({
    Effect: 'Allow',
    Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:*']] } } },
    ...overrides,
  });
  const root = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };
  const withKey = (statements, group = { KmsKeyId: KEY }) => tpl({
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Version: '2012-10-17', Statement: statements } } },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: group },
  });

  test('a log group encrypted with a key that lets CloudWatch Logs use it under the encryption-context condition passes', () => {
    assert.deepEqual(checkLogGroupsEncrypted(withKey([root, logsStatement()])), []);
  });
  test('a log group encrypted with an imported key (an ARN string) passes: its policy is not in the template', () => {
    assert.deepEqual(checkLogGroupsEncrypted(tpl({ Logs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1' } } })), []);
  });
  test('a log group without KmsKeyId fails, naming it', () => {
    const problems = checkLogGroupsEncrypted(withKey([root, logsStatement()], { RetentionInDays: 30 }));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Logs: .*no KmsKeyId/);
  });
  test('a key whose policy has only the account root statement fails: CloudFormation could not create the group', () => {
    const problems = checkLogGroupsEncrypted(withKey([root]));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /Key, whose key policy does not let logs\.<region>\.amazonaws\.com use it/);
  });
  test('a logs statement without the encryption-context condition fails', () => {
    const problems = checkLogGroupsEncrypted(withKey([root, logsStatement({ Condition: undefined })]));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /without a kms:EncryptionContext:aws:logs:arn condition/);
  });
  test('a Deny statement or one for another service does not count as allowing CloudWatch Logs', () => {
    assert.equal(checkLogGroupsEncrypted(withKey([root, logsStatement({ Effect: 'Deny' })])).length, 1);
    assert.equal(checkLogGroupsEncrypted(withKey([root, logsStatement({ Principal: { Service: 'sns.amazonaws.com' } })])).length, 1);
  });
});

describe('checkServiceTrustConfusedDeputy', () => {
  const role = (statement) => tpl({ R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] } } } });
  const trust = (service, Condition) => ({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', Condition });

  test('SageMaker with aws:SourceAccount and Step Functions with aws:SourceArn pass', () => {
    assert.deepEqual(checkServiceTrustConfusedDeputy(role(trust('sagemaker.amazonaws.com', { StringEquals: { 'aws:SourceAccount': '123456789012' } }))), []);
    assert.deepEqual(checkServiceTrustConfusedDeputy(role(trust('states.amazonaws.com', { ArnLike: { 'aws:SourceArn': 'arn:aws:states:eu-west-1:123456789012:stateMachine:*' } }))), []);
  });
  test('a Lambda trust without conditions passes: Lambda documents no confused-deputy condition for execution roles', () => {
    assert.deepEqual(checkServiceTrustConfusedDeputy(role(trust('lambda.amazonaws.com'))), []);
  });
  test('SageMaker, Step Functions or VPC Flow Logs trust without a source condition fails, naming the role and service', () => {
    for (const service of ['sagemaker.amazonaws.com', 'states.amazonaws.com', 'vpc-flow-logs.amazonaws.com']) {
      const problems = checkServiceTrustConfusedDeputy(role(trust(service)));
      assert.equal(problems.length, 1, service);
      assert.match(problems[0], new RegExp(`^R: trust statement 0 lets ${service.replace(/\./g, '\\.')} assume the role without`));
    }
  });
  test('a negated or unrelated condition does not count', () => {
    assert.equal(checkServiceTrustConfusedDeputy(role(trust('sagemaker.amazonaws.com', { StringNotEquals: { 'aws:SourceAccount': '999999999999' } }))).length, 1);
    assert.equal(checkServiceTrustConfusedDeputy(role(trust('sagemaker.amazonaws.com', { Bool: { 'aws:SecureTransport': 'true' } }))).length, 1);
  });
  test('a service listed in an array with another service is still checked', () => {
    assert.equal(checkServiceTrustConfusedDeputy(role(trust(['lambda.amazonaws.com', 'sagemaker.amazonaws.com']))).length, 1);
  });
});

describe('checkStudioSecurityGroupPorts', () => {
  const self = { 'Fn::GetAtt': ['Sg', 'GroupId'] };
  const rule = (IpProtocol, FromPort, ToPort, source = self) => ({
    Type: 'AWS::EC2::SecurityGroupIngress', Properties: { IpProtocol, FromPort, ToPort, GroupId: self, SourceSecurityGroupId: source },
  });
  const studio = (rules) => tpl({
    Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'studio' } },
    Domain: { Type: 'AWS::SageMaker::Domain', Properties: { DefaultUserSettings: { SecurityGroups: [self] } } },
    ...rules,
  });
  test('exactly NFS and TCP 8192-65535 from itself passes', () => {
    assert.deepEqual(checkStudioSecurityGroupPorts(studio({ A: rule('tcp', 2049, 2049), B: rule('tcp', 8192, 65535) })), []);
  });
  test('an all-traffic self rule fails, naming the group and the rules found', () => {
    const problems = checkStudioSecurityGroupPorts(studio({ A: rule('tcp', 2049, 2049), B: rule('-1') }));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Sg: .*\[-1 \*-\*, tcp 2049-2049\]/);
  });
  test('a missing app port rule or a rule from another group fails', () => {
    assert.equal(checkStudioSecurityGroupPorts(studio({ A: rule('tcp', 2049, 2049) })).length, 1);
    const other = checkStudioSecurityGroupPorts(studio({ A: rule('tcp', 2049, 2049), B: rule('tcp', 8192, 65535, { 'Fn::GetAtt': ['Other', 'GroupId'] }) }));
    assert.ok(other.some((p) => /^B: .*another source/.test(p)), other.join('\n'));
  });
});

describe('checkDefaultSecurityGroupsRestricted', () => {
  const vpc = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } };
  test('a VPC whose default group the CDK custom resource restricts passes', () => {
    assert.deepEqual(checkDefaultSecurityGroupsRestricted(tpl({
      Vpc: vpc, R: { Type: 'Custom::VpcRestrictDefaultSG', Properties: { DefaultSecurityGroupId: { 'Fn::GetAtt': ['Vpc', 'DefaultSecurityGroup'] } } },
    })), []);
  });
  test('a VPC without it fails, naming the VPC', () => {
    assert.deepEqual(checkDefaultSecurityGroupsRestricted(tpl({ Vpc: vpc })).map((p) => p.split(':')[0]), ['Vpc']);
  });
});
