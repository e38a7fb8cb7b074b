// Every role of every synthesized stack ($HF_CDK_OUT, else cdk.out) fits IAM's policy quotas with room to grow
// (IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: inline policies of
// a role 10,240 characters in total, a customer managed policy 6,144, a trust policy 2,048 by default, 10 managed
// policies per role by default; whitespace not counted). Placeholders have CloudFormation's lengths
// (lib/intrinsics.mjs). The product's own policies are customer managed (no inline policy of ours: HIPAA.Security and
// NIST.800.53.R5 IAMNoInlinePolicy in policy.test.mjs), so the one inline quota no longer grows with the environment;
// each managed policy must stay under 80% of its quota.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { render, renderContext } from './lib/intrinsics.mjs';
import { identityPolicies, managedPolicyArns, policySize } from './lib/iam-policies.mjs';

export const QUOTAS = Object.freeze({ inlinePerRole: 10240, managedPolicy: 6144, trustPolicy: 2048, managedPoliciesPerRole: 10 });
const HEADROOM = 0.8;

for (const stack of listStacks()) {
  const template = readTemplate(stack);
  const ctx = renderContext(template, { stackName: stack.name, account: stack.environment.account, region: stack.environment.region });
  const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
  describe(stack.name, () => {
    test('the stack has roles to check', () => assert.ok(roles.length >= 5, `${roles.length} roles`));
    for (const [roleId, role] of roles) {
      test(`${roleId}: within the inline, managed, trust and attachment quotas`, (t) => {
        const policies = identityPolicies(template, ctx, roleId);
        const inline = policies.filter((p) => p.type !== 'AWS::IAM::ManagedPolicy').reduce((n, p) => n + policySize(p.policy), 0);
        const managed = policies.filter((p) => p.type === 'AWS::IAM::ManagedPolicy');
        const attached = managed.length + managedPolicyArns(template, ctx, roleId).length;
        const trust = policySize(render(ctx, role.Properties.AssumeRolePolicyDocument));
        t.diagnostic(`inline ${inline}; managed ${managed.map((p) => `${p.name} ${policySize(p.policy)}`).join(', ') || '-'}; trust ${trust}; attached ${attached}`);
        const problems = [];
        if (inline > QUOTAS.inlinePerRole * HEADROOM) problems.push(`inline policies ${inline} characters (quota ${QUOTAS.inlinePerRole})`);
        for (const p of managed) {
          const size = policySize(p.policy);
          if (size > QUOTAS.managedPolicy * HEADROOM) problems.push(`${p.name} ${size} characters (quota ${QUOTAS.managedPolicy})`);
        }
        if (trust > QUOTAS.trustPolicy * HEADROOM) problems.push(`trust policy ${trust} characters (quota ${QUOTAS.trustPolicy})`);
        if (attached > QUOTAS.managedPoliciesPerRole) problems.push(`${attached} managed policies attached (quota ${QUOTAS.managedPoliciesPerRole})`);
        assert.deepEqual(problems, []);
      });
    }
  });
}
