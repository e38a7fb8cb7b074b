// Runs a rendered training state machine definition locally with aws-local-stepfunctions (pinned in package.json): the
// real PrepareRequest handler (constructs/Orchestration/runtime/prepare-request.mjs, also for the failure paths' parser
// and PrepareRegistration), SageMaker and SNS replaced by local handlers that record each request and answer as a
// completed job and a registered model package would (or as the caller's handlers say).
if (!Promise.withResolvers) {
  // aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22 and later); kept for a machine's older Node.
  Promise.withResolvers = function withResolvers() {
    let resolve; let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
const { StateMachine } = await import('aws-local-stepfunctions');
const { handler: prepareHandler } = await import('../../../constructs/Orchestration/runtime/prepare-request.mjs');

/** The describe response of a completed training job. */
export const completedTraining = (request, metrics = []) => ({
  TrainingJobName: request.TrainingJobName, TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed',
  TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${request.TrainingJobName}`,
  ModelArtifacts: { S3ModelArtifacts: `${request.OutputDataConfig.S3OutputPath}${request.TrainingJobName}/output/model.tar.gz` },
  FinalMetricDataList: metrics,
});

/** The describe response of a completed tuning job whose best training job is `best` (merged in). */
export const completedTuning = (request, best = {}) => ({
  HyperParameterTuningJobName: request.HyperParameterTuningJobName, HyperParameterTuningJobStatus: 'Completed',
  HyperParameterTuningJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/${request.HyperParameterTuningJobName}`,
  TrainingJobStatusCounters: { Completed: 1, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
  BestTrainingJob: {
    TrainingJobName: `${request.HyperParameterTuningJobName}-001-abcdef12`, TrainingJobStatus: 'Completed',
    TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/x', TunedHyperParameters: {}, ...best,
  },
});

/** The CreateModelPackage response: version `n` of the request's group. */
export const registered = (request, n = 1) => ({
  ModelPackageArn: `arn:aws:sagemaker:eu-west-1:111122223333:model-package/${request.ModelPackageGroupName}/${n}`,
});

/** What the function's handler does, as Step Functions reports it: the payload, or the error with its JSON cause. */
async function invoke(parameters) {
  try {
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await prepareHandler(parameters.Payload) };
  } catch (e) {
    throw Object.assign(new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] })), { name: e.name });
  }
}

/**
 * Runs `definition` (parsed ASL) on `input` as execution `name` of `stateMachineArn`; `training` and `tuning` answer
 * each SageMaker request (default: completed), `register` each CreateModelPackage call (default: version 1; throw to
 * fail it).
 * @returns {Promise<{ output?: object, error?: string, cause?: string,
 *   calls: { training: object[], tuning: object[], register: object[], sns: object[], registeredSns: object[] } }>}
 */
export async function runLocally(definition, input, { name, stateMachineArn, training = completedTraining, tuning = completedTuning, register = registered }) {
  const calls = { training: [], tuning: [], register: [], sns: [], registeredSns: [] };
  const local = structuredClone(definition);
  // Execution timeouts can exceed Node's largest timer (2^31 - 1 ms, about 24.8 days), which aws-local-stepfunctions
  // would turn into a 1 ms timeout; the local runs do not test them (the C# tests check their values).
  delete local.TimeoutSeconds;
  const sm = new StateMachine(local, { validationOptions: { checkArn: false } });
  const execution = sm.run(input, {
    overrides: {
      taskResourceLocalHandlers: {
        PrepareRequest: invoke,
        ParseInvalidInput: invoke,
        ParseFailedJob: invoke,
        PrepareRegistration: invoke,
        RunTrainingJob: async (request) => { calls.training.push(structuredClone(request)); return training(request); },
        RunTuningJob: async (request) => { calls.tuning.push(structuredClone(request)); return tuning(request); },
        RegisterModel: async (request) => { calls.register.push(structuredClone(request)); return register(request, calls.register.length); },
        NotifyFailure: async (parameters) => { calls.sns.push(structuredClone(parameters)); return { MessageId: 'm-1' }; },
        NotifyRegistered: async (parameters) => { calls.registeredSns.push(structuredClone(parameters)); return { MessageId: 'm-2' }; },
      },
      waitTimeOverrides: { WaitForCapacity: 0 },
      retryIntervalOverrides: {
        RunTrainingJob: 0, RunTuningJob: 0, PrepareRequest: 0, NotifyFailure: 0, ParseInvalidInput: 0, ParseFailedJob: 0,
        PrepareRegistration: 0, RegisterModel: 0, NotifyRegistered: 0,
      },
    },
    context: { Execution: { Id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, Name: name, Input: input } },
  });
  try {
    return { output: await execution.result, calls };
  } catch (e) {
    const failure = e.cause ?? e;
    return { error: failure.name, cause: failure.message, calls };
  }
}
