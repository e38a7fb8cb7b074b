// A recipe's cross-field hyperparameter rules (policy.hyperparameterRules: the `rules` of its hyperparameters.json, as
// C# embeds them, with the script's defaults of the names they read that the default request leaves out), checked on
// the final request. The meaning is the script parser's (training-scripts/hf_recipe/hyperparameter_rules.py): a value
// is what the script receives (with a vocabulary: the word it spells), `given` whether the request carries the name;
// the contract test replays both. Also the values that need a GPU with native bfloat16 (a declaration's
// needsNativeBf16) on the run's instance type.
import { show } from './errors.mjs';
import { isObject, wordOf } from './values.mjs';

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

/** What the script sees of a string: with a vocabulary, the word it spells (the string itself when none). */
const meaning = (value, spec) => (spec?.vocabulary && typeof value === 'string' ? wordOf(value, spec.vocabulary) ?? value : value);

/** A request string as the toolkit decodes it (json.loads; an undecodable value stays the string). */
function decoded(encoded) {
  try {
    return JSON.parse(encoded);
  } catch {
    return encoded;
  }
}

/** The value the script receives for a request string: decoded; null for a nullable empty string; a vocabulary's word. */
function received(encoded, spec) {
  const value = decoded(encoded);
  return spec?.nullable && value === '' ? null : meaning(value, spec);
}

/** A categorical value (the SDK's str() of it, JSON-encoded) as the script converts it for its declared kind. */
function categorical(encoded, spec) {
  const text = JSON.parse(encoded);
  if (spec?.kind === 'boolean') return text === 'True';
  if (spec?.kind === 'integer' || spec?.kind === 'float') return Number(text);
  return spec?.nullable && text === '' ? null : meaning(text, spec);
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

/**
 * Values the script needs a GPU with native bfloat16 for (a declaration's needsNativeBf16) on an instance type
 * without (policy.instanceTypes[type].nativeBf16 false: the instance-type catalog, at synthesis): one problem per
 * hyperparameter, naming the value (a tuned one: a value its range can take; not set: the script's default), the type
 * and what to do. `hps`, `parameterRanges` and `refused` as for checkRules; `chosen`: the names (and "instanceType")
 * the run set itself, the others are the recipe's.
 */
export function nativeBf16Problems(policy, instanceType, hps, parameterRanges, refused, chosen) {
  const types = policy.instanceTypes;
  if (types[instanceType]?.nativeBf16 !== false) return [];
  const declared = isObject(policy.hyperparameters) ? policy.hyperparameters : {};
  const tuned = rangesByName(parameterRanges);
  const capable = Object.keys(types).filter((t) => types[t].nativeBf16 !== false);
  const problems = [];
  for (const [name, spec] of Object.entries(declared)) {
    if (!Array.isArray(spec.needsNativeBf16) || refused.has(name)) continue;
    const needs = (v) => spec.needsNativeBf16.some((n) => n === v);
    let shown;
    if (tuned[name]) {
      const hit = candidates(tuned[name], [{ in: spec.needsNativeBf16 }], spec).find(needs);
      if (hit !== undefined) shown = `tuning.ranges.${name}: ${show(hit)} (a value of its range)`;
    } else if (hps[name] !== undefined) {
      const value = received(hps[name], spec);
      if (needs(value)) shown = `hyperparameters.${name} = ${show(decoded(hps[name]))}${chosen.has(name) ? '' : ' (the recipe\'s)'}`;
    } else if (needs(spec.scriptDefault)) {
      shown = `hyperparameters.${name} = ${show(spec.scriptDefault)} (not set: the default)`;
    }
    if (shown === undefined) continue;
    const others = (spec.vocabulary?.words ?? (spec.kind === 'boolean' ? [true, false] : spec.choices ?? [])).filter((v) => !needs(v));
    const instead = others.length > 0 ? `${name} ${others.map(show).join(' or ')}` : `another ${name}`;
    const elsewhere = capable.length > 0 ? `, or an instanceType whose GPU has it (${capable.join(', ')})` : '';
    const type = `instanceType ${show(instanceType)}${chosen.has('instanceType') ? '' : ' (the recipe\'s)'}`;
    problems.push(`${shown}: needs a GPU that computes in bfloat16 natively, and ${type} has none; allowed: ${instead}${elsewhere}`);
  }
  return problems;
}
