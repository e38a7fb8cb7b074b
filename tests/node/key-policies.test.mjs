// Every KMS key of every synthesized stack ($HF_CDK_OUT, else cdk.out) lets no principal create a grant unless an AWS
// service creates it for an AWS resource (kms:GrantIsForAWSResource; AWS KMS developer guide, "Controlling access to
// grants"): a grant outlives the policy that allowed it and appears in no policy. Evaluated on the rendered key policy
// by an offline IAM policy simulator nobody on this project wrote (@cloud-copilot/iam-simulate, pinned in
// package.json): an administrator role whose identity policy allows kms:* in the account may still not create a grant
// for itself or anyone, but SageMaker and Studio may create theirs (the flag set to true by the service).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { render, renderContext } from './lib/intrinsics.mjs';

async function createGrant(ctx, keyPolicy, keyArn, contextVariables) {
  const result = await runSimulation({
    identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: keyPolicy,
    request: {
      principal: `arn:aws:iam::${ctx.account}:role/Administrator`,
      action: 'kms:CreateGrant',
      resource: { resource: keyArn, accountId: ctx.account },
      contextVariables,
    },
  }, {});
  if (result.errors) throw new Error(`the simulator rejected the input: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const stacks = listStacks();
test('the stacks hold KMS keys to check (the check is not vacuous)', () => {
  const keys = stacks.flatMap((s) => Object.values(readTemplate(s).Resources).filter((r) => r.Type === 'AWS::KMS::Key'));
  assert.ok(keys.length >= stacks.length * 2, `${keys.length} keys in ${stacks.length} stacks`);
});

for (const stack of stacks) {
  const template = readTemplate(stack);
  const ctx = renderContext(template, { stackName: stack.name, account: stack.environment.account, region: stack.environment.region });
  describe(stack.name, () => {
    for (const [id, key] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::KMS::Key')) {
      test(`${id}: grants only for AWS resources, even for an administrator of the account`, async () => {
        const policy = render(ctx, key.Properties.KeyPolicy);
        const arn = `arn:aws:kms:${ctx.region}:${ctx.account}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
        assert.equal(await createGrant(ctx, policy, arn, { 'kms:GrantIsForAWSResource': 'true' }), 'Allowed', 'a grant SageMaker creates for a job volume');
        assert.equal(await createGrant(ctx, policy, arn, { 'kms:GrantIsForAWSResource': 'false' }), 'ExplicitlyDenied', 'a grant the administrator creates');
        assert.equal(await createGrant(ctx, policy, arn, {}), 'ExplicitlyDenied', 'a request without the key');
      });
    }
  });
}
