namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// One entry of an environment file's <c>recipes</c> object: a recipe the environment deploys and its guardrails.
/// </summary>
public sealed record RecipeConfig
{
    /// <summary>The recipe's name (<see cref="Recipes.TrainingRecipe.Name"/>), e.g. <c>llm-sft</c>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The recipe's guardrails: the environment's <c>training</c> section with the keys the recipe's entry sets
    /// replaced (e.g. its own <c>allowedInstanceTypes</c> and <c>defaultInstanceType</c>).
    /// </summary>
    public required TrainingConfig Training { get; init; }
}
