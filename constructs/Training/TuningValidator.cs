using System.Globalization;
using System.Text.Json.Nodes;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Checks a <see cref="TuningDefinition"/> and renders its <c>ParameterRanges</c> as the SDK's
/// <c>HyperparameterTuner.hyperparameter_ranges()</c> does: all three lists present, numeric bounds as Python
/// <c>str()</c>, categorical values turned into strings and then JSON-encoded (<c>CategoricalParameter.__init__</c> +
/// <c>as_json_range</c>, used for Framework estimators), and checks the tuner settings the SDK forwards as they are
/// (<c>StrategyConfig</c>, <c>RandomSeed</c>, <c>ResourceLimits.MaxRuntimeInSeconds</c>, <c>TuningJobCompletionCriteria</c>,
/// <c>WarmStartConfig</c>) against the API's limits. What each strategy and each range scaling takes is read from
/// <see cref="TuningRules"/> (the table PrepareRequest checks run-time overrides against).
/// </summary>
internal static class TuningValidator
{
    public sealed record Result(IReadOnlyList<string> TunedNames, JsonObject Json);

    /// <summary>ResourceLimits.MaxRuntimeInSeconds bounds (API model, HyperParameterTuningMaxRuntimeInSeconds).</summary>
    public const int MinTuningRuntimeSeconds = 120;

    /// <summary>Upper bound of ResourceLimits.MaxRuntimeInSeconds.</summary>
    public const int MaxTuningRuntimeSeconds = 15768000;

    /// <summary>At most this many parent tuning jobs (API model, ParentHyperParameterTuningJobs).</summary>
    public const int MaxWarmStartParents = 5;

    /// <summary>Values of one categorical range (API model, ParameterValues).</summary>
    public const int MaxCategoricalValues = 30;

    /// <summary>Characters of one encoded categorical value (API model, ParameterValue).</summary>
    public const int MaxCategoricalValueLength = 256;

    /// <summary>Largest <c>RandomSeed</c> (API model, RandomSeed: a 32-bit integer of at least 0).</summary>
    public const int MaxRandomSeed = int.MaxValue;

    public static Result Check(List<string> problems, HuggingFaceTrainingJobDefinition def, TuningDefinition tuning)
    {
        var continuous = new JsonArray();
        var integer = new JsonArray();
        var categorical = new JsonArray();
        var names = new List<string>();
        var ranges = tuning.Ranges ?? [];
        if (ranges.Count is 0 or > TrainingDefinitionValidator.MaxTunedParameters)
        {
            problems.Add($"Ranges: {ranges.Count} ranges is not allowed; a tuning job searches 1-{TrainingDefinitionValidator.MaxTunedParameters} hyperparameters.");
        }

        var rules = Enum.IsDefined(tuning.Strategy) ? TuningRules.For(tuning.Strategy) : null;
        if (rules is null)
        {
            problems.Add($"Strategy: {tuning.Strategy} is not Bayesian, Random, Hyperband or Grid.");
        }

        var metricNames = (def.MetricDefinitions ?? []).Where(m => m is not null).Select(m => m.Name).ToList();
        if (tuning.Objective is null || string.IsNullOrEmpty(tuning.Objective.MetricName))
        {
            problems.Add("Objective: missing; name one of the MetricDefinitions.");
        }
        else if (!metricNames.Contains(tuning.Objective.MetricName))
        {
            problems.Add($"Objective.MetricName: '{tuning.Objective.MetricName}' is not one of the MetricDefinitions ({(metricNames.Count == 0 ? "none defined" : string.Join(", ", metricNames))}); SageMaker can only optimise a metric it extracts from the log.");
        }

        if (rules is { TakesMaxJobs: false } && tuning.MaxJobs is not null)
        {
            problems.Add($"MaxJobs: {tuning.MaxJobs} must not be set with the {tuning.Strategy} strategy; {rules.Because}.");
        }
        else if (tuning.MaxJobs is < 1)
        {
            problems.Add($"MaxJobs: {tuning.MaxJobs} is not allowed; use at least 1.");
        }

        if (tuning.MaxParallelJobs < 1)
        {
            problems.Add($"MaxParallelJobs: {tuning.MaxParallelJobs} is not allowed; SageMaker requires at least 1.");
        }

        if (rules?.EarlyStopping is { } stopping && !stopping.Contains(tuning.EarlyStopping.ToString()))
        {
            problems.Add($"EarlyStopping: {tuning.EarlyStopping} is not allowed with the {tuning.Strategy} strategy ({rules.Because}); SageMaker requires TrainingJobEarlyStoppingType {string.Join(" or ", stopping)}.");
        }

        if (rules is { TakesRandomSeed: false } && tuning.RandomSeed is { } seed)
        {
            problems.Add($"RandomSeed: {seed} is not allowed with the {tuning.Strategy} strategy ({rules.Because}: a seed would change nothing); remove it.");
        }

        CheckTunerSettings(problems, def, tuning, ranges, rules);
        for (var i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            var field = $"Ranges[{i}]";
            if (range is null)
            {
                problems.Add($"{field}: null; remove it.");
                continue;
            }

            if (string.IsNullOrEmpty(range.Name) || range.Name.Length > 256)
            {
                problems.Add($"{field}.Name: '{range.Name}' is not allowed; use 1-256 characters.");
            }
            else if (range.Name.StartsWith(ReservedHyperparameters.ReservedPrefix, StringComparison.Ordinal) || range.Name == ReservedHyperparameters.ModelParallelParameters)
            {
                problems.Add($"{field}.Name: '{range.Name}' is a reserved hyperparameter and cannot be tuned.");
            }
            else if (names.Contains(range.Name))
            {
                problems.Add($"{field}.Name: '{range.Name}' is tuned twice; each hyperparameter may have one range.");
            }
            else
            {
                names.Add(range.Name);
            }

            if (rules?.RangeTypes is { } types && RangeType(range) is { } type && !types.Contains(type))
            {
                problems.Add($"{field}: '{range.Name}' is {Article(type)} range; the {tuning.Strategy} strategy takes {string.Join(" or ", types)} ranges only.");
            }

            switch (range)
            {
                case ContinuousRange c:
                    CheckContinuous(problems, field, c);
                    continuous.Add(new JsonObject
                    {
                        ["Name"] = c.Name,
                        ["MinValue"] = HyperparameterEncoding.FormatDouble(c.Min),
                        ["MaxValue"] = HyperparameterEncoding.FormatDouble(c.Max),
                        ["ScalingType"] = c.Scaling.ToString(),
                    });
                    break;
                case IntegerRange n:
                    CheckInteger(problems, field, n);
                    integer.Add(new JsonObject
                    {
                        ["Name"] = n.Name,
                        ["MinValue"] = n.Min.ToString(CultureInfo.InvariantCulture),
                        ["MaxValue"] = n.Max.ToString(CultureInfo.InvariantCulture),
                        ["ScalingType"] = n.Scaling.ToString(),
                    });
                    break;
                case CategoricalRange k:
                    categorical.Add(new JsonObject
                    {
                        ["Name"] = k.Name,
                        ["Values"] = new JsonArray(CheckCategorical(problems, field, k).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                    });
                    break;
                default:
                    problems.Add($"{field}: {range.GetType().Name} is not a ContinuousRange, IntegerRange or CategoricalRange.");
                    break;
            }
        }

        var json = new JsonObject
        {
            ["ContinuousParameterRanges"] = continuous,
            ["IntegerParameterRanges"] = integer,
            ["CategoricalParameterRanges"] = categorical,
        };
        return new Result(names, json);
    }

    private static void CheckTunerSettings(List<string> problems, HuggingFaceTrainingJobDefinition def, TuningDefinition tuning, IReadOnlyList<ParameterRange> ranges, TuningRules.Strategy? rules)
    {
        // TuningDefinition.Hyperband is StrategyConfig.HyperbandStrategyConfig, which the table gives the strategy that takes it.
        var hyperbandRules = TuningRules.For(TuningStrategy.Hyperband);
        var maxResource = hyperbandRules.MaxResource!.Value;
        if (tuning.Hyperband is { } hyperband)
        {
            if (rules is not null && rules.StrategyConfig != hyperbandRules.StrategyConfig)
            {
                problems.Add($"Hyperband: set with the {tuning.Strategy} strategy; StrategyConfig applies to Hyperband only. Remove it or use TuningStrategy.Hyperband.");
            }

            if (hyperband.MinResource is { } minimum && (minimum < 1 || minimum > maxResource))
            {
                problems.Add($"Hyperband.MinResource: {hyperband.MinResource} is not allowed; use 1-{maxResource}.");
            }

            if (hyperband.MaxResource is { } maximum && (maximum < 1 || maximum > maxResource))
            {
                problems.Add($"Hyperband.MaxResource: {hyperband.MaxResource} is not allowed; use 1-{maxResource}.");
            }

            if (hyperband.MinResource is { } min && hyperband.MaxResource is { } max && min > max)
            {
                problems.Add($"Hyperband: MinResource {min} is above MaxResource {max}; use MinResource <= MaxResource.");
            }
        }

        if (rules?.MaxResourceKeys is { } keys && tuning.Hyperband?.MaxResource is null)
        {
            // SageMaker infers MaxResource from a static epochs-like hyperparameter and rejects the job without one.
            var tuned = ranges.Where(r => r is not null).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            var hyperparameters = def.Hyperparameters ?? new Dictionary<string, object?>();
            var found = keys.FirstOrDefault(k => hyperparameters.ContainsKey(k) && !tuned.Contains(k));
            var lowest = Math.Max(tuning.Hyperband?.MinResource ?? 1, 1);
            if (found is null)
            {
                problems.Add($"Hyperband.MaxResource: not set, and no static hyperparameter named {string.Join(", ", keys)} to infer it from; SageMaker would reject the tuning job. Set Hyperband = new HyperbandStrategyConfig(MaxResource: <epochs>) or add a static '{keys[0]}' hyperparameter.");
            }
            else if (hyperparameters[found] is not (int or long or short or byte) || Convert.ToInt64(hyperparameters[found], CultureInfo.InvariantCulture) is var epochs && (epochs < lowest || epochs > rules.MaxResource))
            {
                problems.Add($"Hyperparameters[\"{found}\"]: {HyperparameterEncoding.Encode(hyperparameters[found])} cannot serve as Hyperband's MaxResource; use an integer from {lowest} to {rules.MaxResource}, or set Hyperband.MaxResource.");
            }
        }

        if (tuning.RandomSeed is < 0)
        {
            problems.Add($"RandomSeed: {tuning.RandomSeed} is not allowed; use an integer of at least 0.");
        }

        if (tuning.MaxRuntime is { } runtime)
        {
            var seconds = runtime.ToSeconds(new Amazon.CDK.TimeConversionOptions { Integral = false });
            if (seconds is < MinTuningRuntimeSeconds or > MaxTuningRuntimeSeconds || seconds != Math.Floor(seconds))
            {
                problems.Add($"MaxRuntime: {seconds.ToString(CultureInfo.InvariantCulture)} seconds is not allowed; use whole seconds from {MinTuningRuntimeSeconds} to {MaxTuningRuntimeSeconds} (182.5 days).");
            }
        }

        if (tuning.CompletionCriteria is { } criteria)
        {
            if (criteria.TargetObjectiveMetricValue is null && criteria.MaxNumberOfTrainingJobsNotImproving is null && criteria.CompleteOnConvergence is null)
            {
                problems.Add("CompletionCriteria: no criterion set; set TargetObjectiveMetricValue, MaxNumberOfTrainingJobsNotImproving or CompleteOnConvergence, or remove it.");
            }

            if (criteria.TargetObjectiveMetricValue is { } target && !float.IsFinite((float)target))
            {
                problems.Add($"CompletionCriteria.TargetObjectiveMetricValue: {Show(target)} is not allowed; use a finite number (a 32-bit float).");
            }

            if (criteria.MaxNumberOfTrainingJobsNotImproving is < 3)
            {
                problems.Add($"CompletionCriteria.MaxNumberOfTrainingJobsNotImproving: {criteria.MaxNumberOfTrainingJobsNotImproving} is not allowed; SageMaker requires at least 3.");
            }
        }

        if (tuning.WarmStart is { } warm)
        {
            if (!Enum.IsDefined(warm.Type))
            {
                problems.Add($"WarmStart.Type: {warm.Type} is not IdenticalDataAndAlgorithm or TransferLearning.");
            }

            var parents = warm.Parents ?? [];
            if (parents.Count is 0 or > MaxWarmStartParents)
            {
                problems.Add($"WarmStart.Parents: {parents.Count} parent tuning jobs is not allowed; SageMaker takes 1-{MaxWarmStartParents}.");
            }

            for (var i = 0; i < parents.Count; i++)
            {
                TrainingDefinitionValidator.CheckJobName(problems, $"WarmStart.Parents[{i}]", parents[i] ?? string.Empty, tuning: true);
            }

            if (parents.Distinct(StringComparer.Ordinal).Count() != parents.Count)
            {
                problems.Add($"WarmStart.Parents: {string.Join(", ", parents)} names a tuning job twice; list each parent once.");
            }
        }
    }

    private static void CheckContinuous(List<string> problems, string field, ContinuousRange range)
    {
        var below = TuningRules.MinBelowMax(TuningRules.Continuous);
        if (!double.IsFinite(range.Min) || !double.IsFinite(range.Max) || (below ? range.Min >= range.Max : range.Min > range.Max))
        {
            problems.Add($"{field}: '{range.Name}' has Min {Show(range.Min)} and Max {Show(range.Max)}; use finite bounds with Min {(below ? "<" : "<=")} Max.");
            return;
        }

        CheckScaling(problems, field, range.Name, range.Scaling, (range.Min, range.Max), TuningRules.Continuous, Show);
    }

    private static void CheckInteger(List<string> problems, string field, IntegerRange range)
    {
        var below = TuningRules.MinBelowMax(TuningRules.Integer);
        if (below ? range.Min >= range.Max : range.Min > range.Max)
        {
            problems.Add($"{field}: '{range.Name}' has Min {range.Min} and Max {range.Max}; use Min {(below ? "<" : "<=")} Max.");
            return;
        }

        CheckScaling(problems, field, range.Name, range.Scaling, (range.Min, range.Max), TuningRules.Integer, v => v.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The range types and bounds the scaling takes (<see cref="TuningRules.For(ScalingType)"/>).</summary>
    private static void CheckScaling(List<string> problems, string field, string name, ScalingType scaling, (double Min, double Max) range, string rangeType, Func<double, string> show)
    {
        if (!Enum.IsDefined(scaling))
        {
            problems.Add($"{field}: '{name}' has scaling {scaling}; use {string.Join(", ", Enum.GetNames<ScalingType>())}.");
            return;
        }

        var rules = TuningRules.For(scaling);
        if (rules.RangeTypes is { } types && !types.Contains(rangeType))
        {
            problems.Add($"{field}: '{name}' is {Article(rangeType)} range; {scaling} scaling applies to {string.Join(" or ", types)} ranges only.");
        }
        else if (!rules.Holds(range.Min, range.Max))
        {
            var shown = string.Join(" and ", new[] { rules.ReadsMin ? $"Min {show(range.Min)}" : null, rules.ReadsMax ? $"Max {show(range.Max)}" : null }.OfType<string>());
            problems.Add($"{field}: '{name}' uses {scaling} scaling with {shown}; {scaling} scaling needs {rules.Bounds()}.");
        }
    }

    /// <summary>The table's name of a range's type (<see cref="TuningRules"/>), or null for an unknown range class.</summary>
    private static string? RangeType(ParameterRange range) => range switch
    {
        ContinuousRange => TuningRules.Continuous,
        IntegerRange => TuningRules.Integer,
        CategoricalRange => TuningRules.Categorical,
        _ => null,
    };

    /// <summary>"an integer", "a continuous", "a categorical".</summary>
    private static string Article(string word) => ("aeiou".Contains(word[0], StringComparison.Ordinal) ? "an " : "a ") + word;

    private static List<string> CheckCategorical(List<string> problems, string field, CategoricalRange range)
    {
        var values = range.Values ?? [];
        var encoded = new List<string>();
        if (values.Count is 0 or > MaxCategoricalValues)
        {
            problems.Add($"{field}: '{range.Name}' has {values.Count} values; SageMaker allows 1-{MaxCategoricalValues}.");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!HyperparameterEncoding.TryEncodeCategorical(values[i], out var text, out var error))
            {
                problems.Add($"{field}.Values[{i}]: {error}.");
                continue;
            }

            if (text.Length > MaxCategoricalValueLength)
            {
                problems.Add($"{field}.Values[{i}]: encoded value is {text.Length} characters; SageMaker allows at most {MaxCategoricalValueLength}.");
            }

            if (encoded.Contains(text))
            {
                problems.Add($"{field}.Values[{i}]: {text} appears twice in '{range.Name}'; values must be distinct.");
            }

            encoded.Add(text);
        }

        return encoded;
    }

    private static string Show(double value) => HyperparameterEncoding.FormatDouble(value);
}
