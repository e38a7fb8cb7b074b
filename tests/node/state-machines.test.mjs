// Unit tests of the SageMaker request extractor used by asl.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sagemakerRequests, staticParts, triageErrors, walkStates } from './lib/state-machines.mjs';

const definition = {
  StartAt: 'Build',
  States: {
    Build: { Type: 'Pass', Result: { request: { AlgorithmSpecification: { TrainingInputMode: 'File' }, ResourceConfig: { InstanceCount: 1 } } }, ResultPath: '$.built', Next: 'Fan' },
    Fan: {
      Type: 'Parallel', End: true,
      Branches: [{
        StartAt: 'Train',
        States: {
          Train: {
            Type: 'Task', Resource: 'arn:aws:states:::sagemaker:createTrainingJob.sync', End: true,
            Parameters: { 'TrainingJobName.$': '$.name', ResourceConfig: { 'InstanceType.$': '$.type', InstanceCount: 1 }, StoppingCondition: { MaxRuntimeInSeconds: 3600 } },
          },
        },
      }, {
        StartAt: 'Tune',
        States: { Tune: { Type: 'Task', Resource: 'arn:aws-us-gov:states:::sagemaker:createHyperParameterTuningJob', QueryLanguage: 'JSONata', Arguments: '{% $states.input.tuning %}', End: true } },
      }],
    },
  },
};

test('walkStates descends into Parallel branches', () => {
  assert.deepEqual(walkStates(definition).map((s) => s.path), ['Build', 'Fan', 'Fan/Branches[0]/Train', 'Fan/Branches[1]/Tune']);
});

test('staticParts drops JsonPath and JSONata values and lists them as run-time paths', () => {
  const { value, runtime } = staticParts({ 'A.$': '$.a', B: { 'C.$': '$.c', D: 2 }, E: '{% $x %}', F: ['x', '{% $y %}'] });
  assert.deepEqual(value, { B: { D: 2 }, F: ['x'] });
  assert.deepEqual(runtime, ['A', 'B.C', 'E', 'F[1]']);
});

test('sagemakerRequests finds Task requests, whole-JSONata requests and request-shaped Pass results', () => {
  const found = sagemakerRequests(definition);
  assert.deepEqual(found.map((r) => [r.state, r.operation, r.source, r.partial]), [
    ['Build Result.request', 'CreateTrainingJob', 'Pass', true],
    ['Fan/Branches[0]/Train', 'CreateTrainingJob', 'Task', false],
    ['Fan/Branches[1]/Tune', 'CreateHyperParameterTuningJob', 'Task', true],
  ]);
  assert.deepEqual(found[1].request, { ResourceConfig: { InstanceCount: 1 }, StoppingCondition: { MaxRuntimeInSeconds: 3600 } });
  assert.deepEqual(found[1].runtime, ['TrainingJobName', 'ResourceConfig.InstanceType']);
});

test('triageErrors explains only missing-member errors for run-time members (or any, for partial requests)', () => {
  const errors = ['TrainingJobName: required member missing', 'RoleArn: required member missing', "ResourceConfig.VolumeSizeInGB: -1 below min 1"];
  assert.deepEqual(triageErrors(errors, { runtime: ['TrainingJobName'], partial: false }).problems, errors.slice(1));
  assert.deepEqual(triageErrors(errors, { runtime: [], partial: true }).problems, [errors[2]]);
});
