using System.Text.Json.Nodes;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A cross-field rule of a training script: when every condition of <see cref="When"/> holds, every condition of
/// <see cref="Require"/> must hold too (without <see cref="Require"/> the <see cref="When"/> combination is itself
/// what the rule refuses). The pipeline embeds the rules in its policy and PrepareRequest checks them on the final
/// request before any job starts (a tuned hyperparameter for every value its range can take); the script should check
/// the same rules at start (the repository's recipes read them from <c>hyperparameters.json</c>). Only rules decidable
/// from hyperparameter values belong here: what depends on the model files or the image is for the script alone.
/// </summary>
public sealed record HyperparameterRule
{
    /// <summary>The settings the rule is about: hyperparameter name (of <see cref="HuggingFaceTrainingJobDefinition.HyperparameterTypes"/>) to a test of its value.</summary>
    public required IReadOnlyDictionary<string, HyperparameterCondition> When { get; init; }

    /// <summary>What must then hold. Default: nothing, so the <see cref="When"/> combination is refused (or noted).</summary>
    public IReadOnlyDictionary<string, HyperparameterCondition>? Require { get; init; }

    /// <summary>What a broken rule does. Default: <see cref="HyperparameterRuleEffect.Refuse"/>.</summary>
    public HyperparameterRuleEffect Effect { get; init; } = HyperparameterRuleEffect.Refuse;

    /// <summary>What is wrong and the fix, one sentence; shown after the values (<c>hyperparameters a = 1, b = "x": message</c>).</summary>
    public required string Message { get; init; }

    /// <summary>The names the rule reads, <see cref="When"/> first.</summary>
    public IEnumerable<string> Names() => When.Keys.Concat((Require ?? new Dictionary<string, HyperparameterCondition>()).Keys).Distinct(StringComparer.Ordinal);

    /// <summary>The rule as PrepareRequest reads it from the policy.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["when"] = Conditions(When) };
        if (Require is not null) json["require"] = Conditions(Require);
        if (Effect == HyperparameterRuleEffect.Note) json["effect"] = "note";
        json["message"] = Message;
        return json;
    }

    private static JsonObject Conditions(IReadOnlyDictionary<string, HyperparameterCondition> conditions) =>
        new(conditions.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value.ToJson())));
}
