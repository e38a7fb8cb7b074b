using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Tests.Configuration;
using Xunit;

namespace HfSageMaker.Tests.BadInput;

/// <summary>
/// Seeded, bounded property tests over every field of a valid environment file (the whole class of mistakes rather than
/// one example): replacing any value with one of another JSON kind (a number written as a string, an array for an object,
/// null, ...) and adding an unknown key to any object (<c>__proto__</c> and <c>constructor</c> included) is always
/// rejected with a message that starts with the file and names the field. No expected message is copied from the
/// reader: the field path is computed here from the document, in the notation the README's table uses.
/// </summary>
public sealed class TypeSwapPropertyTests
{
    private const int Seed = 20261130;
    private const string Display = "environments/dev.json";

    /// <summary>Replacement values per JSON kind; the test draws one of each kind with a fixed seed.</summary>
    private static readonly Dictionary<JsonValueKind, Func<Random, JsonNode?, JsonNode?>> Pools = new()
    {
        [JsonValueKind.Null] = (_, _) => null,
        [JsonValueKind.True] = (r, _) => JsonValue.Create(r.Next(2) == 0),
        [JsonValueKind.Number] = (r, _) => JsonValue.Create(new[] { 0, -0.0, -1, 2.5, 1e300, 64, 9007199254740993d }[r.Next(7)]),
        [JsonValueKind.String] = (r, original) => JsonValue.Create(new[]
        {
            "", " ", "x", "\u200b", "true", "NaN", new string('a', 3000),
            original is JsonValue v ? v.ToJsonString() : "{}",   // the original number or boolean written as a string
        }[r.Next(8)]),
        [JsonValueKind.Array] = (r, _) => r.Next(2) == 0 ? new JsonArray() : new JsonArray(1, "a"),
        [JsonValueKind.Object] = (r, _) => r.Next(2) == 0 ? new JsonObject() : new JsonObject { ["a"] = 1 },
    };

    /// <summary>Every value of the valid file but its name, with its path as the reader's messages write it.</summary>
    private static List<(string Path, JsonNode? Original)> Leaves()
    {
        var found = new List<(string, JsonNode?)>();
        Walk(TempEnvironments.Valid(), "");
        return found;

        void Walk(JsonNode? node, string path)
        {
            if (path.Length > 0 && path != "name")
            {
                found.Add((path, node?.DeepClone()));
            }

            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj)
                    {
                        Walk(child, Join(path, key));
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Walk(array[i], $"{path}[{i}]");
                    }

                    break;
            }
        }
    }

    /// <summary>A key appended to a path as the README says messages write it: <c>a.b</c>, or <c>a["b:c"]</c> for a key of other characters than letters, digits, _, $ and -.</summary>
    private static string Join(string path, string key) =>
        System.Text.RegularExpressions.Regex.IsMatch(key, @"^[A-Za-z_$][A-Za-z0-9_$-]*\z") ? (path.Length == 0 ? key : $"{path}.{key}") : $"{path}[\"{key}\"]";

    /// <summary>Path segments: keys and array indexes, from <c>a.b[0].c</c> or <c>tags["k"]</c>.</summary>
    private static List<object> Segments(string path)
    {
        var segments = new List<object>();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(path, @"\[""([^""]*)""\]|\[(\d+)\]|([^.\[\]]+)"))
        {
            segments.Add(m.Groups[2].Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)
                : m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value);
        }

        return segments;
    }

    private static JsonNode At(JsonObject root, List<object> segments) =>
        segments.Aggregate<object, JsonNode>(root, (n, s) => s is int i ? n[i]! : n[(string)s]!);

    private static void SetAt(JsonObject root, string path, JsonNode? value)
    {
        var segments = Segments(path);
        var parent = At(root, segments[..^1]);
        if (segments[^1] is int i)
        {
            parent.AsArray()[i] = value;
        }
        else
        {
            parent.AsObject()[(string)segments[^1]] = value;
        }
    }

    private static JsonValueKind Kind(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        JsonValue v => v.GetValueKind() is JsonValueKind.False ? JsonValueKind.True : v.GetValueKind(),
        _ => JsonValueKind.Undefined,
    };

    private static List<string> Parse(JsonObject json)
    {
        var errors = new List<string>();
        var config = EnvironmentLoader.Parse(json.ToJsonString(), Display, "dev", errors);
        if (config is not null && errors.Count == 0)
        {
            return [];
        }

        return errors;
    }

    [Fact]
    public void AnyValueReplacedByAnotherJsonKind_IsRejected_NamingTheField()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var (path, original) in Leaves())
        {
            foreach (var (kind, draw) in Pools.Where(p => p.Key != Kind(original)))
            {
                var json = TempEnvironments.Valid();
                var replacement = draw(random, original);
                SetAt(json, path, replacement);
                var errors = Parse(json);
                checkedCount++;
                var shown = replacement?.ToJsonString() ?? "null";
                shown = shown.Length > 40 ? shown[..40] + "..." : shown;
                if (errors.Count == 0)
                {
                    failures.Add($"{path} = {shown} ({kind}): accepted");
                }
                else if (!errors.Any(e => e.StartsWith($"{Display}: {path}:", StringComparison.Ordinal) || e.StartsWith($"{Display}: {path}[", StringComparison.Ordinal)))
                {
                    failures.Add($"{path} = {shown} ({kind}): no message names the field: {string.Join(" | ", errors)}");
                }
                else if (errors.Any(e => !e.StartsWith(Display + ": ", StringComparison.Ordinal) || e.Contains("   at ", StringComparison.Ordinal)))
                {
                    failures.Add($"{path} = {shown} ({kind}): a message without the file name or with a stack frame: {string.Join(" | ", errors)}");
                }
            }
        }

        Assert.True(checkedCount > 150, $"only {checkedCount} mutations: the valid file lost its fields");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("unknownKey")]
    [InlineData("__proto__")]
    [InlineData("constructor")]
    [InlineData("")]
    public void UnknownKeyInAnyObject_IsRejected_NamingTheKey(string key)
    {
        var failures = new List<string>();
        var objects = Leaves().Where(l => l.Original is JsonObject && l.Path != "tags").Select(l => l.Path).Prepend("").ToList();
        foreach (var path in objects)
        {
            var json = TempEnvironments.Valid();
            var target = path.Length == 0 ? json : At(json, Segments(path)).AsObject();
            target[key] = 1;
            var expected = Join(path, key);
            var errors = Parse(json);
            if (!errors.Any(e => e.StartsWith($"{Display}: {expected}: unknown key", StringComparison.Ordinal)))
            {
                failures.Add($"{expected}: {(errors.Count == 0 ? "accepted" : string.Join(" | ", errors))}");
            }
        }

        Assert.True(objects.Count >= 7, $"only {objects.Count} objects");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
