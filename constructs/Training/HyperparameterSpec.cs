using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// What a training script accepts for one hyperparameter: its kind, whether JSON <c>null</c> is allowed and its range or
/// choices. Declared once per recipe (<see cref="HuggingFaceTrainingJobDefinition.HyperparameterTypes"/>), checked
/// against the recipe's own values at synthesis and embedded in the pipeline's policy, where <c>PrepareRequest</c>
/// rejects a run-time override that does not fit before any job starts.
/// </summary>
/// <param name="Kind">The JSON kind.</param>
public sealed record HyperparameterSpec(HyperparameterKind Kind)
{
    /// <summary>Whether <c>null</c> (the toolkit passes an empty argument) is accepted. Default: false.</summary>
    public bool Nullable { get; init; }

    /// <summary>Smallest number allowed (inclusive). Default: none.</summary>
    public double? Minimum { get; init; }

    /// <summary>Number the value must exceed. Default: none.</summary>
    public double? ExclusiveMinimum { get; init; }

    /// <summary>Largest number allowed (inclusive). Default: none.</summary>
    public double? Maximum { get; init; }

    /// <summary>Number the value must stay below. Default: none.</summary>
    public double? ExclusiveMaximum { get; init; }

    /// <summary>Numbers inside the range that are still not allowed (e.g. 0 where -1 means "off"). Default: none.</summary>
    public IReadOnlyList<double>? Excluded { get; init; }

    /// <summary>
    /// A regular expression the whole string must match (<see cref="HyperparameterKind.String"/> only; anchor it with
    /// <c>^...(?![\s\S])</c>, which means end of text in .NET and JavaScript alike, where <c>$</c> does not; the
    /// ECMAScript subset, since PrepareRequest checks it with JavaScript's <c>RegExp</c>). Default: none.
    /// </summary>
    public string? Pattern { get; init; }

    /// <summary>What <see cref="Pattern"/> allows, in words (messages). Default: the pattern itself.</summary>
    public string? PatternMeaning { get; init; }

    /// <summary>The strings allowed (<see cref="HyperparameterKind.String"/> only). Default: any string.</summary>
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>Shortest string allowed. Default: 0.</summary>
    public int MinLength { get; init; }

    /// <summary>
    /// Why the script does not use a value of this hyperparameter in this pipeline's jobs (for example: an input channel
    /// every job has wins over it). PrepareRequest refuses a run's override or tuning range of it with this text
    /// (<c>hyperparameters.x: "v" is not allowed; {IgnoredBecause}</c>: say what to do instead), so no value is silently
    /// dropped; the recipe's own value is still sent. Default: none (a run may set it).
    /// </summary>
    public string? IgnoredBecause { get; init; }

    /// <summary>
    /// The value the script uses when the request does not carry this hyperparameter (a name left out of
    /// <see cref="HuggingFaceTrainingJobDefinition.Hyperparameters"/>): what <see cref="HuggingFaceTrainingJobDefinition.HyperparameterRules"/>
    /// read then. Not sent. Default: null.
    /// </summary>
    public object? ScriptDefault { get; init; }

    /// <summary>A string.</summary>
    public static HyperparameterSpec String(int minLength = 0, IReadOnlyList<string>? choices = null, string? pattern = null, string? patternMeaning = null) =>
        new(HyperparameterKind.String) { MinLength = minLength, Choices = choices, Pattern = pattern, PatternMeaning = patternMeaning };

    /// <summary>A whole number, optionally bounded.</summary>
    public static HyperparameterSpec Integer(double? minimum = null, double? maximum = null, bool nullable = false, IReadOnlyList<double>? excluded = null) =>
        new(HyperparameterKind.Integer) { Minimum = minimum, Maximum = maximum, Nullable = nullable, Excluded = excluded };

    /// <summary>A finite number, optionally bounded.</summary>
    public static HyperparameterSpec Float(double? minimum = null, double? exclusiveMinimum = null, double? maximum = null, double? exclusiveMaximum = null) =>
        new(HyperparameterKind.Float) { Minimum = minimum, ExclusiveMinimum = exclusiveMinimum, Maximum = maximum, ExclusiveMaximum = exclusiveMaximum };

    /// <summary>A boolean.</summary>
    public static HyperparameterSpec Boolean() => new(HyperparameterKind.Boolean);

    /// <summary>What is allowed, in words (used in error messages here and, from the policy, by PrepareRequest).</summary>
    public string Describe()
    {
        var text = Kind switch
        {
            HyperparameterKind.Integer => "an integer",
            HyperparameterKind.Float => "a number",
            HyperparameterKind.Boolean => "true or false",
            _ when Choices is { Count: > 0 } => "one of " + string.Join(", ", Choices.Select(c => $"\"{c}\"")),
            _ when Pattern is not null => PatternMeaning ?? $"a string matching {Pattern}",
            _ => MinLength > 0 ? $"a string of at least {MinLength} character(s)" : "a string",
        };
        var bounds = new List<string>();
        if (Minimum is { } min) bounds.Add($">= {Number(min)}");
        if (ExclusiveMinimum is { } emin) bounds.Add($"> {Number(emin)}");
        if (Maximum is { } max) bounds.Add($"<= {Number(max)}");
        if (ExclusiveMaximum is { } emax) bounds.Add($"< {Number(emax)}");
        if (Excluded is { Count: > 0 } excluded) bounds.Add("not " + string.Join(" or ", excluded.Select(Number)));
        if (bounds.Count > 0) text += " " + string.Join(" and ", bounds);
        return Nullable ? text + ", or null" : text;
    }

    /// <summary>Why <paramref name="value"/> (a recipe value as given to the job definition) does not fit; null when it does.</summary>
    public string? Problem(object? value)
    {
        if (value is null)
        {
            return Nullable ? null : $"null is not allowed; allowed {Describe()}";
        }

        var fits = Kind switch
        {
            HyperparameterKind.Boolean => value is bool,
            HyperparameterKind.String => value is string s && s.Length >= MinLength && (Choices is null || Choices.Contains(s))
                && (Pattern is null || System.Text.RegularExpressions.Regex.IsMatch(s, Pattern, System.Text.RegularExpressions.RegexOptions.ECMAScript)),
            HyperparameterKind.Integer => AsNumber(value) is { } n && Math.Floor(n) == n && Math.Abs(n) <= 9007199254740991 && InRange(n),
            HyperparameterKind.Float => AsNumber(value) is { } f && double.IsFinite(f) && InRange(f),
            _ => false,
        };
        return fits ? null : $"{Show(value)} is not allowed; allowed {Describe()}";
    }

    /// <summary>The declaration as PrepareRequest reads it from the policy.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["kind"] = Kind switch
            {
                HyperparameterKind.Integer => "integer",
                HyperparameterKind.Float => "float",
                HyperparameterKind.Boolean => "boolean",
                _ => "string",
            },
            ["nullable"] = Nullable,
            ["allowed"] = Describe(),
        };
        if (Minimum is { } min) json["minimum"] = min;
        if (ExclusiveMinimum is { } emin) json["exclusiveMinimum"] = emin;
        if (Maximum is { } max) json["maximum"] = max;
        if (ExclusiveMaximum is { } emax) json["exclusiveMaximum"] = emax;
        if (Excluded is { Count: > 0 } excluded) json["excluded"] = new JsonArray([.. excluded.Select(e => (JsonNode?)JsonValue.Create(e))]);
        if (Pattern is not null) json["pattern"] = Pattern;
        if (Choices is not null) json["choices"] = new JsonArray([.. Choices.Select(c => (JsonNode?)JsonValue.Create(c))]);
        if (MinLength > 0) json["minLength"] = MinLength;
        if (IgnoredBecause is not null) json["ignored"] = IgnoredBecause;
        return json;
    }

    private bool InRange(double n) =>
        (Minimum is not { } min || n >= min) && (ExclusiveMinimum is not { } emin || n > emin) && (Maximum is not { } max || n <= max)
        && (ExclusiveMaximum is not { } emax || n < emax) && (Excluded is null || !Excluded.Contains(n));

    private static double? AsNumber(object value) => value switch
    {
        int i => i,
        long l => l,
        double d => d,
        float f => f,
        decimal m => (double)m,
        _ => null,
    };

    private static string Number(double n) => n.ToString("R", CultureInfo.InvariantCulture);

    private static string Show(object value) => value switch
    {
        string s => JsonSerializer.Serialize(s),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
