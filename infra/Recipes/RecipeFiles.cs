using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Training;
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

    /// <summary>The vocabularies of hyperparameter words, in the shared package (<see cref="TrainingRecipe.SharedCodeDirectory"/>),
    /// which every job's archive carries: the script's parser reads the same file.</summary>
    public const string VocabulariesFileName = "vocabularies.json";

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

    /// <summary>
    /// The vocabularies of <c>training-scripts/hf_recipe/vocabularies.json</c> by name (format: its <c>$comment</c>;
    /// <c>hf_recipe/toolkit_args.py</c> reads it the same way), or an empty map with the problems added.
    /// </summary>
    /// <param name="scriptsDirectory">The <c>training-scripts</c> folder.</param>
    /// <param name="problems">Where problems go.</param>
    /// <returns>Name to vocabulary.</returns>
    public static IReadOnlyDictionary<string, HyperparameterVocabulary> ReadVocabularies(string scriptsDirectory, List<string> problems)
    {
        var package = Path.GetFileName(TrainingRecipe.SharedCodeDirectory);
        var shown = $"training-scripts/{package}/{VocabulariesFileName}";
        var path = Path.Combine(scriptsDirectory, package, VocabulariesFileName);
        var vocabularies = new Dictionary<string, HyperparameterVocabulary>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            problems.Add($"{shown}: missing; it holds the vocabularies hyperparameters.json files name.");
            return vocabularies;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            problems.Add($"{shown}: not valid JSON: {FirstSentence(e.Message)}.");
            return vocabularies;
        }

        var format = "allowed: an object with blanks (a string), words (word -> its lowercase spellings) and vocabularies (name -> words), as its $comment says";
        if (root?["blanks"] is not JsonValue blanksJson || !blanksJson.TryGetValue<string>(out var blanks)
            || root["words"] is not JsonObject wordsJson || root["vocabularies"] is not JsonObject vocabulariesJson)
        {
            problems.Add($"{shown}: (the file): not its format; {format}.");
            return vocabularies;
        }

        var words = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (word, spellingsJson) in wordsJson)
        {
            var spellings = Strings(spellingsJson);
            if (spellings is not { Count: > 0 } || !spellings.Contains(word) || spellings.Any(x => x.Length == 0 || x != x.Trim(blanks.ToCharArray()) || x.Any(char.IsUpper)))
            {
                problems.Add($"{shown}: words.{word}: {spellingsJson?.ToJsonString()} is not allowed; allowed: lowercase spellings without blanks around them, the word itself among them.");
                continue;
            }

            words[word] = spellings;
        }

        foreach (var (name, listJson) in vocabulariesJson)
        {
            var own = Strings(listJson);
            if (own is not { Count: > 0 } || own.Any(w => !words.ContainsKey(w)))
            {
                problems.Add($"{shown}: vocabularies.{name}: {listJson?.ToJsonString()} is not allowed; allowed: one or more words of \"words\" ({string.Join(", ", words.Keys)}).");
                continue;
            }

            foreach (var twice in own.SelectMany(w => words[w]).GroupBy(x => x, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                problems.Add($"{shown}: vocabularies.{name}: the spelling \"{twice.Key}\" means two of its words; allowed: each spelling in one word.");
            }

            vocabularies[name] = new HyperparameterVocabulary(name, own, own.ToDictionary(w => w, w => words[w], StringComparer.Ordinal), blanks);
        }

        return vocabularies;
    }

    private static List<string>? Strings(JsonNode? node) =>
        node is JsonArray array && array.All(v => v is JsonValue value && value.TryGetValue<string>(out _)) ? [.. array.Select(v => (string)v!)] : null;

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
