// Runs a rendered training state machine definition locally with aws-local-stepfunctions (pinned in package.json): the
// real PrepareRequest handler (constructs/Orchestration/runtime/prepare-request.mjs), SageMaker and SNS replaced by
// local handlers that record each request and answer as a completed job would.
if (!Promise.withResolvers) {
  // aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22); the suite also runs on Node 20.
  Promise.withResolvers = function withResolvers() {
    let resolve; let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
const { StateMachine } = await import('aws-local-stepfunctions');
const { handler: prepareHandler } = await import('../../../constructs/Orchestration/runtime/prepare-request.mjs');

/**
 * Runs `definition` (parsed ASL) on `input` as execution `name` of `stateMachineArn`.
 * @returns {Promise<{ error?: string, cause?: string, training: object[], tuning: object[] }>} the SageMaker requests sent.
 */
export async function runLocally(definition, input, { name, stateMachineArn }) {
  const calls = { training: [], tuning: [] };
  const local = structuredClone(definition);
  // Execution timeouts can exceed Node's largest timer; the local runs do not test them.
  delete local.TimeoutSeconds;
  const sm = new StateMachine(local, { validationOptions: { checkArn: false } });
  const execution = sm.run(input, {
    overrides: {
      taskResourceLocalHandlers: {
        PrepareRequest: async (parameters) => {
          try {
            return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await prepareHandler(parameters.Payload) };
          } catch (e) {
            throw Object.assign(new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] })), { name: e.name });
          }
        },
        RunTrainingJob: async (request) => {
          calls.training.push(structuredClone(request));
          return {
            TrainingJobName: request.TrainingJobName, TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed',
            TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${request.TrainingJobName}`,
            ModelArtifacts: { S3ModelArtifacts: `${request.OutputDataConfig.S3OutputPath}${request.TrainingJobName}/output/model.tar.gz` },
            FinalMetricDataList: [],
          };
        },
        RunTuningJob: async (request) => {
          calls.tuning.push(structuredClone(request));
          return {
            HyperParameterTuningJobName: request.HyperParameterTuningJobName, HyperParameterTuningJobStatus: 'Completed',
            HyperParameterTuningJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/${request.HyperParameterTuningJobName}`,
            TrainingJobStatusCounters: { Completed: 1, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
            BestTrainingJob: {
              TrainingJobName: `${request.HyperParameterTuningJobName}-001-abcdef12`, TrainingJobStatus: 'Completed',
              TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/x', TunedHyperParameters: {},
            },
          };
        },
        NotifyFailure: async () => ({ MessageId: 'm-1' }),
      },
      waitTimeOverrides: { WaitForCapacity: 0 },
      retryIntervalOverrides: { RunTrainingJob: 0, RunTuningJob: 0, PrepareRequest: 0, NotifyFailure: 0 },
    },
    context: { Execution: { Id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, Name: name, Input: input } },
  });
  try {
    await execution.result;
    return calls;
  } catch (e) {
    const failure = e.cause ?? e;
    return { ...calls, error: failure.name, cause: failure.message };
  }
}
