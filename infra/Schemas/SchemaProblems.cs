using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace HfSageMaker.Infra.Schemas;

/// <summary>
/// One problem a JSON Schema found in a document: where (a JSON pointer) and what, in the app's message format.
/// </summary>
/// <param name="Pointer">The JSON pointer of the value (for a missing key: where it belongs).</param>
/// <param name="Path">The value's path as messages name it: <c>training.allowedInstanceTypes[1]</c>, <c>tags["aws:x"]</c>.</param>
/// <param name="Text">"&lt;value&gt; is &lt;what is wrong&gt;; allowed &lt;what is allowed&gt;."</param>
/// <param name="UnknownKey">Whether the problem is a key the schema does not know (the rest of the object is still readable).</param>
public sealed record SchemaProblem(string Pointer, string Path, string Text, bool UnknownKey = false)
{
    /// <summary>The message line: <c>&lt;file&gt;: &lt;path&gt;: &lt;text&gt;</c>.</summary>
    /// <param name="file">The file as messages name it.</param>
    /// <returns>The line.</returns>
    public string Line(string file) => $"{file}: {Path}: {Text}";
}

/// <summary>
/// Evaluates a document with JsonSchema.Net and words what it finds for people: every problem of the document at once,
/// one line each, naming the field, the value as written (shortened when long) and what is allowed, with "did you mean"
/// for unknown keys and enum values. JsonSchema.Net's own messages ("All values fail against the false schema") are
/// not shown; the wording comes from the schema's keywords, from VS Code's <c>errorMessage</c> and
/// <c>patternErrorMessage</c> ("&lt;what is wrong&gt;; allowed &lt;what is allowed&gt;"), and from <see cref="Allowed"/>.
/// </summary>
public static partial class SchemaProblems
{
    private static readonly ConditionalWeakTable<JsonSchema, JsonObject> Documents = [];

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainKey();

    /// <summary>Every problem <paramref name="schema"/> finds in <paramref name="instance"/> (none when it matches).</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="instance">The document.</param>
    /// <returns>The problems, in document order of the evaluation.</returns>
    public static IReadOnlyList<SchemaProblem> Find(JsonSchema schema, JsonElement instance)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid)
        {
            return []; // the usual case, decided without collecting details
        }

        var document = Documents.GetValue(schema, s => JsonSerializer.SerializeToNode(s)!.AsObject());
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        var found = new List<SchemaProblem>();
        new Renderer(document, instance, found).Collect(results);
        return found.DistinctBy(p => (p.Path, p.Text)).ToList();
    }

    /// <summary>
    /// What a schema allows, in words: the "allowed" part of its message keywords, else its enum, range, length, count
    /// or keys (e.g. <c>a whole number 1..64</c>, <c>"isolated" or "controlledEgress"</c>).
    /// </summary>
    /// <param name="schema">A schema node (its <c>$ref</c> is followed within <paramref name="root"/>).</param>
    /// <param name="root">The schema document.</param>
    /// <param name="shared">How a reference to a list of values under <c>$defs</c> is worded, given the list's name
    /// (the README names it once); null to spell out its values, as messages do.</param>
    /// <returns>The text.</returns>
    public static string Allowed(JsonObject schema, JsonObject root, Func<string, string>? shared = null)
    {
        var node = Merged(schema, root);
        var stated = AllowedPart(node["patternErrorMessage"]) ?? AllowedPart(node["errorMessage"]);
        if (shared is not null && stated is null && (string?)schema["$ref"] is { } reference && node["enum"] is JsonArray)
        {
            return shared(Segments(reference)[^1]);
        }

        var length = Count(node["minLength"], node["maxLength"], "characters");
        if (node["type"] is JsonArray types)
        {
            return string.Join(" or ", types.Select(t => Noun((string?)t)));
        }

        var type = (string?)node["type"] ?? (node.ContainsKey("pattern") ? "string" : null);
        if (node["enum"] is JsonArray values)
        {
            return stated ?? OneOf(values);
        }

        return type switch
        {
            "integer" => $"a whole number {Range(node)}",
            "number" => $"a number {Range(node)}",
            "boolean" => "true or false (without quotes)",
            "string" when stated is not null => length is null ? stated : $"{stated}, {length}",
            "string" => length is null ? "a string" : $"a string of {length}",
            "array" => $"{Count(node["minItems"], node["maxItems"], "")?.TrimEnd() ?? "any number of"}{(node["uniqueItems"] is not null ? " distinct" : "")} items, each {Allowed(node["items"]?.AsObject() ?? [], root, shared)}",
            "object" when node["properties"] is JsonObject properties => $"an object with keys {string.Join(", ", properties.Select(p => p.Key))}",
            "object" => $"an object of {Count(node["minProperties"], node["maxProperties"], "keys") ?? "any number of keys"}, each key {Allowed(node["propertyNames"]?.AsObject() ?? [], root, shared)}, each value {Allowed(node["additionalProperties"]?.AsObject() ?? [], root, shared)}",
            _ => stated ?? "a value this schema describes",
        };
    }

    /// <summary>The allowed key closest to <paramref name="key"/> when it is plausibly a typo (a case difference or a few edits).</summary>
    /// <param name="key">What the file says.</param>
    /// <param name="allowed">What it may say.</param>
    /// <returns>The suggestion, or null.</returns>
    public static string? Suggest(string key, IEnumerable<string> allowed)
    {
        var candidates = allowed.ToList();
        var exact = candidates.FirstOrDefault(a => string.Equals(a, key, StringComparison.OrdinalIgnoreCase));
        if (exact is not null || candidates.Count == 0)
        {
            return exact;
        }

        var best = candidates.Select(a => (Key: a, Distance: Distance(key.ToLowerInvariant(), a.ToLowerInvariant()))).MinBy(x => x.Distance);
        return best.Distance <= Math.Max(2, best.Key.Length / 3) ? best.Key : null;
    }

    /// <summary>A JSON pointer as messages name it: <c>studio.users[0].name</c>, <c>tags["aws:x"]</c>, <c>(root)</c>.</summary>
    /// <param name="pointer">The pointer.</param>
    /// <param name="document">The document (tells array indexes from keys).</param>
    /// <returns>The path.</returns>
    public static string PathOf(string pointer, JsonElement document)
    {
        var path = new System.Text.StringBuilder();
        JsonElement? node = document;
        foreach (var segment in Segments(pointer))
        {
            var isIndex = node?.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _);
            path.Append(isIndex ? $"[{segment}]" : Key(path.Length == 0 ? "" : ".", segment));
            node = Child(node, segment);
        }

        return path.Length == 0 ? "(root)" : path.ToString();
    }

    /// <summary>The value at a JSON pointer of <paramref name="document"/>, or null when there is none.</summary>
    /// <param name="document">The document.</param>
    /// <param name="pointer">The pointer.</param>
    /// <returns>The value, or null.</returns>
    public static JsonElement? At(JsonElement document, string pointer) => Segments(pointer).Aggregate((JsonElement?)document, Child);

    /// <summary>The JSON pointer of a key of the object at <paramref name="parent"/> (RFC 6901: <c>~</c> and <c>/</c> escaped).</summary>
    /// <param name="parent">The object's pointer.</param>
    /// <param name="key">The key.</param>
    /// <returns>The pointer.</returns>
    public static string Pointer(string parent, string key) =>
        $"{parent}/{key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";

    /// <summary>The child of a value by one pointer segment, or null.</summary>
    private static JsonElement? Child(JsonElement? node, string segment) => node switch
    {
        { ValueKind: JsonValueKind.Object } o when o.TryGetProperty(segment, out var child) => child,
        { ValueKind: JsonValueKind.Array } a when int.TryParse(segment, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < a.GetArrayLength() => a[i],
        _ => null,
    };

    /// <summary>A key appended to a path: <c>.key</c> (or <c>key</c> at the start), or <c>["a:b"]</c> for keys of other characters.</summary>
    /// <param name="dot">What precedes a plain key: "." or "" at the start of a path.</param>
    /// <param name="key">The key.</param>
    /// <returns>The path segment.</returns>
    public static string Key(string dot, string key) => PlainKey().IsMatch(key) && key.Length <= 60 ? dot + key : $"[{Show(JsonSerializer.SerializeToElement(key, Compact))}]";

    /// <summary>
    /// A value as messages show it: as written in the file (escapes kept), shortened past 60 characters with its full size.
    /// Never decodes a string, so one that .NET cannot read (an escaped lone surrogate) is shown like any other.
    /// </summary>
    /// <param name="value">The value (null: a missing one).</param>
    /// <returns>The text.</returns>
    public static string Show(JsonElement? value)
    {
        var text = value?.GetRawText() ?? "null";
        if (text.Length <= 60)
        {
            return text;
        }

        var size = value!.Value.ValueKind switch
        {
            JsonValueKind.Array => $"{value.Value.GetArrayLength()} items",
            JsonValueKind.Object => $"{value.Value.EnumerateObject().Count()} keys",
            JsonValueKind.String => $"{Utf16Length(text)} characters",
            _ => $"{text.Length} characters",
        };
        return $"{text[..(char.IsHighSurrogate(text[56]) ? 56 : 57)]}... ({size})";
    }

    /// <summary>The UTF-16 length of a JSON string from its raw text: each escape (<c>\n</c>, <c>\ud800</c>) is one.</summary>
    private static int Utf16Length(string raw)
    {
        var length = 0;
        for (var i = 1; i < raw.Length - 1; length++)
        {
            i += raw[i] != '\\' ? 1 : raw[i + 1] == 'u' ? 6 : 2; // a character, \uXXXX, or \n \" \\ ...
        }

        return length;
    }

    private static string Noun(string? type) => type switch
    {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "a boolean",
        "object" => "an object",
        "array" => "an array",
        "null" => "null",
        _ => $"of type {type}",
    };

    private static string[] Segments(string pointer) =>
        pointer.TrimStart('#') is { Length: > 0 } p ? p[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray() : [];

    private static string? AllowedPart(JsonNode? message) =>
        (string?)message is { } text && text.IndexOf("; allowed ", StringComparison.Ordinal) is var at and >= 0 ? text[(at + 10)..] : null;

    private static string OneOf(JsonArray values) =>
        values.Count <= 4 && values.All(v => v!.GetValueKind() == JsonValueKind.String)
            ? string.Join(", ", values.SkipLast(1).Select(v => v!.ToJsonString())) + (values.Count > 1 ? " or " : "") + values[^1]!.ToJsonString()
            : "one of " + string.Join(", ", values.Select(v => v!.GetValueKind() == JsonValueKind.String ? (string)v! : v!.ToJsonString()));

    private static string Range(JsonObject node)
    {
        var (min, exclusive, max) = (node["minimum"], node["exclusiveMinimum"], node["maximum"]);
        return (min, exclusive, max) switch
        {
            ({ }, null, { }) => $"{min}..{max}",
            (null, { }, { }) => $"greater than {exclusive} and at most {max}",
            ({ }, null, null) => $"of at least {min}",
            (null, null, { }) => $"of at most {max}",
            _ => "",
        };
    }

    private static string? Count(JsonNode? min, JsonNode? max, string unit) => (min, max) switch
    {
        (null, null) => null,
        ({ }, null) => $"{min} or more {unit}".TrimEnd(),
        (null, { }) => $"at most {max} {unit}".TrimEnd(),
        _ when (int)min! == (int)max! => $"exactly {min} {unit}".TrimEnd(),
        _ => $"{min} to {max} {unit}".TrimEnd(),
    };

    /// <summary>The node with the keywords of the schema its <c>$ref</c> names (the node's own win).</summary>
    internal static JsonObject Merged(JsonObject node, JsonObject root)
    {
        if ((string?)node["$ref"] is not { } reference)
        {
            return node;
        }

        var merged = Merged(Resolve(root, Segments(reference)) as JsonObject ?? [], root).DeepClone().AsObject();
        foreach (var (key, value) in node.Where(p => p.Key != "$ref"))
        {
            merged[key] = value?.DeepClone();
        }

        return merged;
    }

    /// <summary>
    /// The schema node at an evaluation path: <c>$ref</c> segments jump to their target; a segment the node lacks is
    /// skipped (JsonSchema.Net 8.0.5 repeats <c>items</c> in evaluation paths: <c>/properties/x/items/items</c>).
    /// </summary>
    private static JsonNode? Resolve(JsonObject root, IEnumerable<string> segments)
    {
        JsonNode? node = root;
        foreach (var segment in segments)
        {
            if (node is JsonObject o && segment == "$ref" && (string?)o["$ref"] is { } reference)
            {
                node = Resolve(root, Segments(reference));
            }
            else if (node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child))
            {
                node = child;
            }
            else if (node is JsonArray array && int.TryParse(segment, CultureInfo.InvariantCulture, out var index) && index < array.Count)
            {
                node = array[index];
            }
        }

        return node;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private sealed class Renderer(JsonObject root, JsonElement document, List<SchemaProblem> found)
    {
        public void Collect(EvaluationResults result)
        {
            var evaluation = result.EvaluationPath.ToString();
            if (result.IsValid || evaluation.EndsWith("/if", StringComparison.Ordinal))
            {
                return; // a failed "if" only selects "then" or "else"
            }

            var segments = Segments(evaluation);
            var pointer = result.InstanceLocation.ToString();
            var schema = Resolve(root, segments);
            var invalidChildren = (result.Details ?? []).Where(d => !d.IsValid).ToList();
            if (segments is [.., "additionalProperties"] && schema is JsonValue)
            {
                UnknownKey(pointer, Resolve(root, segments[..^1]) as JsonObject ?? []);
                return;
            }

            if (schema is JsonValue)
            {
                Add(pointer, $"{Show(At(document, pointer))} is not allowed here.");
                return; // a false schema: nothing may be here
            }

            var isKey = segments is [.., "propertyNames"];

            // What fails at a $ref (a shared list) is worded with the referring node, whose own keywords (its errorMessage) win.
            var node = segments is [.., "$ref"] && Resolve(root, segments[..^1]) is JsonObject referrer ? Merged(referrer, root) : Merged(schema as JsonObject ?? [], root);
            var value = isKey ? JsonSerializer.SerializeToElement(Segments(pointer).LastOrDefault() ?? "") : At(document, pointer);
            var subject = isKey ? "the key" : Show(value);
            var errors = result.Errors ?? [];
            foreach (var keyword in errors.ContainsKey("type") ? ["type"] : errors.Keys.ToList())
            {
                Add(pointer, Render(keyword, errors[keyword], node, value, subject, pointer));
            }

            if (errors.Count == 0 && invalidChildren.Count == 0)
            {
                Add(pointer, Render(node.ContainsKey("not") ? "not" : "", "does not match the schema", node, value, subject, pointer));
            }

            foreach (var child in invalidChildren.Where(c => !c.EvaluationPath.ToString().EndsWith("/not", StringComparison.Ordinal)))
            {
                Collect(child); // a "not" whose schema failed is the success of "not"
            }
        }

        private void Add(string pointer, string? text)
        {
            if (text is not null)
            {
                found.Add(new SchemaProblem(pointer, PathOf(pointer, document), text));
            }
        }

        private void UnknownKey(string pointer, JsonObject parent)
        {
            var known = Merged(parent, root)["properties"] is JsonObject p ? p.Select(x => x.Key).ToList() : [];
            var key = Segments(pointer).Last();
            var parentPointer = pointer[..pointer.LastIndexOf('/')];
            var suggestion = Suggest(key, known);
            var where = parentPointer.Length == 0 ? "" : $" in {PathOf(parentPointer, document)}";
            found.Add(new SchemaProblem(pointer, PathOf(pointer, document),
                $"unknown key{(suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)")}; allowed keys{where}: {string.Join(", ", known)}.", UnknownKey: true));
        }

        private string? Render(string keyword, string library, JsonObject node, JsonElement? value, string subject, string pointer)
        {
            string Is(string? message, string fallback)
            {
                var text = message ?? fallback;
                return text.Contains("; allowed ", StringComparison.Ordinal) ? $"{subject} is {text}." : $"{subject} is {text}; allowed {Allowed(node, root)}.";
            }

            switch (keyword)
            {
                case "type":
                    return $"{subject} is not {(node["type"] is JsonArray types ? string.Join(" or ", types.Select(t => Noun((string?)t))) : Noun((string?)node["type"]))}; allowed {Allowed(node, root)}.";
                case "enum" or "const":
                    var suggestion = value?.ValueKind == JsonValueKind.String && node["enum"] is JsonArray values
                        ? Suggest(value.Value.GetString()!, values.Where(v => v!.GetValueKind() == JsonValueKind.String).Select(v => (string)v!)) : null;
                    var problem = ((string?)node["errorMessage"])?.Split("; allowed ")[0] ?? "not an allowed value";
                    return $"{subject} is {problem}{(suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)")}; allowed {Allowed(node, root)}.";
                case "pattern":
                    return Is((string?)node["patternErrorMessage"], $"not matching the pattern {node["pattern"]}");
                case "not":
                    return Is((string?)node["errorMessage"], "not allowed");
                case "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum":
                    return $"{subject} is out of range; allowed {Allowed(node, root)}.";
                case "minLength" or "maxLength":
                    return $"{(subject == "the key" ? "the key " : "")}is {(value?.ValueKind == JsonValueKind.String ? value.Value.GetString()!.Length : 0)} characters long; allowed {Allowed(node, root)}.";
                case "minItems" or "maxItems":
                    return $"has {value?.GetArrayLength()} item(s); allowed {Count(node["minItems"], node["maxItems"], "items")}.";
                case "minProperties" or "maxProperties":
                    var keys = node["properties"] is JsonObject p ? $" of {string.Join(", ", p.Select(x => x.Key))}" : "";
                    return $"has {value?.EnumerateObject().Count()} key(s); allowed {Count(node["minProperties"], node["maxProperties"], "keys")}{keys}.";
                case "uniqueItems":
                    foreach (var duplicate in value!.Value.EnumerateArray().GroupBy(v => JsonNode.Parse(v.GetRawText())?.ToJsonString()).Where(g => g.Count() > 1))
                    {
                        Add(pointer, $"{Show(duplicate.First())} is listed more than once; allowed distinct items.");
                    }

                    return null;
                case "required":
                    var properties = node["properties"] as JsonObject ?? [];
                    foreach (var missing in (node["required"] as JsonArray ?? []).Select(r => (string)r!).Where(r => Child(value, r) is null))
                    {
                        found.Add(new SchemaProblem(Pointer(pointer, missing), PathOf(pointer, document) is "(root)" ? missing : $"{PathOf(pointer, document)}.{missing}",
                            $"required key is missing; allowed {Allowed(properties[missing] as JsonObject ?? [], root)}."));
                    }

                    return null;
                default:
                    return $"{subject} {library.TrimEnd('.')}.";
            }
        }
    }
}
