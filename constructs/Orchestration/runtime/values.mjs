// Checks of JSON values shared by the input and tuning checks.
import { show } from './errors.mjs';

export const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
// Safe integers only: beyond 2^53 a number is no longer exact and JSON would send it as 1e+20.
export const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);
export const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
// The JSON kind of a value: 'null', 'boolean', 'number', 'string', 'array' or 'object'.
export const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
export const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** Adds a problem for every key of `obj` outside `allowed`. */
export function checkKeys(obj, allowed, path, problems) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${path}${key}: unknown field; allowed fields: ${allowed.join(', ')}`);
  }
}

/** Whether `value` is an integer from `min` to `max`; adds a problem naming `field` when not. */
export function intIn(value, field, min, max, problems, why = '') {
  if (!isInt(value) || value < min || value > max) {
    problems.push(`${field}: ${show(value)} is not allowed; allowed: an integer from ${min} to ${max}${why}`);
    return false;
  }
  return true;
}

// An override must have the JSON kind of the recipe's default (decoded from its SDK encoding) when the recipe declares
// no types: the script parses each hyperparameter as one type, so "abc" for a learning rate would fail minutes into a
// paid job, not here. A default of null (an optional setting) accepts a number, string or boolean, or null. Returns
// the allowed kind when the value does not fit, else null.
export function kindMismatch(value, encodedDefault) {
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

/**
 * The word a string spells in a vocabulary (policy: { words, spellings, blanks }, from
 * training-scripts/hf_recipe/vocabularies.json): the blanks around it removed and its ASCII letters lowered; null when
 * it spells none.
 */
export function wordOf(value, vocabulary) {
  if (typeof value !== 'string') return null;
  const blanks = new Set(vocabulary.blanks);
  let start = 0;
  let end = value.length;
  while (start < end && blanks.has(value[start])) start += 1;
  while (end > start && blanks.has(value[end - 1])) end -= 1;
  const folded = value.slice(start, end).replace(/[A-Z]/g, (c) => c.toLowerCase());
  return vocabulary.words.find((w) => vocabulary.spellings[w].includes(folded)) ?? null;
}

/**
 * Why `value` does not fit a declared hyperparameter type (the C# HyperparameterSpec embedded in the policy as
 * { kind, nullable, minimum?, exclusiveMinimum?, maximum?, exclusiveMaximum?, excluded?, choices?, pattern?, minLength?,
 * vocabulary?, allowed }); null when it fits. A string with a vocabulary must spell one of its words.
 */
export function specProblem(value, spec) {
  const allowed = `allowed: ${spec.allowed}`;
  if (value === null) return spec.nullable ? null : `null is not allowed; ${allowed}`;
  let fits;
  switch (spec.kind) {
    case 'integer': fits = isInt(value); break;
    case 'float': fits = isNumber(value); break;
    case 'boolean': fits = typeof value === 'boolean'; break;
    case 'string':
      fits = spec.vocabulary ? wordOf(value, spec.vocabulary) !== null : typeof value === 'string' && value.length >= (spec.minLength ?? 0)
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
