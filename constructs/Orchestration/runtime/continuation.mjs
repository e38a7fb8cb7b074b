// Continuing a search run after run: the seed and the warm start of a tuning input (tuner.py WarmStartConfig and
// RandomSeed, as the C# TrainingRequestBuilder renders them at synthesis).
import { show } from './errors.mjs';
import { jobNameProblems } from './names.mjs';
import { checkKeys, intIn, isObject } from './values.mjs';

/**
 * `tuning.randomSeed` (RandomSeed: an integer from 0 to policy.tuning.maxRandomSeed, or null for none) and
 * `tuning.warmStart` ({type, parents}: WarmStartConfig, or null for a cold start). Parents are tuning jobs of this
 * pipeline: their names must carry its job prefix, as every job it creates does; 1 to policy.tuning.warmStartParents.
 * `strategy` is the run's effective strategy and `strategyRule` its tuning rule: one with randomSeed false (Grid runs
 * every combination) takes no seed, which would change nothing.
 */
export function validateSearchContinuation(tuning, { policy, nameRule, strategy, strategyRule }, problems) {
  const limits = policy.tuning;
  const out = {};
  if (tuning.randomSeed !== undefined) {
    if (tuning.randomSeed === null) out.randomSeed = null;
    else if (strategyRule.randomSeed === false) problems.push(`tuning.randomSeed: ${show(tuning.randomSeed)} is not allowed with the ${strategy} strategy of this recipe (${strategyRule.because}: a seed would change nothing); allowed: null`);
    else if (intIn(tuning.randomSeed, 'tuning.randomSeed', 0, limits.maxRandomSeed, problems, ' (SageMaker RandomSeed), or null for none')) out.randomSeed = tuning.randomSeed;
  }
  if (tuning.warmStart !== undefined) {
    const warm = tuning.warmStart;
    const prefix = `${policy.jobNamePrefix}-`;
    const types = limits.warmStartTypes;
    if (warm === null) {
      out.warmStart = null;
    } else if (!isObject(warm)) {
      problems.push(`tuning.warmStart: ${show(warm)} is not allowed; allowed: {"type": ${types.map((t) => `"${t}"`).join(' | ')}, "parents": ["${prefix}..."]} or null`);
    } else {
      const before = problems.length;
      checkKeys(warm, ['type', 'parents'], 'tuning.warmStart.', problems);
      if (!types.includes(warm.type)) {
        problems.push(`tuning.warmStart.type: ${show(warm.type)} is not allowed; allowed: ${types.join(', ')}`);
      }
      const parents = warm.parents;
      if (!Array.isArray(parents) || parents.length < 1 || parents.length > limits.warmStartParents) {
        problems.push(`tuning.warmStart.parents: ${show(parents)} is not allowed; allowed: 1 to ${limits.warmStartParents} tuning job names starting with "${prefix}"`);
      } else {
        parents.forEach((name, i) => {
          const field = `tuning.warmStart.parents[${i}]`;
          if (typeof name !== 'string') {
            problems.push(`${field}: ${show(name)} is not allowed; allowed: a tuning job name starting with "${prefix}"`);
            return;
          }
          const nameProblems = jobNameProblems(name, nameRule);
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

/**
 * Applies the seed and the warm start of `validateSearchContinuation`, and drops a StrategyConfig member the strategy
 * does not take (`strategyRules`: policy.tuning.strategyRules; noted in `notes`).
 */
export function applySearchContinuation(request, overrides, notes, strategyRules) {
  const config = request.HyperParameterTuningJobConfig;
  if (overrides?.randomSeed === null) delete config.RandomSeed;
  else if (overrides?.randomSeed !== undefined) config.RandomSeed = overrides.randomSeed;
  if (overrides?.warmStart === null) delete request.WarmStartConfig;
  else if (overrides?.warmStart !== undefined) request.WarmStartConfig = overrides.warmStart;
  // SageMaker takes a StrategyConfig member only with the strategy whose rule names it (HyperbandStrategyConfig: Hyperband).
  const takes = strategyRules[config.Strategy]?.strategyConfig;
  for (const [member, settings] of Object.entries(config.StrategyConfig ?? {})) {
    if (member === takes) continue;
    const owner = Object.keys(strategyRules).find((s) => strategyRules[s].strategyConfig === member) ?? member;
    notes.push(`tuning.strategy: the recipe's ${owner} settings ${show(settings)} do not apply to the ${config.Strategy} strategy and are not sent`);
    delete config.StrategyConfig[member];
  }
  if (config.StrategyConfig !== undefined && Object.keys(config.StrategyConfig).length === 0) delete config.StrategyConfig;
}
