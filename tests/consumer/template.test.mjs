// Checks what tests/consumer/run.sh produced: the package (metadata as NuGet reads it from the .nuspec), a copy of
// constructs/ alone (its own settings), the external net8.0 app's restore (it resolved the package's net8.0 assets), its
// synthesis output (no jsii notice that the Node is untested or end-of-life) and the app's synthesized template (imports only: no VPC, bucket or key of its own; the pipeline's defaults; the grant
// to another role; the default request valid against the botocore SageMaker API model; cdk-nag AwsSolutions, HIPAA Security
// and NIST 800-53 R5 clean).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { stateMachineDefinitions } from '../node/lib/intrinsics.mjs';
import { validateRequest } from '../node/lib/sagemaker-api-model.mjs';
import { runNag, formatFinding } from '../node/lib/nag.mjs';

const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests/consumer/run.sh`);
  return value;
};
const cdkOut = need('CONSUMER_CDK_OUT');
const nupkg = need('CONSUMER_NUPKG');
const templateFile = path.join(cdkOut, 'TeamTrainingStack.template.json');
const template = JSON.parse(readFileSync(templateFile, 'utf8'));
const resources = Object.entries(template.Resources);
const ofType = (type) => resources.filter(([, r]) => r.Type === type);
const nuspec = readFileSync(path.join(nupkg, 'HfSageMaker.Constructs.nuspec'), 'utf8');
const packedVersion = /<version>([^<]+)<\/version>/.exec(nuspec)[1];

describe('package', () => {
  test('declares CDK and Constructs ranges for net8.0 and net10.0, not exact pins', () => {
    for (const tfm of ['net8.0', 'net10.0']) {
      const group = new RegExp(`<group targetFramework="${tfm.replace('.', '\\.')}">([\\s\\S]*?)</group>`).exec(nuspec);
      assert.ok(group, `no dependency group for ${tfm} in the nuspec`);
      assert.match(group[1], /<dependency id="Amazon\.CDK\.Lib" version="\[2\.160\.0, 3\.0\.0\)"/);
      assert.match(group[1], /<dependency id="Constructs" version="\[10\.0\.5, 11\.0\.0\)"/);
      assert.ok(existsSync(path.join(nupkg, 'lib', tfm, 'HfSageMaker.Constructs.dll')), `lib/${tfm} is missing`);
      assert.ok(existsSync(path.join(nupkg, 'lib', tfm, 'HfSageMaker.Constructs.xml')), `XML docs for ${tfm} are missing`);
    }
  });

  test('carries a readme, the license expression and the repository', () => {
    assert.match(nuspec, /<readme>README\.md<\/readme>/);
    assert.ok(existsSync(path.join(nupkg, 'README.md')));
    assert.match(nuspec, /<license type="expression">Apache-2\.0<\/license>/);
    assert.match(nuspec, /<repository type="git"/);
  });

  test('records the commit it was built from in a clone, and none without git (a source download)', () => {
    const expected = need('CONSUMER_SOURCE_COMMIT'); // git's HEAD, "unknown" (a clone without git) or "none"
    const recorded = /<repository type="git"[^>]*?commit="([^"]*)"/.exec(nuspec)?.[1];
    if (expected === 'none') assert.equal(recorded, undefined, 'a commit is recorded although the sources are no git clone');
    else if (expected === 'unknown') assert.match(recorded ?? '', /^[0-9a-f]{40}$/);
    else assert.equal(recorded, expected, 'Source Link recorded another commit than git HEAD');
  });

  test('constructs/ copied out alone keeps its frameworks, language settings and the packed version', () => {
    const alone = JSON.parse(readFileSync(need('CONSUMER_ALONE'), 'utf8')).Properties;
    assert.equal(alone.TargetFrameworks, 'net8.0;net10.0');
    assert.equal(alone.ImplicitUsings, 'enable');
    assert.equal(alone.Nullable, 'enable');
    assert.equal(alone.Version, packedVersion);
  });

  test('the net8.0 app restored the package and compiles against its net8.0 assembly', () => {
    const assets = JSON.parse(readFileSync(need('CONSUMER_RESTORE'), 'utf8'));
    const net8 = assets.targets['net8.0'];
    assert.ok(net8, `targets: ${Object.keys(assets.targets)}`);
    const library = net8[`HfSageMaker.Constructs/${packedVersion}`];
    assert.ok(library, 'HfSageMaker.Constructs is not in the net8.0 restore graph');
    assert.deepEqual(Object.keys(library.compile), ['lib/net8.0/HfSageMaker.Constructs.dll']);
    assert.ok(net8['Amazon.CDK.Lib/2.160.0'], 'the app keeps its own CDK version');
  });
});

describe('the synthesis', () => {
  test('on the Node package.json engines names, prints no jsii notice that the Node is untested or end-of-life', () => {
    // jsii's kernel (@jsii/check-node) prints a boxed "!!" notice when it does not know the Node it runs on ("This
    // software has not been tested with node ...") or knows it as end-of-life or unsupported.
    const engines = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).engines.node;
    const node = need('CONSUMER_JSII_NODE');
    assert.ok(Number(/^v(\d+)\./.exec(node)?.[1]) >= Number(/^>=\s*(\d+)$/.exec(engines)?.[1]),
      `the app was synthesized on Node ${node}; package.json engines.node is ${engines}`);
    const notices = readFileSync(need('CONSUMER_SYNTH_LOG'), 'utf8').split('\n')
      .filter((line) => /not been tested with node|untested|end-of-life|unsupported/i.test(line));
    assert.deepEqual(notices, [], `jsii printed a Node-support notice on Node ${node}: the app needs the jsii runtime `
      + 'the README names (section "Use the constructs in your own stack")');
  });
});

describe('the consumer stack', () => {
  test('imports the VPC, buckets and key: it creates none of its own', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::S3::Bucket', 'AWS::KMS::Key']) {
      assert.deepEqual(ofType(type).map(([id]) => id), [], `${type} created`);
    }
  });

  test('the notification topic is created by default, encrypted with the team key and TLS-only', () => {
    const topics = ofType('AWS::SNS::Topic');
    assert.equal(topics.length, 1);
    assert.equal(topics[0][1].Properties.KmsMasterKeyId, 'arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0');
    const policy = ofType('AWS::SNS::TopicPolicy').map(([, r]) => JSON.stringify(r.Properties)).join('\n');
    assert.match(policy, /"aws:SecureTransport":"false"/);
  });

  const [machine] = stateMachineDefinitions(template, { account: '111122223333', region: 'eu-west-1', stackName: 'TeamTrainingStack' });
  const definition = JSON.parse(machine.text);
  const payload = definition.States.PrepareRequest.Parameters.Payload;
  const request = payload.defaults.training;

  test('the image follows the job versions: the SDK\'s URI for transformers 4.36.0 / PyTorch 2.1.0 / py310', () => {
    // sagemaker-python-sdk src/sagemaker/image_uri_config/huggingface.json (training, 4.36.0 -> pytorch2.1.0,
    // py310, cu121-ubuntu20.04; eu-west-1 registry 763104351884).
    assert.equal(request.AlgorithmSpecification.TrainingImage,
      '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04');
  });

  test('the guardrails default to the job: its instance type, count and run time', () => {
    assert.deepEqual(Object.keys(payload.policy.instanceTypes), ['ml.g5.xlarge']);
    assert.equal(payload.policy.instanceCount.max, 1);
    assert.equal(payload.policy.maxRuntimeSeconds, 4 * 3600);
  });

  test('jobs run in the VPC\'s private subnets with egress (the default when it has no isolated ones)', () => {
    assert.deepEqual(request.VpcConfig.Subnets, ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f']);
    const [, fn] = ofType('AWS::Lambda::Function')[0];
    assert.deepEqual(fn.Properties.VpcConfig.SubnetIds, ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f']);
  });

  test('every run registers into the team\'s existing group only, pending approval, with the nearest CPU inference image', () => {
    const register = definition.States.PrepareRegistration.Parameters.Payload.register.defaults;
    assert.equal(register.ModelPackageGroupName, 'team-sentiment');
    assert.equal(register.ModelApprovalStatus, 'PendingManualApproval');
    // HuggingFaceInferenceImage.Nearest: training 4.36.0 / 2.1.0 -> inference 4.37.0 / 2.1.0 / py310; ml.m5 is a CPU
    // family (image_uris.py _processor), CPU tag suffix ubuntu22.04 (sagemaker-python-sdk huggingface.json, inference).
    assert.equal(register.InferenceSpecification.Containers[0].Image,
      '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04');
    assert.deepEqual(ofType('AWS::SageMaker::ModelPackageGroup'), [], 'an imported group creates nothing');
    const statements = ofType('AWS::IAM::ManagedPolicy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
    const create = statements.filter((s) => [s.Action].flat().includes('sagemaker:CreateModelPackage'));
    assert.equal(create.length, 1);
    assert.match(JSON.stringify(create[0].Resource), /:model-package\/team-sentiment\/\*"/);
    assert.deepEqual(create[0].Condition, { StringEquals: { 'sagemaker:ModelApprovalStatus': ['PendingManualApproval'] } });
  });

  test('the default request is valid for the botocore SageMaker API model', () => {
    const problems = validateRequest('CreateTrainingJob', { ...request, TrainingJobName: 'team-sent-20250101' });
    assert.deepEqual(problems, []);
    assert.equal(request.OutputDataConfig.S3OutputPath, 's3://team-ml-artifacts/team-sent/');
    assert.equal(request.OutputDataConfig.KmsKeyId, 'arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0');
    assert.equal(request.HyperParameters.sagemaker_program, '"train.py"');
  });

  test('the team CI role may start executions of this state machine only', () => {
    const [machineId] = ofType('AWS::StepFunctions::StateMachine')[0];
    const ci = ofType('AWS::IAM::Policy').filter(([, r]) => JSON.stringify(r.Properties.Roles) === '["team-ci"]');
    assert.equal(ci.length, 1);
    const statements = ci[0][1].Properties.PolicyDocument.Statement;
    assert.deepEqual(statements, [{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId } }]);
  });

  test('the execution role the pipeline created by default reads and writes the imported buckets with the team key', () => {
    // No ExecutionRole in the props: the pipeline's child 'ExecutionRole' (a SageMakerExecutionRole) is the jobs' role.
    const roles = ofType('AWS::IAM::Role').filter(([id]) => id.startsWith('PipelineExecutionRole'));
    assert.equal(roles.length, 1, 'no role created by the pipeline');
    const [roleId, roleResource] = roles[0];
    assert.equal(roleResource.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service, 'sagemaker.amazonaws.com');
    const passRole = ofType('AWS::IAM::ManagedPolicy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement)
      .filter((st) => st.Action === 'iam:PassRole');
    assert.deepEqual(passRole.map((st) => st.Resource), [{ 'Fn::GetAtt': [roleId, 'Arn'] }]);
    const role = ofType('AWS::IAM::ManagedPolicy').find(([id]) => id.startsWith('PipelineExecutionRoleDefaultPolicy'));
    const text = JSON.stringify(role[1].Properties.PolicyDocument);
    for (const bucket of ['team-ml-datasets', 'team-ml-artifacts', 'team-ml-checkpoints']) {
      assert.ok(text.includes(`:s3:::${bucket}/*`), `${bucket} objects not granted`);
    }
    assert.ok(text.includes('arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'));
    assert.match(text, /"kms:Decrypt"/);
  });

  test('the reviewers may approve the group\'s versions only, describe them, and list', () => {
    const [[, policy]] = ofType('AWS::IAM::Policy').filter(([, r]) => JSON.stringify(r.Properties.Roles) === '["team-model-reviewers"]');
    const statements = policy.Properties.PolicyDocument.Statement;
    const resources = (action) => statements.filter((s) => [s.Action].flat().includes(action)).map((s) => JSON.stringify(s.Resource));
    assert.match(resources('sagemaker:UpdateModelPackage').join(), /:model-package\/team-sentiment\/\*"/);
    assert.deepEqual(resources('sagemaker:ListModelPackages'), ['"*"']);
  });

  test('cdk-nag AwsSolutions, HIPAA Security and NIST 800-53 R5 find no unsuppressed error', () => {
    const { errors, ruleFailures, suppressed } = runNag(templateFile);
    // The app's own grants to its imported roles (Role.FromRoleArn: CI, reviewers) are inline AWS::IAM::Policy
    // resources that aws-cdk-lib attaches to imported roles: the app's resources, not the library's, so the two packs'
    // inline-policy rule is the app's to decide. Everything else must be clean, the wildcards of the library's grants
    // (GrantApprove's versions and lists) included: the grant suppresses them with its reason.
    const appsOwn = (f) => /^(CiRole|Reviewers)Policy/.test(f.logicalId) && /IAMNoInlinePolicy$/.test(f.ruleId);
    assert.equal([...errors].filter(appsOwn).length, 4, 'the app-owned findings are there (HIPAA and NIST, two roles), so the filter below filters something');
    assert.deepEqual([...errors, ...ruleFailures].filter((f) => !appsOwn(f)).map((f) => formatFinding('TeamTrainingStack', f)), []);
    const reviewers = suppressed.filter((f) => f.logicalId.startsWith('ReviewersPolicy') && f.ruleId === 'AwsSolutions-IAM5');
    assert.deepEqual(reviewers.map((f) => f.findingId).sort(),
      ['Resource::*', 'Resource::arn:<AWS::Partition>:sagemaker:eu-west-1:111122223333:model-package/team-sentiment/*']);
  });
});
