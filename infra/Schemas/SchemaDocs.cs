using System.Text;
using System.Text.Json.Nodes;

namespace HfSageMaker.Infra.Schemas;

/// <summary>
/// The Markdown reference of a generated schema: one row per key (sections and recipe-like entries unfolded), saying
/// whether it is required (and its default), what is allowed (<see cref="SchemaProblems.Allowed"/>: the very words the
/// error messages use) and what it means (its description). A list of values shared under <c>$defs</c> is named in the
/// rows and spelled out once, below the table.
/// </summary>
public static class SchemaDocs
{
    /// <summary>The key table of <paramref name="schema"/>.</summary>
    /// <param name="schema">A generated schema document.</param>
    /// <returns>The Markdown table, ending with a newline.</returns>
    public static string KeyTable(JsonObject schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var table = new StringBuilder("| Key | Required | Allowed | Meaning |\n|---|---|---|---|\n");
        Rows(table, schema, schema, "");
        foreach (var (name, definition) in schema["$defs"] as JsonObject ?? [])
        {
            if (definition?["enum"] is JsonArray)
            {
                table.Append($"\n`{name}` (`#/$defs/{name}` in the schema): {SchemaProblems.Allowed(definition.AsObject(), schema)}.\n");
            }
        }

        return table.ToString();
    }

    private static void Rows(StringBuilder table, JsonObject node, JsonObject root, string prefix)
    {
        var merged = SchemaProblems.Merged(node, root);
        var required = (merged["required"] as JsonArray ?? []).Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in merged["properties"] as JsonObject ?? [])
        {
            if (key == "$schema" || value is not JsonObject property)
            {
                continue;
            }

            var path = prefix + key;
            var fields = SchemaProblems.Merged(property, root)["properties"] as JsonObject;
            var isSection = fields is not null && property.ContainsKey("required");
            if (!isSection)
            {
                var fallback = property["default"] is { } d ? $"no (default `{d.ToJsonString()}`)" : "no";
                table.Append($"| `{path}` | {(required.Contains(key) ? "yes" : fallback)} | {Cell(SchemaProblems.Allowed(property, root, Shared))} | {Cell((string?)property["description"] ?? "")} |\n");
            }

            // An object declared in place (a section, the recipes, the registry) is unfolded; one that only refers to a
            // shared definition without requiring its keys (a recipe's overrides of training) is not: its keys are above.
            if (isSection || (fields is not null && !property.ContainsKey("$ref")))
            {
                Rows(table, property, root, path + ".");
            }
            else if (property["items"] is JsonObject items && SchemaProblems.Merged(items, root)["properties"] is JsonObject)
            {
                Rows(table, items, root, path + "[].");
            }
        }
    }

    private static string Shared(string name) => $"one of the `{name}` values below";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
