// Notebook jobs with instance types of both kinds (HF_TEST_RESULTS/notebook/mixed-instance-types.template.json, written
// by the C# test SageMakerSdkDefaultsTests.MixedInstanceTypes_...: allowed ml.g5.xlarge, local NVMe storage, and
// ml.p3.2xlarge, EBS volumes). SageMaker takes no volume key for types with local storage and encrypts an EBS volume
// sent without one with the AWS managed key (API reference, ResourceConfig.VolumeKmsKeyId:
// https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html). The Studio role's policy, evaluated
// by the offline IAM simulator, must require the platform key exactly on the EBS types; every request also conforms to
// the SageMaker API model, and the policy stays within IAM's size quota.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { render, renderContext } from '../lib/intrinsics.mjs';
import { validateRequest } from '../lib/sagemaker-api-model.mjs';
import { allows, tunerRequest } from '../lib/notebook-iam.mjs';
import { resultsDir } from '../lib/synthesized.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const file = path.join(resultsDir, 'notebook', 'mixed-instance-types.template.json');
const account = '123456789012';
const region = 'eu-west-1';
const otherKey = `arn:aws:kms:${region}:${account}:key/00000000-0000-4000-a000-000000000000`;

test('the C# tests wrote the mixed-instance-types template', () => {
  assert.ok(existsSync(file), `${file} is missing: run dotnet test first (scripts/test.sh does)`);
});

if (existsSync(file)) {
  const template = JSON.parse(readFileSync(file, 'utf8'));
  const ctx = renderContext(template, { stackName: 'Test', account, region });
  const resources = Object.entries(template.Resources);
  const [[, lcc]] = resources.filter(([, r]) => r.Type === 'AWS::SageMaker::StudioLifecycleConfig');
  const script = Buffer.from(render(ctx, lcc.Properties.StudioLifecycleConfigContent), 'base64').toString('utf8');
  const config = YAML.parse(/<<'SAGEMAKER_SDK_DEFAULTS'\n([\s\S]*?)\nSAGEMAKER_SDK_DEFAULTS\n/.exec(script)[1]);
  const job = config.SageMaker.TrainingJob;
  const keyArn = job.OutputDataConfig.KmsKeyId;
  const policies = resources.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
    .map(([id, r]) => ({ name: id, policy: render(ctx, r.Properties.PolicyDocument) }));
  const bucket = config.SageMaker.PythonSDK.Modules.Session.DefaultS3Bucket;

  /** What the estimator sends with the defaults on `type` (it drops the volume key on local-storage types). */
  const training = (type, volumeKey) => {
    const name = 'huggingface-pytorch-training-2026-11-30-19-30-00-123';
    return {
      TrainingJobName: name,
      AlgorithmSpecification: { TrainingImage: `763104351884.dkr.ecr.${region}.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04`, TrainingInputMode: 'File' },
      RoleArn: job.RoleArn,
      OutputDataConfig: { S3OutputPath: `s3://${bucket}/notebook/`, KmsKeyId: keyArn },
      ResourceConfig: { InstanceType: type, InstanceCount: 1, VolumeSizeInGB: 30, ...(volumeKey ? { VolumeKmsKeyId: volumeKey } : {}) },
      VpcConfig: structuredClone(job.VpcConfig),
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      Tags: structuredClone(job.Tags),
    };
  };
  const remote = (type, volumeKey) => {
    const r = training(type, volumeKey);
    r.EnableNetworkIsolation = false;
    r.Tags = structuredClone(config.SageMaker.PythonSDK.Modules.RemoteFunction.Tags);
    return r;
  };
  const tuning = (type, volumeKey) => tunerRequest(training(type, volumeKey));

  const T = 'CreateTrainingJob';
  const H = 'CreateHyperParameterTuningJob';
  const rows = [
    [T, 'EBS type with the platform volume key', () => training('ml.p3.2xlarge', keyArn), true],
    [T, 'EBS type without a volume key (AWS managed key)', () => training('ml.p3.2xlarge'), false],
    [T, 'EBS type with another volume key', () => training('ml.p3.2xlarge', otherKey), false],
    [T, 'local-storage type without a volume key', () => training('ml.g5.xlarge'), true],
    [T, 'local-storage type with another volume key', () => training('ml.g5.xlarge', otherKey), false],
    [T, '@remote on the EBS type with the platform volume key', () => remote('ml.p3.2xlarge', keyArn), true],
    [T, '@remote on the EBS type without a volume key', () => remote('ml.p3.2xlarge'), false],
    [T, '@remote on the local-storage type (its default) without a volume key', () => remote('ml.g5.xlarge'), true],
    [H, 'tuning on the EBS type with the platform volume key', () => tuning('ml.p3.2xlarge', keyArn), true],
    [H, 'tuning on the EBS type without a volume key', () => tuning('ml.p3.2xlarge'), false],
    [H, 'tuning on the local-storage type without a volume key', () => tuning('ml.g5.xlarge'), true],
  ];

  test('the @remote defaults follow their own instance type: no volume key on ml.g5.xlarge', () => {
    assert.equal(config.SageMaker.PythonSDK.Modules.RemoteFunction.InstanceType, 'ml.g5.xlarge');
    assert.equal(config.SageMaker.PythonSDK.Modules.RemoteFunction.VolumeKmsKeyId, undefined);
  });

  test('every request of the mixed-types table conforms to the SageMaker API model', () => {
    for (const [operation, label, make] of rows) assert.deepEqual(validateRequest(operation, make()), [], `${operation} '${label}'`);
  });

  test('the notebook policy of an environment with both kinds of types, tags and @remote fits IAM\'s managed policy quota', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: 6,144 characters, whitespace not counted.
    for (const p of policies) {
      const size = JSON.stringify(p.policy).replace(/\s/g, '').length;
      assert.ok(size <= 6144, `${p.name}: ${size} characters`);
    }
  });

  test('the platform volume key is required exactly on instance types with EBS volumes (offline IAM simulation)', async () => {
    const outcome = [];
    for (const [operation, label, make, expected] of rows) {
      outcome.push({ label: `${operation} '${label}'`, expected, actual: await allows(policies, ctx, operation, make()) });
    }
    assert.deepEqual(outcome.filter((o) => o.actual !== o.expected), [], JSON.stringify(outcome, null, 1));
  });
}
