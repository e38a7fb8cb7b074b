using System.Globalization;
using System.Text.Json;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// A recipe's <c>hyperparameters.json</c>: every hyperparameter a run may set, once (format:
/// <c>training-scripts/hyperparameters.schema.json</c>). The declarations become <see cref="HyperparameterSpec"/>s,
/// which the pipeline embeds in its policy (PrepareRequest refuses an override that does not fit); the defaults go
/// into the default request. The script's parser loads the same file at job start (<c>hf_recipe/toolkit_args.py</c>).
/// </summary>
public sealed class HyperparameterContract
{
    private readonly IReadOnlyList<Entry> _entries;

    private HyperparameterContract(IReadOnlyList<Entry> entries)
    {
        _entries = entries;
        Types = entries.ToDictionary(e => e.Name, e => e.Spec, StringComparer.Ordinal);
    }

    /// <summary>What the script accepts for each hyperparameter, in file order.</summary>
    public IReadOnlyDictionary<string, HyperparameterSpec> Types { get; }

    /// <summary>
    /// The default request's hyperparameters, in file order: every entry but those marked <c>inDefaultRequest: false</c>,
    /// with its <c>default</c> (a number keeps its JSON spelling: <c>3</c> an integer, <c>3.0</c> a float), except that
    /// an entry with <c>pipelineDefault: networkIsolation</c> (<c>offline</c>) gets <paramref name="networkIsolated"/>.
    /// </summary>
    /// <param name="networkIsolated">Whether jobs run without network access.</param>
    /// <returns>Name to value.</returns>
    public IReadOnlyDictionary<string, object?> Defaults(bool networkIsolated)
    {
        var defaults = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var entry in _entries.Where(e => e.InDefaultRequest))
        {
            defaults[entry.Name] = entry.FromNetworkIsolation ? networkIsolated : entry.Default;
        }

        return defaults;
    }

    /// <summary>Reads a contract that matched its schema (<see cref="RecipeFiles.Read"/>).</summary>
    /// <param name="root">The file's JSON.</param>
    /// <returns>The contract.</returns>
    internal static HyperparameterContract FromJson(JsonElement root) =>
        new([.. root.GetProperty("hyperparameters").EnumerateObject().Select(p => Entry.FromJson(p.Name, p.Value))]);

    /// <summary>A JSON scalar as the request builder takes it: a number written without a fraction or exponent is an
    /// <see cref="int"/> (or <see cref="long"/>), any other a <see cref="double"/>, so it is sent as written.</summary>
    /// <param name="value">A string, number, boolean or null.</param>
    /// <returns>The value.</returns>
    internal static object? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0 =>
            value.TryGetInt32(out var i) ? i : value.TryGetInt64(out var l) ? (object)l : value.GetDouble(),
        JsonValueKind.Number => value.GetDouble(),
        _ => null,
    };

    private sealed record Entry(string Name, HyperparameterSpec Spec, object? Default, bool InDefaultRequest, bool FromNetworkIsolation)
    {
        public static Entry FromJson(string name, JsonElement json)
        {
            var kind = json.GetProperty("kind").GetString() switch
            {
                "integer" => HyperparameterKind.Integer,
                "float" => HyperparameterKind.Float,
                "boolean" => HyperparameterKind.Boolean,
                _ => HyperparameterKind.String,
            };
            var spec = new HyperparameterSpec(kind)
            {
                Nullable = Bool(json, "nullable") ?? false,
                Minimum = Number(json, "minimum"),
                ExclusiveMinimum = Number(json, "exclusiveMinimum"),
                Maximum = Number(json, "maximum"),
                ExclusiveMaximum = Number(json, "exclusiveMaximum"),
                Excluded = json.TryGetProperty("excluded", out var excluded) ? [.. excluded.EnumerateArray().Select(e => e.GetDouble())] : null,
                Choices = json.TryGetProperty("choices", out var choices) ? [.. choices.EnumerateArray().Select(c => c.GetString()!)] : null,
                Pattern = json.TryGetProperty("pattern", out var pattern) ? pattern.GetString() : null,
                PatternMeaning = json.TryGetProperty("patternMeaning", out var meaning) ? meaning.GetString() : null,
                MinLength = json.TryGetProperty("minLength", out var minLength) ? minLength.GetInt32() : 0,
            };
            return new Entry(name, spec, Scalar(json.GetProperty("default")), Bool(json, "inDefaultRequest") ?? true,
                json.TryGetProperty("pipelineDefault", out var computed) && computed.GetString() == "networkIsolation");
        }

        private static bool? Bool(JsonElement json, string name) => json.TryGetProperty(name, out var value) ? value.GetBoolean() : null;

        private static double? Number(JsonElement json, string name) =>
            json.TryGetProperty(name, out var value) ? double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) : null;
    }
}
