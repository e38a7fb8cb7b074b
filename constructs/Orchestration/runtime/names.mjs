// Job names: the name of each job a run creates, and the check of a requested one against the rules in the policy
// (policy.jobNames: SageMaker's alphabet and the training and tuning length limits, from the C# validator).
import { createHash } from 'node:crypto';

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

/** The name rule of a training (`tuning` false) or tuning job: `{ maxLength, pattern }`. */
export function jobNameRule(jobNames, tuning) {
  return {
    maxLength: tuning ? jobNames.tuningMaxLength : jobNames.trainingMaxLength,
    pattern: new RegExp(`^(?:${jobNames.alphabet})$`),
    alphabet: jobNames.alphabet,
  };
}

/** Problems with a job name under `rule` (empty when valid). */
export function jobNameProblems(name, rule) {
  const problems = [];
  if (name.length < 1 || name.length > rule.maxLength) problems.push(`must be 1 to ${rule.maxLength} characters (got ${name.length})`);
  if (!rule.pattern.test(name)) problems.push(`must match ${rule.alphabet} (letters, digits, inner hyphens)`);
  return problems;
}
