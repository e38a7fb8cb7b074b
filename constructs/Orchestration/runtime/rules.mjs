// A recipe's cross-field hyperparameter rules (policy.hyperparameterRules: the `rules` of its hyperparameters.json, as
// C# embeds them, with the script's defaults of the names they read that the default request leaves out), checked on
// the final request. The meaning is the script parser's (training-scripts/hf_recipe/hyperparameter_rules.py): a value
// is what the script receives, `given` whether the request carries the name; the contract test replays both.
import { show } from './errors.mjs';
import { isObject } from './values.mjs';

/** Whether `value` (`given`: the request carries it) passes every test of `test` ({ given, null, in, notIn, matches }). */
function holds(test, value, given) {
  // JSON values compare with ===: a boolean equals only a boolean, 3 equals 3.0.
  return (test.given === undefined || test.given === given)
    && (test.null === undefined || test.null === (value === null))
    && (test.in === undefined || test.in.some((v) => v === value))
    && (test.notIn === undefined || !test.notIn.some((v) => v === value))
    && (test.matches === undefined || (typeof value === 'string' && new RegExp(test.matches).test(value)));
}

const allHold = (conditions, values) => Object.entries(conditions).every(([name, test]) => holds(test, values[name].value, values[name].given));
const broken = (rule, values) => allHold(rule.when, values) && (rule.require === undefined || !allHold(rule.require, values));

/** The value the script receives for a request string: the toolkit's json.loads; null for a nullable empty string. */
function received(encoded, spec) {
  let value;
  try {
    value = JSON.parse(encoded);
  } catch {
    value = encoded; // the toolkit keeps an undecodable value as the string
  }
  return spec?.nullable && value === '' ? null : value;
}

/** A categorical value (the SDK's str() of it, JSON-encoded) as the script converts it for its declared kind. */
function categorical(encoded, spec) {
  const text = JSON.parse(encoded);
  if (spec?.kind === 'boolean') return text === 'True';
  if (spec?.kind === 'integer' || spec?.kind === 'float') return Number(text);
  return spec?.nullable && text === '' ? null : text;
}

/**
 * Every value a tuned hyperparameter can take that the rule's tests tell apart: each categorical value; for a numeric
 * range, each number the tests name that lies in it, and one number in it that they do not name.
 */
function candidates(range, tests, spec) {
  if (range.Values) return range.Values.map((v) => categorical(v, spec));
  const min = Number(range.MinValue);
  const max = Number(range.MaxValue);
  const integer = range.list === 'IntegerParameterRanges';
  const named = tests.flatMap((t) => [...(t.in ?? []), ...(t.notIn ?? [])]).filter((v) => typeof v === 'number');
  const fits = (n) => n >= min && n <= max && (!integer || Number.isInteger(n));
  const values = [...new Set(named.filter(fits))];
  const other = [min, max, integer ? min + 1 : (min + max) / 2, ...named.map((n) => n + 1)].find((n) => fits(n) && !named.includes(n));
  if (other !== undefined) values.push(other);
  return values;
}

/** The tuned ranges by name: { name: range with its list's name } over the three lists of ParameterRanges. */
function rangesByName(parameterRanges) {
  const byName = {};
  for (const [list, ranges] of Object.entries(parameterRanges ?? {})) for (const r of ranges ?? []) byName[r.Name] = { ...r, list };
  return byName;
}

/**
 * The problems (rules of effect "refuse") and notes (effect "note") of the final hyperparameters `hps` (name ->
 * encoded string; in tune mode the static ones, with `parameterRanges` the tuned ones: a rule is broken when any value
 * its ranges can take breaks it). A rule reading a name in `refused` (an override already refused on its own) is
 * skipped, so a refused value does not also break a rule as the recipe's default.
 */
export function checkRules(policy, hps, parameterRanges, refused) {
  const out = { problems: [], notes: [] };
  const { rules = [], scriptDefaults = {} } = isObject(policy.hyperparameterRules) ? policy.hyperparameterRules : {};
  const declared = isObject(policy.hyperparameters) ? policy.hyperparameters : {};
  const tuned = rangesByName(parameterRanges);
  for (const rule of rules) {
    const names = [...new Set([...Object.keys(rule.when), ...Object.keys(rule.require ?? {})])];
    if (names.some((n) => refused.has(n))) continue;
    const fixed = {};
    const varying = [];
    for (const name of names) {
      if (tuned[name]) {
        const tests = [rule.when[name], rule.require?.[name]].filter(Boolean);
        varying.push({ name, values: candidates(tuned[name], tests, declared[name]) });
      } else if (hps[name] !== undefined) {
        fixed[name] = { value: received(hps[name], declared[name]), given: true };
      } else {
        fixed[name] = { value: scriptDefaults[name] ?? null, given: false, shown: ' (not set: the default)' };
      }
    }
    const found = firstBroken(rule, fixed, varying);
    if (found) {
      const shown = names.map((n) => `hyperparameters.${n} = ${show(found[n].value)}${found[n].shown ?? ''}`).join(', ');
      (rule.effect === 'note' ? out.notes : out.problems).push(`${shown}: ${rule.message}`);
    }
  }
  return out;
}

/** The first assignment of the varying (tuned) names that, with the fixed ones, breaks the rule; null when none does. */
function firstBroken(rule, values, varying, index = 0) {
  if (index === varying.length) return broken(rule, values) ? { ...values } : null;
  const { name, values: choices } = varying[index];
  for (const value of choices) {
    const found = firstBroken(rule, { ...values, [name]: { value, given: true, shown: ` (a value of tuning.ranges.${name})` } }, varying, index + 1);
    if (found) return found;
  }
  return null;
}
