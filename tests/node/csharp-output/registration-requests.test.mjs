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

/**
 * The captured run of `recipe`, registered by the real run-time code: our request for the job (with the registered
 * run's hyperparameters) and the Describe answer the capture stubbed, executed as `executionArn`.
 */
function registeredRun(recipe, executionArn) {
  const defaultsFile = path.join(results, 'registration', `${recipe}-default.json`);
  assert.ok(existsSync(defaultsFile), `${defaultsFile} is missing: run the C# tests first (scripts/test.sh does)`);
  const { defaultRequest, policy } = read(defaultsFile);
  const capture = read(path.join(root, 'tests', 'fixtures', 'sdk-captured', `${recipe}-register.json`));
  const { request } = read(path.join(results, 'requests', `${recipe}-train.json`));
  Object.assign(request.HyperParameters, Object.fromEntries(Object.entries(capture.settings.registeredRunHyperparameters ?? {})
    .map(([k, v]) => [k, JSON.stringify(v)])));
  const jobName = request.TrainingJobName;
  const artifact = `${request.OutputDataConfig.S3OutputPath}${jobName}/output/model.tar.gz`;
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
  return { ours, capture, request, jobName, artifact };
}

for (const recipe of ['translation', 'llm-sft']) {
  test(`${recipe}: the registered request conforms to the API model and equals the SDK's but for the listed differences`, () => {
    const jobName = read(path.join(results, 'requests', `${recipe}-train.json`)).request.TrainingJobName;
    const executionArn = `arn:aws:states:eu-west-1:111122223333:execution:Pipeline:${jobName}`;
    const { ours, capture, request, artifact } = registeredRun(recipe, executionArn);
    assert.equal(capture.sdk.version, '2.257.6');
    const sdkCall = capture.captures.find((c) => c.call.startsWith('estimator.register(image_uri=image'));
    const sdk = structuredClone(sdkCall.request);
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

// README, "Registering the trained model": the request each recipe's pipeline sends for the captured run, as the real
// run-time code completes it, in a ```json block after `<!-- registration-request:<recipe> -->`. Two members are shown
// as placeholders: the model card (compared with the SDK's byte for byte above) and the token (32 hex digits).
const README_EXECUTIONS = {
  translation: 'arn:aws:states:eu-west-1:111122223333:execution:TranslationPipeline2F26379E-0a1B2c3D4e5F:run-1',
  'llm-sft': 'arn:aws:states:eu-west-1:111122223333:execution:LlmSftPipeline84671B9D-0a1B2c3D4e5F:run-1',
};

/** The JSON of the block after the recipe's marker in README.md. */
function readmeRequest(recipe) {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const marker = `<!-- registration-request:${recipe} -->`;
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README.md has no ${marker}`);
  const block = /^\s*```json\n([\s\S]*?)\n```/.exec(readme.slice(at + marker.length));
  assert.ok(block, `no \`\`\`json block follows ${marker}`);
  return JSON.parse(block[1]);
}

for (const [recipe, executionArn] of Object.entries(README_EXECUTIONS)) {
  test(`${recipe}: the README shows the request the run-time code sends for the captured run, member for member`, () => {
    const { ours } = registeredRun(recipe, executionArn);
    assert.deepEqual(validateRequest('CreateModelPackage', ours), []);
    assert.ok(ours.ModelCard.ModelCardContent.startsWith('{"training_details": '));
    ours.ModelCard.ModelCardContent = "<the SDK's card, byte for byte>";
    assert.match(ours.ClientToken, /^[0-9a-f]{32}$/);
    ours.ClientToken = '<32 hex digits>';
    const shown = readmeRequest(recipe);
    assert.deepEqual(shown, ours, `README.md's ${recipe} request differs from what the run sends:\n${JSON.stringify(ours, null, 2)}`);
    assert.deepEqual(Object.keys(shown), Object.keys(ours), 'the members in the order the run writes them');
  });
}
