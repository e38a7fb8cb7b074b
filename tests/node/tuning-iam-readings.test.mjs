// The state machine role may create tuning jobs under every reading of sagemaker:MaxRuntimeInSeconds for
// CreateHyperParameterTuningJob. The Service Authorization Reference lists the key for the action as "the maximum runtime
// of the stopping condition associated with the request" without naming the field
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html): it may be the training
// definition's StoppingCondition.MaxRuntimeInSeconds, the tuner's ResourceLimits.MaxRuntimeInSeconds (unset in our
// requests, as in the SDK's), or nothing. Each reading is simulated on the synthesized policies with the condition
// operator semantics of the IAM reference
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
// a plain operator is false when the key is absent; ...IfExists is true when it is absent; Null "false" requires the
// key; ForAllValues: is true for an absent key and otherwise requires every value to match.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';

const asArray = (v) => (Array.isArray(v) ? v : [v]);

/** Evaluates one IAM Condition block against a request context ({ key: value | value[] }); absent keys are undefined. */
export function conditionHolds(condition, context) {
  return Object.entries(condition ?? {}).every(([operator, keys]) => Object.entries(keys).every(([key, expected]) => {
    const actual = context[key];
    const wanted = asArray(expected).map(String);
    let op = operator;
    let ifExists = false;
    if (op.endsWith('IfExists')) { ifExists = true; op = op.slice(0, -'IfExists'.length); }
    if (op === 'Null') return wanted.includes(String(actual === undefined));
    if (actual === undefined) return ifExists || op.startsWith('ForAllValues:');
    const values = asArray(actual).map(String);
    const compare = (base, v) => {
      switch (base) {
        case 'StringEquals': return wanted.includes(v);
        case 'NumericLessThanEquals': return wanted.some((w) => Number(v) <= Number(w));
        case 'NumericLessThan': return wanted.some((w) => Number(v) < Number(w));
        default: throw new Error(`operator ${base} is not simulated`);
      }
    };
    if (op.startsWith('ForAllValues:')) return values.every((v) => compare(op.slice('ForAllValues:'.length), v));
    if (op.startsWith('ForAnyValue:')) return values.some((v) => compare(op.slice('ForAnyValue:'.length), v));
    return values.every((v) => compare(op, v));
  }));
}

function statementsAllowing(template, action) {
  return Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => r.Properties.PolicyDocument.Statement)
    .filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes(action));
}

describe('the IAM condition simulation itself', () => {
  test('operators behave as the IAM reference says on absent and present keys', () => {
    assert.equal(conditionHolds({ NumericLessThanEquals: { k: '10' } }, {}), false);
    assert.equal(conditionHolds({ NumericLessThanEqualsIfExists: { k: '10' } }, {}), true);
    assert.equal(conditionHolds({ NumericLessThanEqualsIfExists: { k: '10' } }, { k: 11 }), false);
    assert.equal(conditionHolds({ NumericLessThanEquals: { k: '10' } }, { k: 10 }), true);
    assert.equal(conditionHolds({ Null: { k: 'false' } }, {}), false);
    assert.equal(conditionHolds({ 'ForAllValues:StringEquals': { k: ['a', 'b'] } }, {}), true);
    assert.equal(conditionHolds({ 'ForAllValues:StringEquals': { k: ['a', 'b'] } }, { k: ['a', 'c'] }), false);
  });
});

for (const stack of listStacks()) {
  const template = readTemplate(stack);
  describe(stack.name, () => {
    const tuning = statementsAllowing(template, 'sagemaker:CreateHyperParameterTuningJob');
    const training = statementsAllowing(template, 'sagemaker:CreateTrainingJob');

    test('tuning requests are allowed under each reading of sagemaker:MaxRuntimeInSeconds, and capped when the key is there', () => {
      assert.equal(tuning.length, 1, 'one statement allows CreateHyperParameterTuningJob');
      const [s] = tuning;
      const types = s.Condition['ForAllValues:StringEquals']['sagemaker:InstanceTypes'];
      const cap = Number(Object.values(s.Condition).find((c) => c['sagemaker:MaxRuntimeInSeconds'])['sagemaker:MaxRuntimeInSeconds']);
      const instance = { 'sagemaker:InstanceTypes': [types[0]] };
      const readings = {
        'training definition StoppingCondition': { ...instance, 'sagemaker:MaxRuntimeInSeconds': cap },
        'tuner ResourceLimits.MaxRuntimeInSeconds (unset)': { ...instance },
        'no field': { ...instance },
      };
      for (const [reading, context] of Object.entries(readings)) {
        assert.equal(conditionHolds(s.Condition, context), true, `denied when the key comes from the ${reading}`);
      }
      assert.equal(conditionHolds(s.Condition, { ...instance, 'sagemaker:MaxRuntimeInSeconds': cap + 1 }), false, 'a longer run time must be denied');
      assert.equal(conditionHolds(s.Condition, { 'sagemaker:InstanceTypes': ['ml.m5.large'] }), false, 'another instance type must be denied');
    });

    test('training requests still need the run-time key (CreateTrainingJob requires a StoppingCondition)', () => {
      assert.equal(training.length, 1);
      const [s] = training;
      const types = s.Condition['ForAllValues:StringEquals']['sagemaker:InstanceTypes'];
      assert.equal(conditionHolds(s.Condition, { 'sagemaker:InstanceTypes': [types[0]] }), false);
      assert.equal(conditionHolds(s.Condition, { 'sagemaker:InstanceTypes': [types[0]], 'sagemaker:MaxRuntimeInSeconds': 60 }), true);
    });
  });
}
