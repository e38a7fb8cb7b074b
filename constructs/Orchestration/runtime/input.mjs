// The execution input's training fields: each is checked against the policy (the environment's guardrails and what
// C# computed at synthesis) and becomes a validated override; nothing here patches the request.
import { show } from './errors.mjs';
import { encodeHyperparameter } from './encoding.mjs';
import { jobNameProblems } from './names.mjs';
import { checkKeys, intIn, isObject, kindMismatch, specProblem } from './values.mjs';

/** Keys an execution input may carry. */
export const INPUT_KEYS = Object.freeze([
  'mode', 'jobName', 'hyperparameters', 'instanceType', 'instanceCount', 'spot', 'maxRuntimeSeconds',
  'maxWaitSeconds', 'channels', 'tuning',
]);

// A hyperparameter name the scripts' argument parsers accept (`--name value`): not a SageMaker rule, the platform's.
const HYPERPARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Whether `key` is reserved for SageMaker (policy.reservedHyperparameters: a prefix and names). */
export const isReserved = (key, reserved) => key.startsWith(reserved.prefix) || reserved.names.includes(key);

/**
 * The keys an execution may set: the recipe's declared hyperparameters (policy.hyperparameters), else the keys of its
 * default request; reserved keys never.
 */
export function knownHyperparameters(policy, trainingDefaults) {
  const keys = Object.keys(isObject(policy.hyperparameters) ? policy.hyperparameters : trainingDefaults.HyperParameters ?? {});
  return keys.filter((k) => !isReserved(k, policy.reservedHyperparameters));
}

/**
 * Checks every training field of `input` and returns the overrides, adding one problem per bad field.
 * `job` is the default request's training part (the request itself, or a tuning request's TrainingJobDefinition).
 */
export function validateInput(input, { job, tune, policy, trainingDefaults, nameRule, known }, problems) {
  checkKeys(input, INPUT_KEYS, '', problems);
  const resources = tune ? job.HyperParameterTuningResourceConfig : job.ResourceConfig;
  const out = {
    instanceType: resources?.InstanceType,
    instanceCount: resources?.InstanceCount,
    maxRuntime: job.StoppingCondition?.MaxRuntimeInSeconds,
    spot: job.EnableManagedSpotTraining === true,
    hyperparameters: {},
    channels: {},
  };

  // job name
  const prefix = `${policy.jobNamePrefix}-`;
  if (input.jobName !== undefined) {
    if (typeof input.jobName !== 'string') {
      problems.push(`jobName: ${show(input.jobName)} is not allowed; allowed: a string starting with "${prefix}"`);
    } else {
      const nameProblems = jobNameProblems(input.jobName, nameRule);
      if (!input.jobName.startsWith(prefix)) nameProblems.push(`must start with "${prefix}" (this state machine may only create jobs with that prefix)`);
      if (nameProblems.length > 0) problems.push(`jobName: ${show(input.jobName)} is not allowed; it ${nameProblems.join(' and ')}`);
      else out.jobName = input.jobName;
    }
  }

  // instance type and count
  const allowedTypes = Object.keys(policy.instanceTypes);
  if (input.instanceType !== undefined) {
    if (!allowedTypes.includes(input.instanceType)) {
      problems.push(`instanceType: ${show(input.instanceType)} is not allowed; allowed: ${allowedTypes.join(', ')}`);
    } else {
      out.instanceType = input.instanceType;
    }
  }
  const count = policy.instanceCount;
  const countWhy = count.why ? ` (${count.why})` : ' (the environment\'s MaxInstanceCount)';
  if (input.instanceCount !== undefined && intIn(input.instanceCount, 'instanceCount', 1, count.max, problems, countWhy)) {
    out.instanceCount = input.instanceCount;
  }

  // run time and spot
  if (input.maxRuntimeSeconds !== undefined && intIn(input.maxRuntimeSeconds, 'maxRuntimeSeconds', 1, policy.maxRuntimeSeconds, problems, ' (the environment\'s MaxRuntimeHours)')) {
    out.maxRuntime = input.maxRuntimeSeconds;
  }
  if (input.spot !== undefined) {
    if (typeof input.spot !== 'boolean') problems.push(`spot: ${show(input.spot)} is not allowed; allowed: true or false`);
    else out.spot = input.spot;
  }
  if (out.spot) {
    const limit = policy.spot.maxWaitSeconds;
    if (input.maxWaitSeconds !== undefined) {
      if (intIn(input.maxWaitSeconds, 'maxWaitSeconds', out.maxRuntime ?? 1, limit, problems, ' (at least the job\'s MaxRuntimeInSeconds, at most twice the environment\'s maximum run time and at most 28 days)')) {
        out.maxWait = input.maxWaitSeconds;
      }
    } else {
      // The job's wait (as the SDK keeps max_wait when max_run changes), raised to the run time: SageMaker requires
      // MaxWaitTimeInSeconds >= MaxRuntimeInSeconds.
      out.maxWait = Math.min(Math.max(policy.spot.defaultMaxWaitSeconds, out.maxRuntime), limit);
    }
  } else if (input.maxWaitSeconds !== undefined) {
    problems.push(`maxWaitSeconds: ${show(input.maxWaitSeconds)} is not allowed; allowed: only with spot training ("spot": true)`);
  }

  validateHyperparameters(input.hyperparameters, { policy, trainingDefaults, known }, out.hyperparameters, problems);
  validateChannels(input.channels, { policy }, out.channels, problems);
  return out;
}

function validateHyperparameters(hyperparameters, { policy, trainingDefaults, known }, out, problems) {
  if (hyperparameters === undefined) return;
  if (!isObject(hyperparameters)) {
    problems.push(`hyperparameters: ${show(hyperparameters)} is not allowed; allowed: an object of name -> JSON value`);
    return;
  }
  const declared = isObject(policy.hyperparameters) ? policy.hyperparameters : null;
  const { hyperparameterKeyLength, hyperparameterValueLength } = policy.limits;
  for (const [key, value] of Object.entries(hyperparameters)) {
    const field = `hyperparameters.${key}`;
    if (isReserved(key, policy.reservedHyperparameters)) {
      problems.push(`${field}: reserved for SageMaker; allowed keys: ${known.join(', ')}`);
    } else if (!HYPERPARAMETER_NAME.test(key) || key.length > hyperparameterKeyLength) {
      problems.push(`${field}: not a valid hyperparameter name; allowed: letters, digits, '_', '.', '-', starting with a letter, at most ${hyperparameterKeyLength} characters`);
    } else if (!known.includes(key)) {
      problems.push(`${field}: unknown hyperparameter of this recipe; allowed keys: ${known.join(', ')}`);
    } else if (declared?.[key]?.ignored !== undefined) {
      // The script would not use the value (C# says why: a channel every job has, network isolation).
      problems.push(`${field}: ${show(value)} is not allowed; ${declared[key].ignored}`);
    } else if (declared && specProblem(value, declared[key])) {
      problems.push(`${field}: ${specProblem(value, declared[key])}`);
    } else if (!declared && kindMismatch(value, trainingDefaults.HyperParameters[key])) {
      problems.push(`${field}: ${show(value)} is not allowed; allowed: ${kindMismatch(value, trainingDefaults.HyperParameters[key])}`);
    } else {
      let encoded;
      try {
        encoded = encodeHyperparameter(value);
      } catch (e) {
        problems.push(`${field}: ${show(value)} is not allowed; allowed: a JSON value (${e.message})`);
        continue;
      }
      if (encoded.length > hyperparameterValueLength) {
        problems.push(`${field}: encoded value is ${encoded.length} characters; allowed: at most ${hyperparameterValueLength}`);
      } else {
        out[key] = encoded;
      }
    }
  }
}

function validateChannels(channels, { policy }, out, problems) {
  if (channels === undefined) return;
  if (!isObject(channels)) {
    problems.push(`channels: ${show(channels)} is not allowed; allowed: an object of channel name -> s3:// URI`);
    return;
  }
  // The recipe's data channels (policy.channels; the code channel of a network-isolated job is not one of them).
  const names = policy.channels;
  const bucketPrefix = `s3://${policy.datasetsBucket}/`;
  for (const [name, uri] of Object.entries(channels)) {
    const field = `channels.${name}`;
    if (!names.includes(name)) {
      problems.push(`${field}: unknown channel; allowed channels: ${names.join(', ')}`);
    } else if (typeof uri !== 'string' || !uri.startsWith(bucketPrefix) || uri.length === bucketPrefix.length
      || uri.length > policy.limits.s3UriLength || /[\s]/.test(uri)) {
      problems.push(`${field}: ${show(uri)} is not allowed; allowed: an S3 URI under ${bucketPrefix} (the environment's datasets bucket)`);
    } else {
      out[name] = uri;
    }
  }
}
