// PrepareRequest: the first state of the Hugging Face training pipeline.
//
// Validates the execution input against the environment's policy and applies the overrides it allows to the default
// CreateTrainingJob / CreateHyperParameterTuningJob requests that the C# TrainingRequestBuilder built at synthesis
// (embedded in the state machine definition). Only well-defined paths of those requests are patched; everything else
// (image, role, code channel, KMS, VPC, checkpoints, retry strategy, warm pools, network isolation, metric definitions)
// reaches SageMaker exactly as synthesized.
//
// Event: { input, defaults: { training, tuning|null }, policy, executionName, attempt }
// Result: { mode: "train"|"tune", request, summary }
// Invalid input: throws an error named "InvalidInput" whose message lists every bad field, the value received and
// what is allowed. No dependency beyond Node's standard library (packaged as a Lambda asset as is).

import { createHash } from 'node:crypto';

/** Keys an execution input may carry. */
export const INPUT_KEYS = Object.freeze([
  'mode', 'jobName', 'hyperparameters', 'instanceType', 'instanceCount', 'spot', 'maxRuntimeSeconds',
  'maxWaitSeconds', 'channels', 'tuning',
]);
/** Keys of the input's `tuning` object. */
export const TUNING_KEYS = Object.freeze(['maxJobs', 'maxParallelJobs', 'strategy', 'earlyStopping', 'ranges', 'randomSeed', 'warmStart']);
/** SageMaker limits (API reference). */
export const LIMITS = Object.freeze({
  trainingJobNameLength: 63,
  tuningJobNameLength: 32,
  hyperparameterCount: 100,
  hyperparameterKeyLength: 256,
  hyperparameterValueLength: 2500,
  maxRuntimeSeconds: 28 * 24 * 3600,
  categoricalValues: 30,
  parameterValueLength: 256,
  tunedParameters: 30,
  s3UriLength: 1024,
  warmStartParents: 5,
  randomSeedMax: 2147483647,
});
/** SageMaker's job name rule: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}` (length checked separately). */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const HYPERPARAMETER_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const RESERVED_PREFIX = 'sagemaker_';
/** Reserved keys without the prefix: the model-parallel configuration (TrainingRequestBuilder reserves it too). */
const RESERVED_KEYS = ['mp_parameters'];
const isReserved = (key) => key.startsWith(RESERVED_PREFIX) || RESERVED_KEYS.includes(key);
const SCALING_TYPES = ['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'];
const STRATEGIES = ['Bayesian', 'Random'];
const EARLY_STOPPING = ['Off', 'Auto'];

/**
 * How much of the problems an error message carries: the first `problems` lines, each cut to `problemLength`
 * characters, then a count of the rest. The message travels as the Lambda error (Step Functions keeps at most 32,768
 * characters of a Cause), through the state data (256 KB) into the SNS message (256 KB): bounded well below all three.
 */
export const MESSAGE_LIMITS = Object.freeze({ problems: 20, problemLength: 1000, causeLength: 30000 });

/** `text` cut to `max` characters, saying how much was cut. */
export function bounded(text, max) {
  const s = String(text);
  return s.length <= max ? s : `${s.slice(0, max)}... (${s.length - max} more characters)`;
}

/** The error the state machine catches as `InvalidInput`; `problems` lists one line per bad field. */
export class InvalidInputError extends Error {
  constructor(problems) {
    const shown = problems.slice(0, MESSAGE_LIMITS.problems).map((p) => bounded(p, MESSAGE_LIMITS.problemLength));
    const rest = problems.length - shown.length;
    super(`Invalid execution input (${problems.length} problem${problems.length === 1 ? '' : 's'}${rest > 0 ? `; the first ${shown.length} shown` : ''}): ${shown.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`);
    this.name = 'InvalidInput';
    this.problems = problems;
  }
}

/**
 * The failure paths' parser (invoked with `{ parse, cause }`): a Step Functions Cause is untrusted text, maybe cut
 * (a long cause) or not JSON at all, and States.StringToJson on it would fail with States.Runtime, which no Pass state
 * can catch. `failedJob`: the Describe* response of a failed .sync job, or {} when the cause is not a JSON object (the
 * pipeline then reports the cause as received). `invalidInput`: the function error's message, or the cause itself.
 */
export function parseCause({ parse, cause } = {}) {
  let value = null;
  try {
    value = JSON.parse(String(cause));
  } catch {
    value = null;
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  if (parse === 'failedJob') {
    if (!object) return { job: {} };
    const job = {};
    for (const key of ['TrainingJobName', 'HyperParameterTuningJobName', 'TrainingJobStatus', 'HyperParameterTuningJobStatus', 'SecondaryStatus']) {
      if (typeof object[key] === 'string') job[key] = bounded(object[key], 256);
    }
    if (typeof object.FailureReason === 'string') job.FailureReason = bounded(object.FailureReason, MESSAGE_LIMITS.causeLength);
    return { job };
  }
  if (parse === 'invalidInput') {
    const message = object && typeof object.errorMessage === 'string' ? object.errorMessage : String(cause ?? '');
    return { message: bounded(message, MESSAGE_LIMITS.causeLength) };
  }
  throw new Error(`parseCause: unknown parse ${JSON.stringify(parse)}; allowed "failedJob" or "invalidInput"`);
}

// ---------------------------------------------------------------------------------------------------------------
// Hyperparameter encoding: Python's json.dumps (what the SageMaker Python SDK applies to every value), so a value
// overridden at run time is byte-identical to the one the C# HyperparameterEncoding writes at synthesis.

/** Python `repr(float)` for a finite JS number that is not a safe integer. */
export function pythonFloat(n) {
  if (Object.is(n, -0)) return '-0.0';
  if (n === 0) return '0.0';
  const sign = n < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const intPart = digits.length > e + 1 ? digits.slice(0, e + 1) : digits.padEnd(e + 1, '0');
  const frac = digits.length > e + 1 ? digits.slice(e + 1) : '0';
  return `${sign}${intPart}.${frac}`;
}

/** Python `json.dumps` of a string (ensure_ascii=True). */
export function pythonString(s) {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Python `json.dumps(value)` for a JSON value. Integral numbers within JS's safe-integer range print as integers
 * (JSON text cannot tell `1` from `1.0` once parsed); other numbers as Python floats.
 */
export function pythonJson(value) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
    return Number.isSafeInteger(value) ? String(value) : pythonFloat(value);
  }
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${pythonString(k)}: ${pythonJson(v)}`).join(', ')}}`;
  }
  throw new TypeError(`cannot encode a ${typeof value}`);
}

/** The hyperparameter string SageMaker receives for `value` (the SDK's encoding). */
export const encodeHyperparameter = (value) => pythonJson(value);

/** Python `str(value)` for a JSON scalar: strings unchanged, `True`/`False`, integers, floats as Python's repr. */
export function pythonStr(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' && Number.isFinite(value)) return Number.isSafeInteger(value) ? String(value) : pythonFloat(value);
  throw new TypeError(`no Python str() for ${JSON.stringify(value)}`);
}

/**
 * A categorical tuning value as the SDK sends it for Framework estimators: `str()` first (parameter.py
 * CategoricalParameter.__init__), then `json.dumps` (as_json_range): `0.5` -> `"\"0.5\""`, `true` -> `"\"True\""`.
 * The same rule as the C# HyperparameterEncoding.EncodeCategorical (both tested against tests/fixtures/sdk-categorical-encoding.json).
 */
export const encodeCategorical = (value) => pythonString(pythonStr(value));

/** Python `str(number)` for tuning range bounds (the SDK sends `str(min_value)`). */
export const rangeBound = (n) => (Number.isSafeInteger(n) ? String(n) : pythonFloat(n));

// ---------------------------------------------------------------------------------------------------------------
// Job names

/** Reduces an execution name to SageMaker's name alphabet: `[a-zA-Z0-9-]`, no leading/trailing/double hyphens. */
export function sanitizeName(s) {
  const cleaned = String(s ?? '').replace(/[^A-Za-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  return cleaned.length > 0 ? cleaned : 'run';
}

/** Truncates `name` to `maxLength`, replacing the tail with `-<8 hex of sha256(name)>` so truncated names stay unique. */
export function fitName(name, maxLength) {
  if (name.length <= maxLength) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  const head = name.slice(0, maxLength - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/**
 * The job name of attempt `attempt` (1 = first). `requested` (already validated) or `<prefix>-<sanitized execution
 * name>`; later attempts (capacity retries) append `-r<attempt>` because SageMaker job names are never reusable.
 */
export function jobNameFor({ prefix, executionName, requested, attempt = 1, maxLength }) {
  const base = requested ?? `${prefix}-${sanitizeName(executionName)}`;
  return fitName(attempt > 1 ? `${base}-r${attempt}` : base, maxLength);
}

/** Problems with a job name (empty when valid). */
export function jobNameProblems(name, maxLength) {
  const problems = [];
  if (name.length < 1 || name.length > maxLength) problems.push(`must be 1 to ${maxLength} characters (got ${name.length})`);
  if (!JOB_NAME_PATTERN.test(name)) problems.push('must match [a-zA-Z0-9](-*[a-zA-Z0-9])* (letters, digits, inner hyphens)');
  return problems;
}

/** Whether SageMaker accepts `VolumeKmsKeyId` for the type: only EBS-only GPU families (p2, p3 but not p3dn, g3). */
export function acceptsVolumeKmsKey(instanceType) {
  const m = /^ml\.([pg][0-9]+[a-z]*)\.[0-9]*x?large$/.exec(instanceType);
  return m !== null && ['p2', 'p3', 'g3', 'g3s'].includes(m[1]);
}

// ---------------------------------------------------------------------------------------------------------------
// Validation helpers

const show = (v) => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
};
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
// Safe integers only: beyond 2^53 a number is no longer exact and JSON would send it as 1e+20.
// The JSON kind of a value: 'null', 'boolean', 'number', 'string', 'array' or 'object'.
const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

// An override must have the JSON kind of the recipe's default (decoded from its SDK encoding): the script parses
// each hyperparameter as one type, so "abc" for a learning rate would fail minutes into a paid job, not here.
// A default of null (an optional setting) accepts a number, string or boolean, or null. Returns the allowed kind
// when the value does not fit, else null.
function kindMismatch(value, encodedDefault) {
  let fallback;
  try {
    fallback = JSON.parse(encodedDefault);
  } catch {
    fallback = encodedDefault; // a raw string (the toolkit keeps undecodable values as strings)
  }
  const want = kindOf(fallback);
  const got = kindOf(value);
  if (want === 'null') {
    return ['null', 'number', 'string', 'boolean'].includes(got) ? null : `a number, string, boolean or null (the recipe's default is null)`;
  }
  if (got === want) return null;
  return `a ${want} like the recipe's default ${encodedDefault}`;
}

const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * Why `value` does not fit a declared hyperparameter type (the C# HyperparameterSpec embedded in the policy as
 * { kind, nullable, minimum?, exclusiveMinimum?, maximum?, exclusiveMaximum?, excluded?, choices?, pattern?, minLength?,
 * allowed }); null when it fits.
 */
export function specProblem(value, spec) {
  const allowed = `allowed: ${spec.allowed}`;
  if (value === null) return spec.nullable ? null : `null is not allowed; ${allowed}`;
  let fits;
  switch (spec.kind) {
    case 'integer': fits = isInt(value); break;
    case 'float': fits = typeof value === 'number' && Number.isFinite(value); break;
    case 'boolean': fits = typeof value === 'boolean'; break;
    case 'string':
      fits = typeof value === 'string' && value.length >= (spec.minLength ?? 0)
        && (!Array.isArray(spec.choices) || spec.choices.includes(value))
        && (spec.pattern === undefined || new RegExp(spec.pattern).test(value));
      break;
    default: fits = false;
  }
  if (fits && typeof value === 'number') {
    fits = (spec.minimum === undefined || value >= spec.minimum)
      && (spec.exclusiveMinimum === undefined || value > spec.exclusiveMinimum)
      && (spec.maximum === undefined || value <= spec.maximum)
      && (spec.exclusiveMaximum === undefined || value < spec.exclusiveMaximum)
      && (!Array.isArray(spec.excluded) || !spec.excluded.includes(value));
  }
  return fits ? null : `${show(value)} is not allowed; ${allowed}`;
}
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

function checkKeys(obj, allowed, path, problems) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${path}${key}: unknown field; allowed fields: ${allowed.join(', ')}`);
  }
}

function intIn(value, field, min, max, problems, why = '') {
  if (!isInt(value) || value < min || value > max) {
    problems.push(`${field}: ${show(value)} is not allowed; allowed: an integer from ${min} to ${max}${why}`);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// The handler

/**
 * Validates `event.input` and returns the request to send. Pure: no AWS calls.
 * @returns {{mode: 'train'|'tune', request: object, summary: object}}
 */
export function prepare(event) {
  const { input: rawInput, defaults, policy, executionName } = event ?? {};
  const attempt = isInt(event?.attempt) && event.attempt >= 1 ? event.attempt : 1;
  if (!isObject(defaults) || !isObject(defaults.training) || !isObject(policy)) {
    throw new Error('PrepareRequest was invoked without its defaults/policy: the state machine definition is broken.');
  }
  const input = rawInput ?? {};
  const problems = [];
  if (!isObject(input)) {
    throw new InvalidInputError([`(input): ${show(input)} is not allowed; allowed: a JSON object (see the README's state machine section)`]);
  }
  checkKeys(input, INPUT_KEYS, '', problems);

  // mode
  const mode = input.mode ?? 'train';
  const tuningAvailable = isObject(defaults.tuning);
  const modes = tuningAvailable ? ['train', 'tune'] : ['train'];
  if (!modes.includes(mode)) {
    problems.push(`mode: ${show(mode)} is not allowed; allowed: ${modes.map((m) => `"${m}"`).join(' or ')}${tuningAvailable ? '' : ' (this recipe defines no tuning job)'}`);
  }
  const tune = mode === 'tune' && tuningAvailable;

  const request = clone(tune ? defaults.tuning : defaults.training);
  const trainingDefaults = defaults.training;
  // The parts of the request that describe one training job.
  const job = tune ? request.TrainingJobDefinition : request;
  const hpKey = tune ? 'StaticHyperParameters' : 'HyperParameters';
  // Training: ResourceConfig; a tuning definition: HyperParameterTuningResourceConfig (the SDK since v2.133: tuner.py
  // _TuningJob._prepare_training_config -> session.py _map_training_config), as TrainingRequestBuilder.ResourceConfigKey.
  const resources = tune ? job.HyperParameterTuningResourceConfig : job.ResourceConfig;

  // job name
  const maxNameLength = tune ? LIMITS.tuningJobNameLength : LIMITS.trainingJobNameLength;
  const prefix = `${policy.jobNamePrefix}-`;
  let requestedName;
  if (input.jobName !== undefined) {
    if (typeof input.jobName !== 'string') {
      problems.push(`jobName: ${show(input.jobName)} is not allowed; allowed: a string starting with "${prefix}"`);
    } else {
      const nameProblems = jobNameProblems(input.jobName, maxNameLength);
      if (!input.jobName.startsWith(prefix)) nameProblems.push(`must start with "${prefix}" (this state machine may only create jobs with that prefix)`);
      if (nameProblems.length > 0) {
        problems.push(`jobName: ${show(input.jobName)} is not allowed; it ${nameProblems.join(' and ')}`);
      } else {
        requestedName = input.jobName;
      }
    }
  }

  // instance type and count
  const allowedTypes = policy.allowedInstanceTypes ?? [];
  let instanceType = resources?.InstanceType;
  if (input.instanceType !== undefined) {
    if (!allowedTypes.includes(input.instanceType)) {
      problems.push(`instanceType: ${show(input.instanceType)} is not allowed; allowed: ${allowedTypes.join(', ')}`);
    } else {
      instanceType = input.instanceType;
    }
  }
  let instanceCount = resources?.InstanceCount;
  if (input.instanceCount !== undefined && intIn(input.instanceCount, 'instanceCount', 1, policy.maxInstanceCount, problems, ' (the environment\'s MaxInstanceCount)')) {
    instanceCount = input.instanceCount;
  }

  // run time and spot
  const stopping = job.StoppingCondition ?? {};
  let maxRuntime = stopping.MaxRuntimeInSeconds;
  if (input.maxRuntimeSeconds !== undefined && intIn(input.maxRuntimeSeconds, 'maxRuntimeSeconds', 1, policy.maxRuntimeSeconds, problems, ' (the environment\'s MaxRuntimeHours)')) {
    maxRuntime = input.maxRuntimeSeconds;
  }
  const defaultSpot = job.EnableManagedSpotTraining === true;
  let spot = defaultSpot;
  if (input.spot !== undefined) {
    if (typeof input.spot !== 'boolean') problems.push(`spot: ${show(input.spot)} is not allowed; allowed: true or false`);
    else spot = input.spot;
  }
  let maxWait;
  if (spot) {
    // Twice the environment's maximum run time, never above the 28 days TrainingRequestBuilder allows for Spot.MaxWait.
    const maxWaitLimit = Math.min(2 * policy.maxRuntimeSeconds, LIMITS.maxRuntimeSeconds);
    if (input.maxWaitSeconds !== undefined) {
      if (intIn(input.maxWaitSeconds, 'maxWaitSeconds', maxRuntime ?? 1, maxWaitLimit, problems, ' (at least the job\'s MaxRuntimeInSeconds, at most twice the environment\'s maximum run time and at most 28 days)')) {
        maxWait = input.maxWaitSeconds;
      }
    } else {
      maxWait = Math.min(Math.max(stopping.MaxWaitTimeInSeconds ?? 0, maxRuntime), maxWaitLimit);
    }
  } else if (input.maxWaitSeconds !== undefined) {
    problems.push(`maxWaitSeconds: ${show(input.maxWaitSeconds)} is not allowed; allowed: only with spot training ("spot": true)`);
  }

  // hyperparameters
  // The recipe's declared types (HyperparameterSpec) when it has them: the keys an execution may set and what each accepts.
  const declared = isObject(policy.hyperparameters) ? policy.hyperparameters : null;
  const knownHyperparameters = declared
    ? Object.keys(declared).filter((k) => !isReserved(k))
    : Object.keys(trainingDefaults.HyperParameters ?? {}).filter((k) => !isReserved(k));
  const hpOverrides = {};
  if (input.hyperparameters !== undefined) {
    if (!isObject(input.hyperparameters)) {
      problems.push(`hyperparameters: ${show(input.hyperparameters)} is not allowed; allowed: an object of name -> JSON value`);
    } else {
      for (const [key, value] of Object.entries(input.hyperparameters)) {
        const field = `hyperparameters.${key}`;
        if (isReserved(key)) {
          problems.push(`${field}: reserved for SageMaker; allowed keys: ${knownHyperparameters.join(', ')}`);
        } else if (!HYPERPARAMETER_KEY_PATTERN.test(key) || key.length > LIMITS.hyperparameterKeyLength) {
          problems.push(`${field}: not a valid hyperparameter name; allowed: letters, digits, '_', '.', '-', starting with a letter, at most ${LIMITS.hyperparameterKeyLength} characters`);
        } else if (!knownHyperparameters.includes(key)) {
          problems.push(`${field}: unknown hyperparameter of this recipe; allowed keys: ${knownHyperparameters.join(', ')}`);
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
          if (encoded.length > LIMITS.hyperparameterValueLength) {
            problems.push(`${field}: encoded value is ${encoded.length} characters; allowed: at most ${LIMITS.hyperparameterValueLength}`);
          } else {
            hpOverrides[key] = encoded;
          }
        }
      }
    }
  }

  // channels
  const channelOverrides = {};
  const channelNames = (job.InputDataConfig ?? []).map((c) => c.ChannelName).filter((n) => n !== 'code');
  if (input.channels !== undefined) {
    if (!isObject(input.channels)) {
      problems.push(`channels: ${show(input.channels)} is not allowed; allowed: an object of channel name -> s3:// URI`);
    } else {
      const bucketPrefix = `s3://${policy.datasetsBucket}/`;
      for (const [name, uri] of Object.entries(input.channels)) {
        const field = `channels.${name}`;
        if (!channelNames.includes(name)) {
          problems.push(`${field}: unknown channel; allowed channels: ${channelNames.join(', ')}`);
        } else if (typeof uri !== 'string' || !uri.startsWith(bucketPrefix) || uri.length === bucketPrefix.length
          || uri.length > LIMITS.s3UriLength || /[\s]/.test(uri)) {
          problems.push(`${field}: ${show(uri)} is not allowed; allowed: an S3 URI under ${bucketPrefix} (the environment's datasets bucket)`);
        } else {
          channelOverrides[name] = uri;
        }
      }
    }
  }

  // tuning
  let tuningOverrides;
  if (input.tuning !== undefined) {
    if (!tune) {
      problems.push(`tuning: only allowed with "mode": "tune"`);
    } else if (!isObject(input.tuning)) {
      problems.push(`tuning: ${show(input.tuning)} is not allowed; allowed: an object with ${TUNING_KEYS.join(', ')}`);
    } else {
      tuningOverrides = validateTuning(input.tuning, request, knownHyperparameters, policy, problems, declared);
    }
  }

  if (tune) {
    const tuned = tuningOverrides?.ranges ? rangeNames(tuningOverrides.ranges) : rangeNames(request.HyperParameterTuningJobConfig.ParameterRanges);
    for (const key of Object.keys(hpOverrides)) {
      if (tuned.has(key)) problems.push(`hyperparameters.${key}: tuned by this run; allowed: set its range in tuning.ranges, or drop it from the ranges to fix its value`);
    }
  }

  if (problems.length > 0) throw new InvalidInputError(problems);

  // ---- apply (every value below is valid) ----
  const jobName = jobNameFor({ prefix: policy.jobNamePrefix, executionName, requested: requestedName, attempt, maxLength: maxNameLength });
  if (tune) request.HyperParameterTuningJobName = jobName;
  else request.TrainingJobName = jobName;

  const hps = job[hpKey] ?? {};
  // The builder leaves the name out of the defaults; the SDK always sends it (TrainingRequestBuilder.WithJobName).
  hps.sagemaker_job_name = encodeHyperparameter(jobName);
  if ('sagemaker_instance_type' in hps) hps.sagemaker_instance_type = encodeHyperparameter(instanceType);
  Object.assign(hps, hpOverrides);

  if (resources) {
    if (resources.InstanceType !== instanceType) {
      // As TrainingRequestBuilder.WithInstanceType: a volume key only on EBS-only types (SageMaker rejects it on
      // types with local NVMe storage, whose instance storage is encrypted by hardware).
      delete resources.VolumeKmsKeyId;
      const key = policy.volumeKmsKeyId ?? job.OutputDataConfig?.KmsKeyId;
      if (key && acceptsVolumeKmsKey(instanceType)) resources.VolumeKmsKeyId = key;
    }
    resources.InstanceType = instanceType;
    resources.InstanceCount = instanceCount;
  }
  if (policy.encryptTrafficWhenMultiInstance === true) {
    // As TrainingRequestBuilder (TrafficEncryptionFollowsInstanceCount): without an explicit setting or a distribution,
    // traffic between instances is encrypted exactly when more than one instance runs.
    if (instanceCount > 1) job.EnableInterContainerTrafficEncryption = true;
    else delete job.EnableInterContainerTrafficEncryption;
  }

  job.StoppingCondition = { ...stopping, MaxRuntimeInSeconds: maxRuntime };
  if (spot) {
    job.EnableManagedSpotTraining = true;
    job.StoppingCondition.MaxWaitTimeInSeconds = maxWait;
    // SageMaker has no warm pools for managed spot training: an on-demand recipe's keep-alive must not follow.
    if (job.ResourceConfig) delete job.ResourceConfig.KeepAlivePeriodInSeconds;
  } else {
    delete job.EnableManagedSpotTraining;
    delete job.StoppingCondition.MaxWaitTimeInSeconds;
  }

  // Checkpoints are per job: a new job must never resume from another job's checkpoints. (Tuning jobs: SageMaker
  // appends each training job's name below this prefix itself.)
  if (job.CheckpointConfig?.S3Uri) job.CheckpointConfig.S3Uri = `${job.CheckpointConfig.S3Uri.replace(/\/+$/, '')}/${jobName}`;

  for (const channel of job.InputDataConfig ?? []) {
    const uri = channelOverrides[channel.ChannelName];
    if (uri !== undefined) channel.DataSource.S3DataSource.S3Uri = uri;
  }

  if (tune) {
    applyTuning(request, tuningOverrides, hps, trainingDefaults.HyperParameters ?? {});
    job[hpKey] = hps;
  }

  if (tune && Object.keys(hps).length > LIMITS.hyperparameterCount) {
    throw new InvalidInputError([`hyperparameters: the request would carry ${Object.keys(hps).length} hyperparameters; allowed: at most ${LIMITS.hyperparameterCount}`]);
  }

  const outputPath = String(job.OutputDataConfig?.S3OutputPath ?? '').replace(/\/+$/, '');
  const summary = {
    mode: tune ? 'tune' : 'train',
    jobName,
    attempt,
    instanceType,
    instanceCount,
    spot,
    maxRuntimeSeconds: maxRuntime,
    ...(spot ? { maxWaitSeconds: maxWait } : {}),
    checkpointS3Uri: job.CheckpointConfig?.S3Uri ?? null,
    outputS3Uri: outputPath,
    quotaName: `${instanceType} for ${spot ? 'spot ' : ''}training job usage`,
    ...(tune ? {
      maxJobs: request.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs,
      maxParallelJobs: request.HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs,
    } : {}),
  };
  return { mode: summary.mode, request, summary };
}

function validateTuning(tuning, request, knownHyperparameters, policy, problems, declared = null) {
  checkKeys(tuning, TUNING_KEYS, 'tuning.', problems);
  const limits = request.HyperParameterTuningJobConfig.ResourceLimits;
  const out = {};
  const maxJobs = tuning.maxJobs ?? limits.MaxNumberOfTrainingJobs;
  if (tuning.maxJobs !== undefined && intIn(tuning.maxJobs, 'tuning.maxJobs', 1, policy.maxTuningJobs, problems, ' (the environment\'s MaxTuningJobs)')) {
    out.maxJobs = tuning.maxJobs;
  }
  if (tuning.maxParallelJobs !== undefined) {
    const upper = Math.min(policy.maxParallelTuningJobs, isInt(maxJobs) ? maxJobs : policy.maxParallelTuningJobs);
    if (intIn(tuning.maxParallelJobs, 'tuning.maxParallelJobs', 1, upper, problems, ' (the environment\'s MaxParallelTuningJobs, and no more than maxJobs)')) {
      out.maxParallelJobs = tuning.maxParallelJobs;
    }
  } else if (out.maxJobs !== undefined && limits.MaxParallelTrainingJobs > out.maxJobs) {
    out.maxParallelJobs = out.maxJobs;
  }
  if (tuning.strategy !== undefined) {
    if (!STRATEGIES.includes(tuning.strategy)) problems.push(`tuning.strategy: ${show(tuning.strategy)} is not allowed; allowed: ${STRATEGIES.join(', ')}`);
    else out.strategy = tuning.strategy;
  }
  if (tuning.earlyStopping !== undefined) {
    if (!EARLY_STOPPING.includes(tuning.earlyStopping)) problems.push(`tuning.earlyStopping: ${show(tuning.earlyStopping)} is not allowed; allowed: ${EARLY_STOPPING.join(', ')}`);
    else out.earlyStopping = tuning.earlyStopping;
  }
  if (tuning.ranges !== undefined) {
    if (!isObject(tuning.ranges) || Object.keys(tuning.ranges).length === 0) {
      problems.push(`tuning.ranges: ${show(tuning.ranges)} is not allowed; allowed: a non-empty object of hyperparameter name -> range`);
    } else if (Object.keys(tuning.ranges).length > LIMITS.tunedParameters) {
      problems.push(`tuning.ranges: ${Object.keys(tuning.ranges).length} ranges is not allowed; allowed: 1 to ${LIMITS.tunedParameters} hyperparameters`);
    } else {
      const ranges = { ContinuousParameterRanges: [], IntegerParameterRanges: [], CategoricalParameterRanges: [] };
      let ok = true;
      for (const [name, range] of Object.entries(tuning.ranges)) {
        const r = validateRange(name, range, knownHyperparameters, problems, declared?.[name]);
        if (!r) { ok = false; continue; }
        ranges[r.kind].push(r.value);
      }
      if (ok) out.ranges = ranges;
    }
  }
  // The strategy rules TrainingRequestBuilder (TuningValidator) enforces at synthesis, for the effective combination.
  const config = request.HyperParameterTuningJobConfig;
  const strategy = out.strategy ?? config.Strategy;
  if (strategy === 'Grid') {
    if (tuning.maxJobs !== undefined) problems.push(`tuning.maxJobs: not allowed with the Grid strategy of this recipe (SageMaker runs every combination of the categorical values)`);
    const ranges = out.ranges ?? config.ParameterRanges;
    const numeric = [...(ranges.ContinuousParameterRanges ?? []), ...(ranges.IntegerParameterRanges ?? [])].map((r) => r.Name);
    if (numeric.length > 0) problems.push(`tuning.ranges: ${numeric.join(', ')} not allowed; allowed: categorical ranges only (the Grid strategy)`);
  } else if (config.Strategy === 'Grid' && limits.MaxNumberOfTrainingJobs === undefined && out.maxJobs === undefined && tuning.maxJobs === undefined) {
    problems.push(`tuning.maxJobs: required when switching this Grid recipe to ${strategy}; allowed: an integer from 1 to ${policy.maxTuningJobs}`);
  }
  if (strategy === 'Hyperband' && (out.earlyStopping ?? config.TrainingJobEarlyStoppingType) === 'Auto') {
    problems.push(`tuning.earlyStopping: "Auto" is not allowed with the Hyperband strategy of this recipe, which stops jobs itself; allowed: "Off"`);
  }
  if (strategy === 'Hyperband' && config.StrategyConfig?.HyperbandStrategyConfig?.MaxResource === undefined) {
    // As TuningValidator at synthesis: SageMaker infers MaxResource from a static epochs-like hyperparameter.
    const tuned = rangeNames(out.ranges ?? config.ParameterRanges);
    if (!HYPERBAND_EPOCH_KEYS.some((k) => knownHyperparameters.includes(k) && !tuned.has(k))) {
      problems.push(`tuning.ranges: ${HYPERBAND_EPOCH_KEYS.filter((k) => tuned.has(k)).join(', ')} not allowed; this Hyperband recipe sets no MaxResource, so SageMaker reads it from that static hyperparameter (allowed: keep it out of the ranges)`);
    }
  }
  Object.assign(out, validateSearchContinuation(tuning, policy, problems));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Continuing a search run after run: the seed and the warm start (sdk-fidelity). Kept apart from the rest of the
// tuning input so that other changes to validateTuning merge cleanly.

const WARM_START_TYPES = ['IdenticalDataAndAlgorithm', 'TransferLearning'];
/** Static hyperparameters SageMaker infers Hyperband's MaxResource from (API reference, HyperbandStrategyConfig). */
const HYPERBAND_EPOCH_KEYS = ['epochs', 'numepochs', 'n-epochs', 'n_epochs', 'num_epochs'];

/**
 * `tuning.randomSeed` (RandomSeed: an integer >= 0, or null for none) and `tuning.warmStart`
 * ({type, parents}: WarmStartConfig, or null for a cold start). Parents are tuning jobs of this pipeline: their names
 * must carry its job prefix, as every job it creates does; 1 to 5 of them (the API's limit).
 */
export function validateSearchContinuation(tuning, policy, problems) {
  const out = {};
  if (tuning.randomSeed !== undefined) {
    if (tuning.randomSeed === null) out.randomSeed = null;
    else if (intIn(tuning.randomSeed, 'tuning.randomSeed', 0, LIMITS.randomSeedMax, problems, ' (SageMaker RandomSeed), or null for none')) out.randomSeed = tuning.randomSeed;
  }
  if (tuning.warmStart !== undefined) {
    const warm = tuning.warmStart;
    const prefix = `${policy.jobNamePrefix}-`;
    if (warm === null) {
      out.warmStart = null;
    } else if (!isObject(warm)) {
      problems.push(`tuning.warmStart: ${show(warm)} is not allowed; allowed: {"type": ${WARM_START_TYPES.map((t) => `"${t}"`).join(' | ')}, "parents": ["${prefix}..."]} or null`);
    } else {
      const before = problems.length;
      checkKeys(warm, ['type', 'parents'], 'tuning.warmStart.', problems);
      if (!WARM_START_TYPES.includes(warm.type)) {
        problems.push(`tuning.warmStart.type: ${show(warm.type)} is not allowed; allowed: ${WARM_START_TYPES.join(', ')}`);
      }
      const parents = warm.parents;
      if (!Array.isArray(parents) || parents.length < 1 || parents.length > LIMITS.warmStartParents) {
        problems.push(`tuning.warmStart.parents: ${show(parents)} is not allowed; allowed: 1 to ${LIMITS.warmStartParents} tuning job names starting with "${prefix}"`);
      } else {
        parents.forEach((name, i) => {
          const field = `tuning.warmStart.parents[${i}]`;
          if (typeof name !== 'string') {
            problems.push(`${field}: ${show(name)} is not allowed; allowed: a tuning job name starting with "${prefix}"`);
            return;
          }
          const nameProblems = jobNameProblems(name, LIMITS.tuningJobNameLength);
          if (!name.startsWith(prefix)) nameProblems.push(`must start with "${prefix}" (only this pipeline's tuning jobs can be parents)`);
          if (nameProblems.length > 0) problems.push(`${field}: ${show(name)} is not allowed; it ${nameProblems.join(' and ')}`);
        });
        if (new Set(parents).size !== parents.length) problems.push(`tuning.warmStart.parents: ${show(parents)} has duplicates; allowed: distinct tuning job names`);
      }
      if (problems.length === before) {
        // tuner.py WarmStartConfig.to_input_req, as TrainingRequestBuilder.WarmStart.
        out.warmStart = {
          WarmStartType: warm.type,
          ParentHyperParameterTuningJobs: parents.map((name) => ({ HyperParameterTuningJobName: name })),
        };
      }
    }
  }
  return out;
}

/** Applies the seed and the warm start of `validateSearchContinuation`, and drops a StrategyConfig the strategy no longer takes. */
export function applySearchContinuation(request, overrides) {
  const config = request.HyperParameterTuningJobConfig;
  if (overrides?.randomSeed === null) delete config.RandomSeed;
  else if (overrides?.randomSeed !== undefined) config.RandomSeed = overrides.randomSeed;
  if (overrides?.warmStart === null) delete request.WarmStartConfig;
  else if (overrides?.warmStart !== undefined) request.WarmStartConfig = overrides.warmStart;
  // StrategyConfig holds HyperbandStrategyConfig only: SageMaker takes it with the Hyperband strategy alone.
  if (config.Strategy !== 'Hyperband') delete config.StrategyConfig;
}

function validateRange(name, range, knownHyperparameters, problems, spec = undefined) {
  const field = `tuning.ranges.${name}`;
  if (!knownHyperparameters.includes(name)) {
    problems.push(`${field}: unknown hyperparameter of this recipe; allowed keys: ${knownHyperparameters.join(', ')}`);
    return null;
  }
  if (!isObject(range)) {
    problems.push(`${field}: ${show(range)} is not allowed; allowed: {"type": "continuous"|"integer", "min", "max", "scaling"?} or {"type": "categorical", "values": [...]}`);
    return null;
  }
  const before = problems.length;
  const type = range.type;
  if (type === 'continuous' || type === 'integer') {
    checkKeys(range, ['type', 'min', 'max', 'scaling'], `${field}.`, problems);
    const numeric = type === 'integer' ? isInt : (v) => typeof v === 'number' && Number.isFinite(v);
    const noun = type === 'integer' ? 'an integer' : 'a number';
    if (!numeric(range.min)) problems.push(`${field}.min: ${show(range.min)} is not allowed; allowed: ${noun}`);
    if (!numeric(range.max)) problems.push(`${field}.max: ${show(range.max)} is not allowed; allowed: ${noun}`);
    if (numeric(range.min) && numeric(range.max) && !(type === 'integer' ? range.min <= range.max : range.min < range.max)) {
      problems.push(`${field}: min ${show(range.min)} must be ${type === 'integer' ? 'at most' : 'less than'} max ${show(range.max)}`);
    }
    const scaling = range.scaling ?? 'Auto';
    if (!SCALING_TYPES.includes(scaling)) {
      problems.push(`${field}.scaling: ${show(range.scaling)} is not allowed; allowed: ${SCALING_TYPES.join(', ')}`);
    } else if (scaling === 'Logarithmic' && numeric(range.min) && range.min <= 0) {
      problems.push(`${field}.scaling: Logarithmic needs min > 0 (got ${show(range.min)})`);
    } else if (scaling === 'ReverseLogarithmic' && (type === 'integer' || (numeric(range.min) && numeric(range.max) && (range.min < 0 || range.max >= 1)))) {
      problems.push(`${field}.scaling: ReverseLogarithmic needs a continuous range with 0 <= min < max < 1`);
    }
    if (spec) {
      // The range must lie within what the script accepts (a continuous range cannot tune an integer).
      if (spec.kind === 'integer' && type !== 'integer') {
        problems.push(`${field}.type: "${type}" is not allowed for an integer hyperparameter; allowed: "integer" or "categorical"`);
      } else if (spec.kind !== 'integer' && spec.kind !== 'float') {
        problems.push(`${field}.type: "${type}" is not allowed; ${name} takes ${spec.allowed}: use "categorical"`);
      } else {
        for (const bound of ['min', 'max']) {
          const why = specProblem(range[bound], spec);
          if (why && numeric(range[bound])) problems.push(`${field}.${bound}: ${why}`);
        }
      }
    }
    if (problems.length > before) return null;
    return {
      kind: type === 'integer' ? 'IntegerParameterRanges' : 'ContinuousParameterRanges',
      value: { Name: name, MinValue: rangeBound(range.min), MaxValue: rangeBound(range.max), ScalingType: scaling },
    };
  }
  if (type === 'categorical') {
    checkKeys(range, ['type', 'values'], `${field}.`, problems);
    const values = range.values;
    if (!Array.isArray(values) || values.length < 1 || values.length > LIMITS.categoricalValues
      || values.some((v) => v === null || typeof v === 'object')) {
      problems.push(`${field}.values: ${show(values)} is not allowed; allowed: 1 to ${LIMITS.categoricalValues} strings, numbers or booleans`);
      return null;
    }
    if (spec) {
      for (const v of values) {
        const why = specProblem(v, spec);
        if (why) problems.push(`${field}.values: ${why}`);
      }
      if (problems.length > before) return null;
    }
    const encoded = values.map(encodeCategorical);
    const long = encoded.find((v) => v.length > LIMITS.parameterValueLength);
    if (long !== undefined) {
      problems.push(`${field}.values: encoded value ${show(long)} is ${long.length} characters; allowed: at most ${LIMITS.parameterValueLength}`);
      return null;
    }
    if (new Set(encoded).size !== encoded.length) {
      problems.push(`${field}.values: ${show(values)} has duplicates; allowed: distinct values`);
      return null;
    }
    if (problems.length > before) return null;
    return { kind: 'CategoricalParameterRanges', value: { Name: name, Values: encoded } };
  }
  problems.push(`${field}.type: ${show(type)} is not allowed; allowed: "continuous", "integer", "categorical"`);
  return null;
}

function applyTuning(request, overrides, staticHps, trainingHps) {
  const config = request.HyperParameterTuningJobConfig;
  if (overrides?.maxJobs !== undefined) config.ResourceLimits.MaxNumberOfTrainingJobs = overrides.maxJobs;
  if (overrides?.maxParallelJobs !== undefined) config.ResourceLimits.MaxParallelTrainingJobs = overrides.maxParallelJobs;
  if (overrides?.strategy !== undefined) config.Strategy = overrides.strategy;
  if (overrides?.earlyStopping !== undefined) config.TrainingJobEarlyStoppingType = overrides.earlyStopping;
  if (overrides?.ranges !== undefined) {
    const previous = rangeNames(config.ParameterRanges);
    // All three lists, empty ones included, as the SDK sends them (HyperparameterTuner.hyperparameter_ranges).
    config.ParameterRanges = overrides.ranges;
    const tuned = rangeNames(config.ParameterRanges);
    // A hyperparameter no longer tuned becomes static again with the recipe's value.
    for (const name of previous) {
      if (!tuned.has(name) && trainingHps[name] !== undefined && staticHps[name] === undefined) staticHps[name] = trainingHps[name];
    }
  }
  // Tuned hyperparameters are never static (SageMaker rejects a key that is both).
  for (const name of rangeNames(config.ParameterRanges)) delete staticHps[name];
  applySearchContinuation(request, overrides);
}

function rangeNames(parameterRanges) {
  const names = new Set();
  for (const list of Object.values(parameterRanges ?? {})) for (const r of list ?? []) names.add(r.Name);
  return names;
}

/** Lambda entry point. */
export async function handler(event) {
  return event && Object.hasOwn(event, 'parse') ? parseCause(event) : prepare(event);
}
