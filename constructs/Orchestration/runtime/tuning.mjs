// The execution input's `tuning` object: limits, strategy, early stopping and ranges, checked against the policy
// (policy.tuning: the environment's tuning limits and the API's enums and limits, from C#) and against the strategy
// rules of the C# TuningValidator for the effective combination; then applied to the tuning request.
import { show } from './errors.mjs';
import { encodeCategorical, rangeBound } from './encoding.mjs';
import { applySearchContinuation, validateSearchContinuation } from './continuation.mjs';
import { checkKeys, intIn, isInt, isNumber, isObject, specProblem } from './values.mjs';

/** Keys of the input's `tuning` object. */
export const TUNING_KEYS = Object.freeze(['maxJobs', 'maxParallelJobs', 'strategy', 'earlyStopping', 'ranges', 'randomSeed', 'warmStart']);

/** The names of every range of a ParameterRanges object. */
export function rangeNames(parameterRanges) {
  const names = new Set();
  for (const list of Object.values(parameterRanges ?? {})) for (const r of list ?? []) names.add(r.Name);
  return names;
}

/** Checks `tuning` and returns its overrides, adding one problem per bad field. */
export function validateTuning(tuning, { request, known, policy, nameRule }, problems) {
  checkKeys(tuning, TUNING_KEYS, 'tuning.', problems);
  const rules = policy.tuning;
  const declared = isObject(policy.hyperparameters) ? policy.hyperparameters : null;
  const config = request.HyperParameterTuningJobConfig;
  const limits = config.ResourceLimits;
  const out = {};
  const maxJobs = tuning.maxJobs ?? limits.MaxNumberOfTrainingJobs;
  if (tuning.maxJobs !== undefined && intIn(tuning.maxJobs, 'tuning.maxJobs', 1, rules.maxJobs, problems, ' (the environment\'s MaxTuningJobs)')) {
    out.maxJobs = tuning.maxJobs;
  }
  if (tuning.maxParallelJobs !== undefined) {
    const upper = Math.min(rules.maxParallelJobs, isInt(maxJobs) ? maxJobs : rules.maxParallelJobs);
    if (intIn(tuning.maxParallelJobs, 'tuning.maxParallelJobs', 1, upper, problems, ' (the environment\'s MaxParallelTuningJobs, and no more than maxJobs)')) {
      out.maxParallelJobs = tuning.maxParallelJobs;
    }
  } else if (out.maxJobs !== undefined && limits.MaxParallelTrainingJobs > out.maxJobs) {
    out.maxParallelJobs = out.maxJobs;
    out.parallelLowered = true;
  }
  if (tuning.strategy !== undefined) {
    if (!rules.strategies.includes(tuning.strategy)) problems.push(`tuning.strategy: ${show(tuning.strategy)} is not allowed; allowed: ${rules.strategies.join(', ')}`);
    else out.strategy = tuning.strategy;
  }
  if (tuning.earlyStopping !== undefined) {
    if (!rules.earlyStoppingTypes.includes(tuning.earlyStopping)) problems.push(`tuning.earlyStopping: ${show(tuning.earlyStopping)} is not allowed; allowed: ${rules.earlyStoppingTypes.join(', ')}`);
    else out.earlyStopping = tuning.earlyStopping;
  }
  if (tuning.ranges !== undefined) {
    if (!isObject(tuning.ranges) || Object.keys(tuning.ranges).length === 0) {
      problems.push(`tuning.ranges: ${show(tuning.ranges)} is not allowed; allowed: a non-empty object of hyperparameter name -> range`);
    } else if (Object.keys(tuning.ranges).length > rules.tunedParameters) {
      problems.push(`tuning.ranges: ${Object.keys(tuning.ranges).length} ranges is not allowed; allowed: 1 to ${rules.tunedParameters} hyperparameters`);
    } else {
      const ranges = { ContinuousParameterRanges: [], IntegerParameterRanges: [], CategoricalParameterRanges: [] };
      let ok = true;
      for (const [name, range] of Object.entries(tuning.ranges)) {
        const r = validateRange(name, range, { known, rules, spec: declared?.[name] }, problems);
        if (!r) { ok = false; continue; }
        ranges[r.kind].push(r.value);
      }
      if (ok) out.ranges = ranges;
    }
  }
  // The strategy rules TrainingRequestBuilder (TuningValidator) enforces at synthesis, for the effective combination.
  const strategy = out.strategy ?? config.Strategy;
  if (strategy === 'Grid') {
    if (tuning.maxJobs !== undefined) problems.push(`tuning.maxJobs: not allowed with the Grid strategy of this recipe (SageMaker runs every combination of the categorical values)`);
    const ranges = out.ranges ?? config.ParameterRanges;
    const numeric = [...(ranges.ContinuousParameterRanges ?? []), ...(ranges.IntegerParameterRanges ?? [])].map((r) => r.Name);
    if (numeric.length > 0) problems.push(`tuning.ranges: ${numeric.join(', ')} not allowed; allowed: categorical ranges only (the Grid strategy)`);
  } else if (config.Strategy === 'Grid' && limits.MaxNumberOfTrainingJobs === undefined && out.maxJobs === undefined && tuning.maxJobs === undefined) {
    problems.push(`tuning.maxJobs: required when switching this Grid recipe to ${strategy}; allowed: an integer from 1 to ${rules.maxJobs}`);
  }
  if (strategy === 'Hyperband' && (out.earlyStopping ?? config.TrainingJobEarlyStoppingType) === 'Auto') {
    problems.push(`tuning.earlyStopping: "Auto" is not allowed with the Hyperband strategy of this recipe, which stops jobs itself; allowed: "Off"`);
  }
  Object.assign(out, validateSearchContinuation(tuning, { policy, nameRule, strategy }, problems));
  return out;
}

function validateRange(name, range, { known, rules, spec }, problems) {
  const field = `tuning.ranges.${name}`;
  if (!known.includes(name)) {
    problems.push(`${field}: unknown hyperparameter of this recipe; allowed keys: ${known.join(', ')}`);
    return null;
  }
  if (spec?.ignored !== undefined) {
    problems.push(`${field}: not allowed; ${spec.ignored}`);
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
    const numeric = type === 'integer' ? isInt : isNumber;
    const noun = type === 'integer' ? 'an integer' : 'a number';
    if (!numeric(range.min)) problems.push(`${field}.min: ${show(range.min)} is not allowed; allowed: ${noun}`);
    if (!numeric(range.max)) problems.push(`${field}.max: ${show(range.max)} is not allowed; allowed: ${noun}`);
    if (numeric(range.min) && numeric(range.max) && !(type === 'integer' ? range.min <= range.max : range.min < range.max)) {
      problems.push(`${field}: min ${show(range.min)} must be ${type === 'integer' ? 'at most' : 'less than'} max ${show(range.max)}`);
    }
    const scaling = range.scaling ?? 'Auto';
    if (!rules.scalingTypes.includes(scaling)) {
      problems.push(`${field}.scaling: ${show(range.scaling)} is not allowed; allowed: ${rules.scalingTypes.join(', ')}`);
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
    if (!Array.isArray(values) || values.length < 1 || values.length > rules.categoricalValues
      || values.some((v) => v === null || typeof v === 'object')) {
      problems.push(`${field}.values: ${show(values)} is not allowed; allowed: 1 to ${rules.categoricalValues} strings, numbers or booleans`);
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
    const long = encoded.find((v) => v.length > rules.categoricalValueLength);
    if (long !== undefined) {
      problems.push(`${field}.values: encoded value ${show(long)} is ${long.length} characters; allowed: at most ${rules.categoricalValueLength}`);
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

/**
 * Applies the overrides to the tuning request; `staticHps` are the definition's static hyperparameters (already with
 * the run's hyperparameter overrides), `trainingHps` the training request's (the recipe's values). Notes what the
 * overrides change beyond themselves in `notes`.
 */
export function applyTuning(request, overrides, { staticHps, trainingHps, notes }) {
  const config = request.HyperParameterTuningJobConfig;
  if (overrides?.maxJobs !== undefined) config.ResourceLimits.MaxNumberOfTrainingJobs = overrides.maxJobs;
  if (overrides?.maxParallelJobs !== undefined) {
    if (overrides.parallelLowered) {
      notes.push(`tuning.maxJobs: the recipe's ${config.ResourceLimits.MaxParallelTrainingJobs} parallel jobs are lowered to ${overrides.maxParallelJobs}, as many as the run starts in all`);
    }
    config.ResourceLimits.MaxParallelTrainingJobs = overrides.maxParallelJobs;
  }
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
  applySearchContinuation(request, overrides, notes);
}

/**
 * Problems of the final tuning request that SageMaker would refuse, for the effective strategy. Hyperband without a
 * MaxResource reads it from the first static hyperparameter named in policy.tuning.hyperbandEpochKeys (API reference,
 * HyperbandStrategyConfig.MaxResource): it must exist and be an integer from MinResource (or 1) to
 * policy.tuning.hyperbandMaxResource, as TuningValidator checks at synthesis.
 */
export function finalTuningProblems(request, staticHps, policy) {
  const config = request.HyperParameterTuningJobConfig;
  const hyperband = config.StrategyConfig?.HyperbandStrategyConfig ?? {};
  if (config.Strategy !== 'Hyperband' || hyperband.MaxResource !== undefined) return [];
  const { hyperbandEpochKeys: keys, hyperbandMaxResource: max } = policy.tuning;
  const min = hyperband.MinResource ?? 1;
  const found = keys.find((k) => staticHps[k] !== undefined);
  if (found === undefined) {
    const tuned = keys.filter((k) => rangeNames(config.ParameterRanges).has(k));
    return [tuned.length > 0
      ? `tuning.ranges: ${tuned.join(', ')} not allowed; this Hyperband recipe sets no MaxResource, so SageMaker reads it from that static hyperparameter (allowed: keep it out of the ranges)`
      : `hyperparameters: no static ${keys.join(', ')}; this Hyperband recipe sets no MaxResource, so SageMaker reads it from one of them (allowed: set one)`];
  }
  let value;
  try {
    value = JSON.parse(staticHps[found]);
  } catch {
    value = staticHps[found];
  }
  return isInt(value) && value >= min && value <= max ? []
    : [`hyperparameters.${found}: ${staticHps[found]} cannot serve as this Hyperband recipe's MaxResource; allowed: an integer from ${min} to ${max}`];
}
