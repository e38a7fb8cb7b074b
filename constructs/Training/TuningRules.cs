using System.Globalization;
using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// The one home of the tuning rules: the embedded <c>Training/Catalog/tuning-rules.json</c> (what each search strategy
/// and each range scaling takes, with its sources). <see cref="TuningValidator"/> checks a <see cref="TuningDefinition"/>
/// against it at synthesis; the pipeline's policy carries the entries a run can reach (<see cref="PolicyJson"/>), and
/// PrepareRequest checks a run's tuning overrides against them (<c>runtime/tuning.mjs</c>).
/// </summary>
internal static class TuningRules
{
    /// <summary>The range type names of the table (and of an execution input's <c>tuning.ranges</c>).</summary>
    public const string Continuous = "continuous";

    /// <summary>An integer range.</summary>
    public const string Integer = "integer";

    /// <summary>A categorical range.</summary>
    public const string Categorical = "categorical";

    private const string ResourceName = "HfSageMaker.Constructs.Training.Catalog.tuning-rules.json";

    private static readonly Lazy<JsonObject> Table = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>What one search strategy refuses or needs.</summary>
    /// <param name="Because">Why, for messages; null when the strategy has no rules.</param>
    /// <param name="RangeTypes">The range types it takes; null: every type.</param>
    /// <param name="TakesMaxJobs">Whether <c>ResourceLimits.MaxNumberOfTrainingJobs</c> is set.</param>
    /// <param name="TakesRandomSeed">Whether <c>RandomSeed</c> is set.</param>
    /// <param name="EarlyStopping">The early-stopping types it takes; null: every type.</param>
    /// <param name="StrategyConfig">The member of <c>StrategyConfig</c> it takes; null: none.</param>
    /// <param name="MaxResourceKeys">The static hyperparameters SageMaker reads the resource bound from when the strategy config
    /// gives none (first found wins); null: not this strategy.</param>
    /// <param name="MaxResource">The largest resource bound; null: not this strategy.</param>
    public sealed record Strategy(string? Because, IReadOnlyList<string>? RangeTypes, bool TakesMaxJobs, bool TakesRandomSeed,
        IReadOnlyList<string>? EarlyStopping, string? StrategyConfig, IReadOnlyList<string>? MaxResourceKeys, int? MaxResource);

    /// <summary>What one range scaling needs: the range types it applies to and bounds of every value of the range.</summary>
    /// <param name="RangeTypes">The range types it applies to; null: every numeric type.</param>
    /// <param name="Minimum">Smallest min (inclusive).</param>
    /// <param name="ExclusiveMinimum">Number min must exceed.</param>
    /// <param name="Maximum">Largest max (inclusive).</param>
    /// <param name="ExclusiveMaximum">Number max must stay below.</param>
    public sealed record Scaling(IReadOnlyList<string>? RangeTypes, double? Minimum, double? ExclusiveMinimum, double? Maximum, double? ExclusiveMaximum)
    {
        /// <summary>The bounds, in words: <c>Min &gt; 0</c>, <c>Min &gt;= 0 and Max &lt; 1</c>.</summary>
        public string Bounds()
        {
            var parts = new List<string>();
            if (Minimum is { } min) parts.Add($"Min >= {Show(min)}");
            if (ExclusiveMinimum is { } emin) parts.Add($"Min > {Show(emin)}");
            if (Maximum is { } max) parts.Add($"Max <= {Show(max)}");
            if (ExclusiveMaximum is { } emax) parts.Add($"Max < {Show(emax)}");
            return string.Join(" and ", parts);
        }

        /// <summary>Whether a range from <paramref name="min"/> to <paramref name="max"/> keeps the bounds.</summary>
        public bool Holds(double min, double max) =>
            (Minimum is not { } a || min >= a) && (ExclusiveMinimum is not { } b || min > b)
            && (Maximum is not { } c || max <= c) && (ExclusiveMaximum is not { } d || max < d);

        /// <summary>Whether the scaling reads the range's min (it has a lower bound).</summary>
        public bool ReadsMin => Minimum is not null || ExclusiveMinimum is not null;

        /// <summary>Whether the scaling reads the range's max (it has an upper bound).</summary>
        public bool ReadsMax => Maximum is not null || ExclusiveMaximum is not null;
    }

    /// <summary>The rules of <paramref name="strategy"/>.</summary>
    /// <param name="strategy">A defined strategy.</param>
    /// <returns>Its rules.</returns>
    public static Strategy For(TuningStrategy strategy)
    {
        var json = Entry("strategies", strategy.ToString());
        var maxResource = json["maxResource"] as JsonObject;
        return new Strategy(
            (string?)json["because"],
            Strings(json["rangeTypes"]),
            (bool?)json["maxJobs"] ?? true,
            (bool?)json["randomSeed"] ?? true,
            Strings(json["earlyStopping"]),
            (string?)json["strategyConfig"],
            Strings(maxResource?["inferredFrom"]),
            (int?)maxResource?["maximum"]);
    }

    /// <summary>The rules of <paramref name="scaling"/>.</summary>
    /// <param name="scaling">A defined scaling type.</param>
    /// <returns>Its rules.</returns>
    public static Scaling For(ScalingType scaling)
    {
        var json = Entry("scaling", scaling.ToString());
        return new Scaling(Strings(json["rangeTypes"]), (double?)json["minimum"], (double?)json["exclusiveMinimum"],
            (double?)json["maximum"], (double?)json["exclusiveMaximum"]);
    }

    /// <summary>Whether a range of <paramref name="rangeType"/> needs min below max (else min may equal max).</summary>
    /// <param name="rangeType"><see cref="Continuous"/> or <see cref="Integer"/>.</param>
    /// <returns>True when min must be below max.</returns>
    public static bool MinBelowMax(string rangeType) => (bool?)Entry("ranges", rangeType)["minBelowMax"] ?? false;

    /// <summary>
    /// The policy's <c>strategyRules</c> (the entries of <paramref name="strategies"/>, the strategies a run can reach),
    /// <c>scalingRules</c> and <c>rangeRules</c>: the table's own JSON.
    /// </summary>
    /// <param name="strategies">The recipe's strategy and those a run may switch to.</param>
    /// <returns>Key to JSON.</returns>
    public static IReadOnlyDictionary<string, JsonNode> PolicyJson(IEnumerable<TuningStrategy> strategies)
    {
        var table = Table.Value;
        var reachable = new JsonObject();
        foreach (var name in strategies.Select(s => s.ToString()).Distinct(StringComparer.Ordinal))
        {
            reachable[name] = Entry("strategies", name).DeepClone();
        }

        return new Dictionary<string, JsonNode>
        {
            ["strategyRules"] = reachable,
            ["scalingRules"] = table["scaling"]!.DeepClone(),
            ["rangeRules"] = table["ranges"]!.DeepClone(),
        };
    }

    private static JsonObject Entry(string section, string name) =>
        Table.Value[section]?[name] as JsonObject
        ?? throw new InvalidOperationException($"The tuning rules ({ResourceName}) have no {section} entry '{name}'.");

    private static IReadOnlyList<string>? Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(v => (string)v!)] : null;

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static JsonObject Load()
    {
        using var stream = EmbeddedCatalog.Open(ResourceName);
        return JsonNode.Parse(stream)!.AsObject();
    }
}
