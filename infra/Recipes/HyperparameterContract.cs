using System.Globalization;
using System.Text.Json;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// A recipe's <c>hyperparameters.json</c>: every hyperparameter a run may set, once, and the cross-field rules over
/// them (format: <c>training-scripts/hyperparameters.schema.json</c>). The declarations become
/// <see cref="HyperparameterSpec"/>s and the rules <see cref="HyperparameterRule"/>s, which the pipeline embeds in its
/// policy (PrepareRequest refuses an override that does not fit, a combination a rule refuses, and a value the script
/// would not use); the defaults go into the default request. The script's parser loads the same file at job start
/// (<c>hf_recipe/toolkit_args.py</c>, <c>hf_recipe/hyperparameter_rules.py</c>).
/// </summary>
public sealed class HyperparameterContract
{
    private readonly IReadOnlyList<Entry> _entries;

    private HyperparameterContract(IReadOnlyList<Entry> entries, IReadOnlyList<HyperparameterRule> rules)
    {
        _entries = entries;
        Types = entries.ToDictionary(e => e.Name, e => e.Spec, StringComparer.Ordinal);
        Rules = rules;
    }

    /// <summary>What the script accepts for each hyperparameter, in file order (with its default as
    /// <see cref="HyperparameterSpec.ScriptDefault"/>).</summary>
    public IReadOnlyDictionary<string, HyperparameterSpec> Types { get; }

    /// <summary>The cross-field rules (<c>rules</c>), in file order.</summary>
    public IReadOnlyList<HyperparameterRule> Rules { get; }

    /// <summary>
    /// <see cref="Types"/> for a pipeline's jobs, with <see cref="HyperparameterSpec.IgnoredBecause"/> where the script
    /// would not use a run's value: an entry whose <c>ignoredWithChannel</c> is one of <paramref name="channels"/> (the
    /// channel wins), and the <c>pipelineDefault: networkIsolation</c> entry when <paramref name="networkIsolated"/>
    /// (an isolated job stays offline whatever it says).
    /// </summary>
    /// <param name="networkIsolated">Whether jobs run without network access.</param>
    /// <param name="channels">The names of the jobs' input channels.</param>
    /// <returns>Name to declaration, in file order.</returns>
    public IReadOnlyDictionary<string, HyperparameterSpec> TypesFor(bool networkIsolated, IReadOnlyCollection<string> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        return _entries.ToDictionary(e => e.Name, e => e switch
        {
            { IgnoredWithChannel: { } channel } when channels.Contains(channel) => e.Spec with
            {
                IgnoredBecause = $"the script does not use it: the '{channel}' channel, which every job of this pipeline has, wins; allowed: choose with channels.{channel} instead",
            },
            { FromNetworkIsolation: true } when networkIsolated => e.Spec with
            {
                IgnoredBecause = $"the script does not use it: this pipeline's jobs run without network access, so they always run offline; allowed: leave {e.Name} out",
            },
            _ => e.Spec,
        }, StringComparer.Ordinal);
    }

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
        new([.. root.GetProperty("hyperparameters").EnumerateObject().Select(p => Entry.FromJson(p.Name, p.Value))],
            root.TryGetProperty("rules", out var rules) ? [.. rules.EnumerateArray().Select(Rule)] : []);

    private static HyperparameterRule Rule(JsonElement json) => new()
    {
        When = Conditions(json.GetProperty("when")),
        Require = json.TryGetProperty("require", out var require) ? Conditions(require) : null,
        Effect = json.TryGetProperty("effect", out var effect) && effect.GetString() == "note" ? HyperparameterRuleEffect.Note : HyperparameterRuleEffect.Refuse,
        Message = json.GetProperty("message").GetString()!,
    };

    private static Dictionary<string, HyperparameterCondition> Conditions(JsonElement json) =>
        json.EnumerateObject().ToDictionary(p => p.Name, p => new HyperparameterCondition
        {
            Given = p.Value.TryGetProperty("given", out var given) ? given.GetBoolean() : null,
            IsNull = p.Value.TryGetProperty("null", out var isNull) ? isNull.GetBoolean() : null,
            In = p.Value.TryGetProperty("in", out var oneOf) ? [.. oneOf.EnumerateArray().Select(Scalar)] : null,
            NotIn = p.Value.TryGetProperty("notIn", out var noneOf) ? [.. noneOf.EnumerateArray().Select(Scalar)] : null,
            Matches = p.Value.TryGetProperty("matches", out var matches) ? matches.GetString() : null,
        }, StringComparer.Ordinal);

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

    private sealed record Entry(string Name, HyperparameterSpec Spec, object? Default, bool InDefaultRequest, bool FromNetworkIsolation, string? IgnoredWithChannel)
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
                ScriptDefault = Scalar(json.GetProperty("default")),
            };
            return new Entry(name, spec, spec.ScriptDefault, Bool(json, "inDefaultRequest") ?? true,
                json.TryGetProperty("pipelineDefault", out var computed) && computed.GetString() == "networkIsolation",
                json.TryGetProperty("ignoredWithChannel", out var channel) ? channel.GetString() : null);
        }

        private static bool? Bool(JsonElement json, string name) => json.TryGetProperty(name, out var value) ? value.GetBoolean() : null;

        private static double? Number(JsonElement json, string name) =>
            json.TryGetProperty(name, out var value) ? double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) : null;
    }
}
