// Every role that may create tuning jobs (the pipeline's state machine role; the Studio role where notebookJobs is on)
// may do so under every reading of sagemaker:MaxRuntimeInSeconds for CreateHyperParameterTuningJob. The Service
// Authorization Reference lists the key for the action as "the maximum runtime of the stopping condition associated
// with the request" without naming the field
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html): it may be the training
// definition's StoppingCondition.MaxRuntimeInSeconds, the tuner's ResourceLimits.MaxRuntimeInSeconds (unset in our
// requests, as in the SDK's), or nothing. Each reading is evaluated on the synthesized, rendered policies by an offline
// IAM policy simulator nobody on this project wrote (@cloud-copilot/iam-simulate, pinned in package.json), which
// also refuses context keys the action does not support.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { renderContext } from './lib/intrinsics.mjs';
import { identityPolicies, rolesTrusting } from './lib/iam-policies.mjs';

const asArray = (v) => (Array.isArray(v) ? v : [v]);

async function decision(policies, ctx, resource, contextVariables) {
  const result = await runSimulation({
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal: `arn:aws:iam::${ctx.account}:role/Caller`,
      action: 'sagemaker:CreateHyperParameterTuningJob',
      resource: { resource, accountId: ctx.account },
      contextVariables,
    },
  }, {});
  if (result.errors) throw new Error(`the simulator rejected the input: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** The tuning statement's own guardrail values: an allowed instance type and the run-time cap. */
function guardrails(policies) {
  const statement = policies.flatMap((p) => asArray(p.policy.Statement))
    .find((s) => s.Effect === 'Allow' && asArray(s.Action).includes('sagemaker:CreateHyperParameterTuningJob'));
  assert.ok(statement, 'a statement allows CreateHyperParameterTuningJob');
  const cap = Object.values(statement.Condition).map((c) => c['sagemaker:MaxRuntimeInSeconds']).find((v) => v !== undefined);
  const resource = asArray(statement.Resource)[0].replace(/\*$/, 'smoke-tune-1');
  return { type: statement.Condition['ForAllValues:StringEquals']['sagemaker:InstanceTypes'][0], cap: Number(cap), resource, statement };
}

for (const stack of listStacks()) {
  const template = readTemplate(stack);
  const ctx = renderContext(template, { stackName: stack.name, account: stack.environment.account, region: stack.environment.region });
  const roles = [
    ...rolesTrusting(template, 'states.amazonaws.com').map((id) => ['pipeline role', id]),
    ...rolesTrusting(template, 'sagemaker.amazonaws.com').map((id) => ['role', id]),
  ].filter(([, id]) => identityPolicies(template, ctx, id).some((p) => JSON.stringify(p.policy).includes('sagemaker:CreateHyperParameterTuningJob')));

  describe(stack.name, () => {
    test('at least the pipeline role may create tuning jobs (the check is not vacuous)', () => {
      assert.ok(roles.some(([kind]) => kind === 'pipeline role'), roles.join(', '));
    });
    for (const [kind, roleId] of roles) {
      test(`${kind} ${roleId}: tuning is allowed under each reading of sagemaker:MaxRuntimeInSeconds, and capped when the key is there`, async () => {
        const policies = identityPolicies(template, ctx, roleId);
        const { type, cap, resource, statement } = guardrails(policies);
        assert.ok(cap > 0, JSON.stringify(statement.Condition));
        // The other keys a compliant request of this role carries come from the statement itself (subnets, groups, key, flags).
        const base = { 'sagemaker:InstanceTypes': [type] };
        const c = statement.Condition;
        for (const k of ['sagemaker:VpcSubnets', 'sagemaker:VpcSecurityGroupIds']) if (c['ForAllValues:StringEquals']?.[k]) base[k] = asArray(c['ForAllValues:StringEquals'][k]);
        for (const [k, v] of Object.entries(c.Bool ?? {})) base[k] = v;
        for (const [k, v] of Object.entries(c.ArnEquals ?? {})) base[k] = v;
        const readings = {
          'the training definition StoppingCondition': { ...base, 'sagemaker:MaxRuntimeInSeconds': String(cap) },
          'the tuner ResourceLimits.MaxRuntimeInSeconds (unset)': base,
          'no field': base,
        };
        for (const [reading, context] of Object.entries(readings)) {
          assert.equal(await decision(policies, ctx, resource, context), 'Allowed', `denied when the key comes from ${reading}`);
        }
        assert.notEqual(await decision(policies, ctx, resource, { ...base, 'sagemaker:MaxRuntimeInSeconds': String(cap + 1) }), 'Allowed', 'a longer run time');
        assert.notEqual(await decision(policies, ctx, resource, { ...base, 'sagemaker:InstanceTypes': ['ml.m5.large'] }), 'Allowed', 'another instance type');
      });
    }
  });
}
