using System.Text.Json;
using System.Text.Json.Nodes;

namespace HfSageMaker.Constructs.Internal;

/// <summary>Converts JSON built at synthesis to the values jsii passes on.</summary>
internal static class CdkValues
{
    /// <summary>Converts a request to the plain dictionaries/arrays/primitives jsii passes to the definition.</summary>
    public static object? From(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => From(kv.Value)),
        JsonArray a => a.Select(From).ToArray(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v => JsonSerializer.Deserialize<JsonElement>(v.ToJsonString()).ToString(),
        _ => throw new ArgumentException($"unsupported JSON node {node.GetType().Name}"),
    };
}
