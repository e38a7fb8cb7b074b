// The validator itself must be able to fail: each kind of defect in a request is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRequest, toRegExp } from './lib/sagemaker-api-model.mjs';

function validTrainingJob() {
  return {
    TrainingJobName: 'hf-bert-2024-01-01',
    HyperParameters: { epochs: '3', sagemaker_program: '"train.py"' },
    AlgorithmSpecification: {
      TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04',
      TrainingInputMode: 'File',
      EnableSageMakerMetricsTimeSeries: true,
    },
    RoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
    OutputDataConfig: { S3OutputPath: 's3://bucket/output' },
    ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  };
}

test('a valid CreateTrainingJob request has no problems', () => {
  assert.deepEqual(validateRequest('CreateTrainingJob', validTrainingJob()), []);
});

test('an unknown member is rejected', () => {
  const request = validTrainingJob();
  request.ResourceConfig.InstanceTyp = 'ml.g5.2xlarge';
  assert.deepEqual(validateRequest('CreateTrainingJob', request), ['CreateTrainingJob.ResourceConfig.InstanceTyp: unknown member']);
});

test('a missing required member is rejected', () => {
  const request = validTrainingJob();
  delete request.RoleArn;
  assert.deepEqual(validateRequest('CreateTrainingJob', request), ['CreateTrainingJob.RoleArn: required member is missing']);
});

test('a wrong type is rejected (string where an integer is required, number where a string is)', () => {
  const request = validTrainingJob();
  request.ResourceConfig.InstanceCount = '1';
  request.HyperParameters.epochs = 3;
  const problems = validateRequest('CreateTrainingJob', request);
  assert.ok(problems.includes('CreateTrainingJob.ResourceConfig.InstanceCount: expected an integer, got "1"'), problems.join('\n'));
  assert.ok(problems.includes('CreateTrainingJob.HyperParameters["epochs"]: expected a string, got 3'), problems.join('\n'));
});

test('a value outside the enum is rejected', () => {
  const request = validTrainingJob();
  request.AlgorithmSpecification.TrainingInputMode = 'Stream';
  const problems = validateRequest('CreateTrainingJob', request);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /TrainingInputMode: 'Stream' is not one of Pipe, File, FastFile/);
});

test('a too-long string and an out-of-range integer are rejected', () => {
  const request = validTrainingJob();
  request.HyperParameters.big = 'x'.repeat(2501);
  request.ResourceConfig.KeepAlivePeriodInSeconds = 21601; // botocore 1.43.11: max 21600 (1.29.27 had 3600)
  const problems = validateRequest('CreateTrainingJob', request);
  assert.ok(problems.some((p) => /HyperParameters\["big"\]: 2501 is above the maximum 2500/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /KeepAlivePeriodInSeconds: 21601 is above the maximum 21600/.test(p)), problems.join('\n'));
});

test('a pattern mismatch is rejected, and patterns must match the whole value', () => {
  const request = validTrainingJob();
  request.TrainingJobName = 'bad_name';
  request.RoleArn = 'arn:aws:iam::123456789012:user/someone';
  const problems = validateRequest('CreateTrainingJob', request);
  assert.ok(problems.some((p) => p.startsWith("CreateTrainingJob.TrainingJobName: 'bad_name' does not match")), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('CreateTrainingJob.RoleArn:')), problems.join('\n'));
});

test('list and map sizes are checked', () => {
  const request = validTrainingJob();
  for (let i = 0; i < 101; i++) request.HyperParameters[`k${i}`] = '1';
  request.Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  const problems = validateRequest('CreateTrainingJob', request);
  assert.ok(problems.some((p) => /HyperParameters: 103 is above the maximum 100/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /Tags: 51 is above the maximum 50/.test(p)), problems.join('\n'));
});

test('members newer than aws-sdk v2 (here SessionChainingConfig) are known to the model, with their types', () => {
  const request = validTrainingJob();
  request.SessionChainingConfig = { EnableSessionTagChaining: true };
  assert.deepEqual(validateRequest('CreateTrainingJob', request), []);
  request.SessionChainingConfig = { EnableSessionTagChaining: 'yes' };
  assert.equal(validateRequest('CreateTrainingJob', request).length, 1);
});

test('Java unicode classes translate to JS', () => {
  const tag = toRegExp('^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
  assert.ok(tag.test('Projet équipe 1'));
  assert.ok(!tag.test('a*b'));
});

test('current GPU training families are in the TrainingInstanceType enum; an unknown family is rejected', () => {
  for (const type of ['ml.g6.xlarge', 'ml.g6e.xlarge', 'ml.p5.48xlarge', 'ml.p5e.48xlarge', 'ml.p5en.48xlarge', 'ml.p6-b200.48xlarge']) {
    const request = validTrainingJob();
    request.ResourceConfig.InstanceType = type;
    assert.deepEqual(validateRequest('CreateTrainingJob', request), [], type);
  }
  const request = validTrainingJob();
  request.ResourceConfig.InstanceType = 'ml.g9.xlarge';
  assert.equal(validateRequest('CreateTrainingJob', request).length, 1);
});

test('an unknown operation is reported', () => {
  assert.deepEqual(validateRequest('CreateTrainingJobs', {}), ['CreateTrainingJobs: unknown SageMaker operation']);
});
