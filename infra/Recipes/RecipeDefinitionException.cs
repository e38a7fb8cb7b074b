namespace HfSageMaker.Infra.Recipes;

/// <summary>One or more recipe folders under <c>training-scripts/</c> are invalid; <see cref="Errors"/> lists every
/// problem as <c>&lt;file&gt;: &lt;field&gt;: &lt;what is wrong; what is allowed&gt;</c>.</summary>
public sealed class RecipeDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Every problem.</param>
    public RecipeDefinitionException(IReadOnlyList<string> errors)
        : base("Invalid recipe definition(s):\n" + string.Join("\n", errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
