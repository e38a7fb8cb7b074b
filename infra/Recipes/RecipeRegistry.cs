using System.Text.RegularExpressions;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// Every recipe of the app: each folder of <c>training-scripts/</c> that holds a <c>recipe.json</c>, by folder name
/// (adding a recipe is adding a folder). The environment loader accepts exactly these names under <c>recipes</c>;
/// the stack adds a pipeline for each one an environment names. The folders are read once, at first use; a recipe
/// file that does not match its schema stops the app with every problem listed (<see cref="RecipeDefinitionException"/>).
/// </summary>
public static partial class RecipeRegistry
{
    /// <summary>The recipe an environment file without <c>recipes</c> deploys (the platform's first recipe).</summary>
    public const string DefaultRecipe = "translation";

    private static readonly Lazy<IReadOnlyList<TrainingRecipe>> Recipes = new(() =>
        Load(Path.Combine(RepositoryLocator.FindRoot() ?? throw new RecipeDefinitionException(
            ["no cdk.json found above the current directory or the app: run the app from the repository (dotnet run --project infra)."]), "training-scripts")));

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex RecipeName();

    /// <summary>Every recipe, ordered by name.</summary>
    /// <exception cref="RecipeDefinitionException">A recipe folder's files are missing or do not match their schema.</exception>
    public static IReadOnlyList<TrainingRecipe> All => Recipes.Value;

    /// <summary>Every recipe name, ordered.</summary>
    public static IReadOnlyList<string> Names => [.. All.Select(r => r.Name)];

    /// <summary>The recipe called <paramref name="name"/>.</summary>
    /// <param name="name">A recipe name, e.g. <c>llm-sft</c>.</param>
    /// <returns>The recipe.</returns>
    /// <exception cref="ArgumentException">No recipe has that name.</exception>
    public static TrainingRecipe Get(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"recipe '{name}' does not exist; allowed {string.Join(", ", Names)} (a recipe is a folder training-scripts/<name>/ with recipe.json).", nameof(name));

    /// <summary>
    /// Reads every recipe folder of <paramref name="scriptsDirectory"/> (a folder with a <c>recipe.json</c>), ordered by
    /// name, and checks what no single file can: names, short names and construct ids unique across recipes.
    /// </summary>
    /// <param name="scriptsDirectory">The <c>training-scripts</c> folder.</param>
    /// <returns>The recipes.</returns>
    /// <exception cref="RecipeDefinitionException">Every problem found, each naming the file and field.</exception>
    public static IReadOnlyList<TrainingRecipe> Load(string scriptsDirectory)
    {
        var problems = new List<string>();
        var recipeSchema = RecipeFiles.Schema(scriptsDirectory, RecipeFiles.RecipeSchemaFileName);
        var hyperparametersSchema = RecipeFiles.Schema(scriptsDirectory, RecipeFiles.HyperparametersSchemaFileName);
        var vocabularies = RecipeFiles.ReadVocabularies(scriptsDirectory, problems);
        var recipes = new List<TrainingRecipe>();
        foreach (var directory in Directory.EnumerateDirectories(scriptsDirectory).Where(d => File.Exists(Path.Combine(d, RecipeFiles.RecipeFileName))).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (!RecipeName().IsMatch(name))
            {
                problems.Add($"training-scripts/{name}/: the folder name is the recipe's name; allowed lowercase letters and digits with single inner hyphens, e.g. llm-sft.");
            }

            foreach (var required in new[] { "train.py", "metric_definitions.json" }.Where(f => !File.Exists(Path.Combine(directory, f))))
            {
                problems.Add($"training-scripts/{name}/{required}: missing; every recipe folder holds train.py, metric_definitions.json, {RecipeFiles.RecipeFileName} and {RecipeFiles.HyperparametersFileName}.");
            }

            if (TrainingRecipe.Load(directory, recipeSchema, hyperparametersSchema, vocabularies, problems) is { } recipe)
            {
                recipes.Add(recipe);
            }
        }

        Unique(recipes, r => r.ShortName, "shortName", problems);
        Unique(recipes, r => r.ConstructIdPrefix, "constructIdPrefix", problems);
        Unique(recipes, r => r.MonitoringConstructId, "monitoringConstructId", problems);
        if (recipes.Count == 0 && problems.Count == 0)
        {
            problems.Add($"training-scripts/: no recipe folder (a folder with {RecipeFiles.RecipeFileName}).");
        }

        return problems.Count > 0 ? throw new RecipeDefinitionException(problems) : recipes;
    }

    private static void Unique(List<TrainingRecipe> recipes, Func<TrainingRecipe, string> key, string field, List<string> problems)
    {
        foreach (var group in recipes.GroupBy(key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"training-scripts/{group.Last().Name}/{RecipeFiles.RecipeFileName}: {field}: \"{group.Key}\" is also the {field} of {string.Join(", ", group.SkipLast(1).Select(r => r.Name))}; allowed a value no other recipe uses.");
        }
    }
}
