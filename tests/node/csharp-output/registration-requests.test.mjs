// The CreateModelPackage request each recipe's pipeline sends after a run, next to what SDK v2.257.6 sent for the same
// run and settings (tests/fixtures/sdk-captured/<recipe>-register.json: estimator.register(image_uri=<the platform's
// serving image>, content_types=..., response_types=..., inference_instances=..., transform_instances=...,
// model_package_group_name=..., approval_status="PendingManualApproval"), botocore-validated). Our request is the C#
// default and policy ($HF_TEST_RESULTS/registration/<recipe>-default.json, RecipePipelineFixture.LiteralRegistration)
// completed by the real run-time code (constructs/Orchestration/runtime/registration.mjs) for the captured run: our
// training request for the same job ($HF_TEST_RESULTS/requests/<recipe>-train.json, with the registered run's
// hyperparameters) and the Describe answer the capture stubbed (artifact, eval_loss 1.25).
// Every member is equal except the deliberate differences below (README, "Registering the trained model":
// divergence table), each checked here so that a new one fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { prepareRegistration } from '../../../constructs/Orchestration/runtime/registration.mjs';
import { validateRequest } from '../lib/sagemaker-api-model.mjs';
import { resultsDir } from '../lib/synthesized.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const results = resultsDir;
const read = (file) => JSON.parse(readFileSync(file, 'utf8'));

for (const recipe of ['translation', 'llm-sft']) {
  const defaultsFile = path.join(results, 'registration', `${recipe}-default.json`);

  test(`${recipe}: the registered request conforms to the API model and equals the SDK's but for the listed differences`, () => {
    assert.ok(existsSync(defaultsFile), `${defaultsFile} is missing: run the C# tests first (scripts/test.sh does)`);
    const { defaultRequest, policy } = read(defaultsFile);
    const capture = read(path.join(root, 'tests', 'fixtures', 'sdk-captured', `${recipe}-register.json`));
    assert.equal(capture.sdk.version, '2.257.6');
    const sdkCall = capture.captures.find((c) => c.call.startsWith('estimator.register(image_uri=image'));
    const sdk = structuredClone(sdkCall.request);
    // The captured run: our request for the job (with the registered run's hyperparameters) and the stubbed Describe.
    const { request } = read(path.join(results, 'requests', `${recipe}-train.json`));
    Object.assign(request.HyperParameters, Object.fromEntries(Object.entries(capture.settings.registeredRunHyperparameters ?? {})
      .map(([k, v]) => [k, JSON.stringify(v)])));
    const jobName = request.TrainingJobName;
    const artifact = `${request.OutputDataConfig.S3OutputPath}${jobName}/output/model.tar.gz`;
    const executionArn = `arn:aws:states:eu-west-1:111122223333:execution:Pipeline:${jobName}`;
    const { request: ours, refusal } = prepareRegistration({
      register: { defaults: defaultRequest, policy },
      mode: 'train',
      request,
      job: {
        TrainingJobName: jobName,
        TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${jobName}`,
        ModelArtifacts: { S3ModelArtifacts: artifact },
        FinalMetricDataList: [{ MetricName: 'eval_loss', Value: 1.25, Timestamp: '2026-01-01T01:00:00+00:00' }],
      },
      result: { status: 'Completed', mode: 'train', jobName, modelArtifacts: artifact },
      executionArn,
    });
    assert.equal(refusal, null);
    assert.deepEqual(validateRequest('CreateModelPackage', ours), []);
    assert.deepEqual(validateRequest('CreateModelPackage', sdk), []);

    // 1. Added by the platform: lineage, provenance and an idempotency token (the SDK sends none of them by default;
    //    botocore fills ClientToken with a random UUID, so a retried call would register twice).
    assert.equal(ours.CustomerMetadataProperties.trainingJobName, jobName);
    assert.equal(ours.CustomerMetadataProperties.modelDataUrl, artifact);
    assert.deepEqual(ours.MetadataProperties, { GeneratedBy: executionArn });
    assert.match(ours.ClientToken, /^[0-9a-f]{32}$/);
    for (const key of ['CustomerMetadataProperties', 'MetadataProperties', 'ClientToken']) {
      assert.equal(sdk[key], undefined, `the SDK sends no ${key}`);
      delete ours[key];
    }
    // 2. The group: the platform's is named <job prefix>-<environment>-<stack UUID>; the capture names the fixture's.
    assert.equal(ours.ModelPackageGroupName, sdk.ModelPackageGroupName);
    // 3. The model card's hyperparameters are the training request's, whose isolated sagemaker_submit_directory names
    //    the CDK asset's file (the training divergence, README "Intentional divergences from the SDK"; estimator.py
    //    line 140): normalised after checking it names the code channel's object.
    const code = request.InputDataConfig.find((c) => c.ChannelName === 'code').DataSource.S3DataSource.S3Uri.split('/').at(-1);
    const ourSubmit = JSON.stringify(`/opt/ml/input/data/code/${code}`);
    assert.ok(ours.ModelCard.ModelCardContent.includes(JSON.stringify(ourSubmit).slice(1, -1)), 'our card names the asset');
    ours.ModelCard.ModelCardContent = ours.ModelCard.ModelCardContent.replace(JSON.stringify(ourSubmit).slice(1, -1),
      JSON.stringify('"/opt/ml/input/data/code/sourcedir.tar.gz"').slice(1, -1));
    assert.equal(ours.ModelCard.ModelCardContent, sdk.ModelCard.ModelCardContent, 'the card, byte for byte as Python json.dumps writes it');

    // Everything else: member for member, in the SDK's order.
    assert.deepEqual(Object.keys(ours), Object.keys(sdk));
    assert.deepEqual(ours, sdk);
  });
}
