using System.Text.Json.Nodes;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A test of one hyperparameter's value in a <see cref="HyperparameterRule"/>: every test given must hold. The value is
/// what the script receives: the request's (a run's override, else the recipe's <see cref="HuggingFaceTrainingJobDefinition.Hyperparameters"/>),
/// else the script's own default (<see cref="HyperparameterSpec.ScriptDefault"/>); an empty string of a nullable
/// hyperparameter is <c>null</c>, as the toolkit passes both as an empty argument.
/// </summary>
public sealed record HyperparameterCondition
{
    /// <summary>True: the request carries the hyperparameter (the script receives <c>--name</c>); false: it does not.
    /// Default: not tested.</summary>
    public bool? Given { get; init; }

    /// <summary>True: the value is <c>null</c>; false: it is not. Default: not tested.</summary>
    public bool? IsNull { get; init; }

    /// <summary>The value is one of these (strings, numbers or booleans; a boolean equals only a boolean, numbers
    /// compare by value; for <c>null</c> use <see cref="IsNull"/>). Default: not tested.</summary>
    public IReadOnlyList<object?>? In { get; init; }

    /// <summary>The value is none of these. Default: not tested.</summary>
    public IReadOnlyList<object?>? NotIn { get; init; }

    /// <summary>The value is a string matching this regular expression (anchor it with <c>^</c>; the common subset of
    /// .NET, JavaScript and Python, as <see cref="HyperparameterSpec.Pattern"/>). Default: not tested.</summary>
    public string? Matches { get; init; }

    /// <summary>The value is one of <paramref name="values"/>.</summary>
    public static HyperparameterCondition OneOf(params object?[] values) => new() { In = values };

    /// <summary>The value is none of <paramref name="values"/>.</summary>
    public static HyperparameterCondition NoneOf(params object?[] values) => new() { NotIn = values };

    /// <summary>The test as PrepareRequest reads it from the policy.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (Given is { } given) json["given"] = given;
        if (IsNull is { } isNull) json["null"] = isNull;
        if (In is not null) json["in"] = Values(In);
        if (NotIn is not null) json["notIn"] = Values(NotIn);
        if (Matches is not null) json["matches"] = Matches;
        return json;
    }

    /// <summary>Whether <paramref name="value"/> is one a test may name: a string, a boolean or a number.</summary>
    internal static bool IsScalar(object? value) => value is string or bool or int or long or double or float or decimal;

    /// <summary>A value a test names, as JSON (<see cref="IsScalar"/> values only).</summary>
    internal static JsonNode ToJsonValue(object? value) => value switch
    {
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        float f => JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        double d => JsonValue.Create(d),
        _ => throw new ArgumentException($"a rule's test may name strings, booleans and numbers, not {value?.GetType().Name ?? "null"} (IsNull tests null)", nameof(value)),
    };

    private static JsonArray Values(IEnumerable<object?> values) => new([.. values.Select(v => (JsonNode?)ToJsonValue(v))]);
}
