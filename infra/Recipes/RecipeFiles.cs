using System.Text.Json;
using HfSageMaker.Infra.Schemas;
using Json.Schema;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// Reads a recipe folder's JSON files and checks each against its JSON Schema (<c>training-scripts/recipe.schema.json</c>,
/// <c>training-scripts/hyperparameters.schema.json</c>), the one statement of their format; every problem is reported
/// as the environment files' are (<see cref="SchemaProblems"/>): <c>&lt;file&gt;: &lt;field&gt;: &lt;value&gt; is &lt;what is wrong&gt;; allowed &lt;what is allowed&gt;.</c>
/// </summary>
internal static class RecipeFiles
{
    /// <summary>The recipe data file in a recipe folder.</summary>
    public const string RecipeFileName = "recipe.json";

    /// <summary>The hyperparameter contract in a recipe folder.</summary>
    public const string HyperparametersFileName = "hyperparameters.json";

    /// <summary>The schema of <see cref="RecipeFileName"/>, in <c>training-scripts/</c>.</summary>
    public const string RecipeSchemaFileName = "recipe.schema.json";

    /// <summary>The schema of <see cref="HyperparametersFileName"/>, in <c>training-scripts/</c>.</summary>
    public const string HyperparametersSchemaFileName = "hyperparameters.schema.json";

    /// <summary>
    /// The JSON of <paramref name="path"/> when it parses and matches <paramref name="schema"/>; otherwise null, with
    /// the problems added to <paramref name="problems"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="displayName">The file as messages name it (repository-relative).</param>
    /// <param name="schema">The schema.</param>
    /// <param name="problems">Where problems go.</param>
    public static JsonElement? Read(string path, string displayName, JsonSchema schema, List<string> problems)
    {
        if (!File.Exists(path))
        {
            problems.Add($"{displayName}: missing; every recipe folder holds {RecipeFileName}, {HyperparametersFileName}, metric_definitions.json and train.py.");
            return null;
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            problems.Add($"{displayName}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
            return null;
        }

        var found = SchemaProblems.Find(schema, root);
        problems.AddRange(found.Select(p => p.Line(displayName)));
        return found.Count == 0 ? root : null;
    }

    /// <summary>A schema of <c>training-scripts/</c>.</summary>
    /// <param name="scriptsDirectory">The <c>training-scripts</c> folder.</param>
    /// <param name="fileName">The schema's file name.</param>
    /// <returns>The schema.</returns>
    public static JsonSchema Schema(string scriptsDirectory, string fileName) =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(scriptsDirectory, fileName)));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}
