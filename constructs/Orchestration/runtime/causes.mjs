// The failure paths' parser (invoked with `{ parse, cause }`). A Step Functions Cause is untrusted text, maybe cut (a
// long cause) or not JSON at all, and States.StringToJson on it would fail with States.Runtime, which no Pass state
// can catch.
import { MESSAGE_LIMITS, bounded } from './errors.mjs';

const JOB_FIELDS = ['TrainingJobName', 'HyperParameterTuningJobName', 'TrainingJobStatus', 'HyperParameterTuningJobStatus', 'SecondaryStatus'];

/**
 * `failedJob`: the Describe* response of a failed .sync job, or {} when the cause is not a JSON object (the pipeline
 * then reports the cause as received). `invalidInput`: the function error's message, or the cause itself.
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
    for (const key of JOB_FIELDS) {
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
