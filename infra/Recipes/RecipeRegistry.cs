namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// Every recipe of the app: the sealed subclasses of <see cref="TrainingRecipe"/> in this assembly, by name. The
/// environment loader accepts exactly these names under <c>recipes</c>; the stack adds a pipeline for each one an
/// environment names.
/// </summary>
public static class RecipeRegistry
{
    /// <summary>The recipe an environment file without <c>recipes</c> deploys (the platform's first recipe).</summary>
    public const string DefaultRecipe = "translation";

    /// <summary>Every recipe, ordered by name.</summary>
    public static IReadOnlyList<TrainingRecipe> All { get; } = [.. typeof(TrainingRecipe).Assembly.GetTypes()
        .Where(t => t.IsSealed && t.IsSubclassOf(typeof(TrainingRecipe)))
        .Select(t => (TrainingRecipe)(t.GetProperty("Instance")?.GetValue(null) ?? Activator.CreateInstance(t)!))
        .OrderBy(r => r.Name, StringComparer.Ordinal)];

    /// <summary>Every recipe name, ordered.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(r => r.Name)];

    /// <summary>The recipe called <paramref name="name"/>.</summary>
    /// <param name="name">A recipe name, e.g. <c>llm-sft</c>.</param>
    /// <returns>The recipe.</returns>
    /// <exception cref="ArgumentException">No recipe has that name.</exception>
    public static TrainingRecipe Get(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"recipe '{name}' does not exist; allowed {string.Join(", ", Names)} (training-scripts/<name>/ plus a TrainingRecipe subclass in infra/Recipes/).", nameof(name));
}
