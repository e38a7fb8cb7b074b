// prepare(): validates the execution input against the policy and applies the overrides it allows to the default
// request. Only well-defined paths of the request are patched; everything else (image, role, code channel, KMS, VPC,
// checkpoints, retry strategy, warm pools, network isolation, metric definitions) reaches SageMaker as synthesized.
import { InvalidInputError, show } from './errors.mjs';
import { encodeHyperparameter } from './encoding.mjs';
import { validateInput, knownHyperparameters } from './input.mjs';
import { jobNameFor, jobNameRule } from './names.mjs';
import { checkRules } from './rules.mjs';
import { applyTuning, finalTuningProblems, rangeNames, validateTuning, TUNING_KEYS } from './tuning.mjs';
import { clone, isInt, isObject } from './values.mjs';

/**
 * Validates `event.input` and returns the request to send. Pure: no AWS calls.
 * Event: { input, defaults: { training, tuning|null }, policy, executionName, attempt }.
 * @returns {{mode: 'train'|'tune', request: object, summary: object}}
 */
export function prepare(event) {
  const { input: rawInput, defaults, policy, executionName } = event ?? {};
  const attempt = isInt(event?.attempt) && event.attempt >= 1 ? event.attempt : 1;
  if (!isObject(defaults) || !isObject(defaults.training) || !isObject(policy)) {
    throw new Error('PrepareRequest was invoked without its defaults/policy: the state machine definition is broken.');
  }
  const input = rawInput ?? {};
  if (!isObject(input)) {
    throw new InvalidInputError([`(input): ${show(input)} is not allowed; allowed: a JSON object (see the README's state machine section)`]);
  }
  const problems = [];

  const mode = input.mode ?? 'train';
  const tuningAvailable = isObject(defaults.tuning) && isObject(policy.tuning);
  const modes = tuningAvailable ? ['train', 'tune'] : ['train'];
  if (!modes.includes(mode)) {
    problems.push(`mode: ${show(mode)} is not allowed; allowed: ${modes.map((m) => `"${m}"`).join(' or ')}${tuningAvailable ? '' : ' (this recipe defines no tuning job)'}`);
  }
  const tune = mode === 'tune' && tuningAvailable;

  const request = clone(tune ? defaults.tuning : defaults.training);
  const trainingDefaults = defaults.training;
  // The parts of the request that describe one training job.
  const job = tune ? request.TrainingJobDefinition : request;
  const nameRule = jobNameRule(policy.jobNames, tune);
  const known = knownHyperparameters(policy, trainingDefaults);
  const run = validateInput(input, { job, tune, policy, trainingDefaults, nameRule, known }, problems);

  let tuningOverrides;
  if (input.tuning !== undefined) {
    if (!tune) problems.push(`tuning: only allowed with "mode": "tune"`);
    else if (!isObject(input.tuning)) problems.push(`tuning: ${show(input.tuning)} is not allowed; allowed: an object with ${TUNING_KEYS.join(', ')}`);
    else tuningOverrides = validateTuning(input.tuning, { request, known, policy, nameRule: jobNameRule(policy.jobNames, true) }, problems);
  }
  if (tune) {
    const tuned = rangeNames(tuningOverrides?.ranges ?? request.HyperParameterTuningJobConfig.ParameterRanges);
    for (const key of Object.keys(run.hyperparameters)) {
      if (tuned.has(key)) problems.push(`hyperparameters.${key}: tuned by this run; allowed: set its range in tuning.ranges, or drop it from the ranges to fix its value`);
    }
  }
  // Every validated override is applied (an invalid one was left out), so that what only the final request shows is
  // reported together with the rest: SageMaker's limit on the number of hyperparameters (overrides may add declared
  // keys the defaults leave out) and what a Hyperband run reads from its static hyperparameters.
  const notes = [];
  const jobName = apply({ request, job, tune, run, policy, executionName, attempt, maxLength: nameRule.maxLength, notes });
  const hpKey = tune ? 'StaticHyperParameters' : 'HyperParameters';
  if (tune) applyTuning(request, tuningOverrides, { staticHps: job[hpKey], trainingHps: trainingDefaults.HyperParameters ?? {}, notes });
  const count = Object.keys(job[hpKey]).length;
  if (count > policy.limits.hyperparameters) {
    problems.push(`hyperparameters: the request would carry ${count} hyperparameters; allowed: at most ${policy.limits.hyperparameters}`);
  }
  if (tune) problems.push(...finalTuningProblems(request, job[hpKey], policy));
  // The recipe's cross-field rules on what the script will receive; an override refused on its own (left out, so its
  // default is in the request) breaks no rule, and neither does a tuned name whose ranges were refused.
  const refused = new Set(Object.keys(isObject(input.hyperparameters) ? input.hyperparameters : {}).filter((k) => run.hyperparameters[k] === undefined));
  if (tune && isObject(input.tuning?.ranges) && tuningOverrides?.ranges === undefined) Object.keys(input.tuning.ranges).forEach((k) => refused.add(k));
  const ruled = checkRules(policy, job[hpKey], tune ? request.HyperParameterTuningJobConfig.ParameterRanges : null, refused);
  problems.push(...ruled.problems);
  notes.push(...ruled.notes);
  if (problems.length > 0) throw new InvalidInputError(problems);

  return { mode: tune ? 'tune' : 'train', request, summary: summarize({ request, job, tune, run, policy, jobName, attempt, notes }) };
}

/** Applies the validated training overrides of `run` (every value valid) and returns the job name. */
function apply({ request, job, tune, run, policy, executionName, attempt, maxLength, notes }) {
  const jobName = jobNameFor({ prefix: policy.jobNamePrefix, executionName, requested: run.jobName, attempt, maxLength });
  if (tune) request.HyperParameterTuningJobName = jobName;
  else request.TrainingJobName = jobName;

  const hpKey = tune ? 'StaticHyperParameters' : 'HyperParameters';
  const hps = job[hpKey] ?? {};
  // The builder leaves the name out of the defaults; the SDK always sends it, as the same name.
  hps.sagemaker_job_name = encodeHyperparameter(jobName);
  // What the instance type changes, as C# computed it at synthesis for every allowed type: the volume key of the
  // resource configuration (types with local storage take none) and sagemaker_instance_type when the job sends it.
  const choice = policy.instanceTypes[run.instanceType] ?? {};
  const resources = tune ? job.HyperParameterTuningResourceConfig : job.ResourceConfig;
  if (resources) {
    if (choice.resources?.VolumeKmsKeyId === undefined) delete resources.VolumeKmsKeyId;
    Object.assign(resources, choice.resources ?? {}, { InstanceType: run.instanceType, InstanceCount: run.instanceCount });
  }
  Object.assign(hps, choice.hyperParameters ?? {}, run.hyperparameters);
  job[hpKey] = hps;

  if (policy.encryptTrafficWhenMultiInstance === true) {
    // As TrainingRequestBuilder (TrafficEncryptionFollowsInstanceCount): without an explicit setting or a distribution,
    // traffic between instances is encrypted exactly when more than one instance runs.
    if (run.instanceCount > 1) job.EnableInterContainerTrafficEncryption = true;
    else delete job.EnableInterContainerTrafficEncryption;
  }

  job.StoppingCondition = { ...(job.StoppingCondition ?? {}), MaxRuntimeInSeconds: run.maxRuntime };
  if (run.spot) {
    job.EnableManagedSpotTraining = true;
    job.StoppingCondition.MaxWaitTimeInSeconds = run.maxWait;
    // SageMaker has no warm pools for managed spot training: an on-demand recipe's keep-alive must not follow.
    if (job.ResourceConfig?.KeepAlivePeriodInSeconds !== undefined) {
      notes.push(`spot: the recipe's warm pool (KeepAlivePeriodInSeconds ${job.ResourceConfig.KeepAlivePeriodInSeconds}) is not sent: SageMaker keeps no warm pools for managed spot training`);
      delete job.ResourceConfig.KeepAlivePeriodInSeconds;
    }
  } else {
    delete job.EnableManagedSpotTraining;
    delete job.StoppingCondition.MaxWaitTimeInSeconds;
  }

  // Checkpoints are per job: a new job must never resume from another job's checkpoints. (Tuning jobs: SageMaker
  // appends each training job's name below this prefix itself.)
  if (job.CheckpointConfig?.S3Uri) job.CheckpointConfig.S3Uri = `${job.CheckpointConfig.S3Uri.replace(/\/+$/, '')}/${jobName}`;
  for (const channel of job.InputDataConfig ?? []) {
    const uri = run.channels[channel.ChannelName];
    if (uri !== undefined) channel.DataSource.S3DataSource.S3Uri = uri;
  }
  return jobName;
}

/** The settings the execution output and the failure notifications report. */
function summarize({ request, job, tune, run, policy, jobName, attempt, notes }) {
  const quotaNames = policy.instanceTypes[run.instanceType]?.quotaNames ?? {};
  return {
    mode: tune ? 'tune' : 'train',
    jobName,
    attempt,
    instanceType: run.instanceType,
    instanceCount: run.instanceCount,
    spot: run.spot,
    maxRuntimeSeconds: run.maxRuntime,
    ...(run.spot ? { maxWaitSeconds: run.maxWait } : {}),
    checkpointS3Uri: job.CheckpointConfig?.S3Uri ?? null,
    outputS3Uri: String(job.OutputDataConfig?.S3OutputPath ?? '').replace(/\/+$/, ''),
    quotaName: run.spot ? quotaNames.spot : quotaNames.onDemand,
    ...(tune ? {
      maxJobs: request.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs,
      maxParallelJobs: request.HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs,
    } : {}),
    // Recipe settings a run's choices changed beyond the fields it set (reported, never silently dropped).
    ...(notes.length > 0 ? { notes } : {}),
  };
}
