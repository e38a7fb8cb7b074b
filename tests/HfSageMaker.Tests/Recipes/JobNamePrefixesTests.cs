using System.Text.RegularExpressions;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;
using Xunit;

namespace HfSageMaker.Tests.Recipes;

/// <summary>
/// The job name prefix rule against SageMaker's limits: tuning job names are at most 32 characters matching
/// [a-zA-Z0-9](-*[a-zA-Z0-9])* (API model, HyperParameterTuningJobName), and PrepareRequest shortens a longer
/// '&lt;prefix&gt;-&lt;execution&gt;' to its first 23 characters, '-' and 8 hex characters.
/// </summary>
public class JobNamePrefixesTests
{
    private static readonly Regex SageMakerName = new(@"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}\z");

    /// <summary>PrepareRequest's fitName (constructs/Orchestration/runtime/names.mjs) at 32 characters, head only.</summary>
    private static string ShortenedHead(string name) => name.Length <= 32 ? name : name[..23].TrimEnd('-');

    [Theory]
    [InlineData("translate", "dev", "hf-translate-dev")]
    [InlineData("translate", "staging", "hf-translate-staging")]
    [InlineData("llm-sft", "prod", "hf-llm-sft-prod")]
    public void Short_names_give_hf_recipe_environment(string recipe, string environment, string expected) =>
        Assert.Equal(expected, JobNamePrefixes.For(recipe, environment));

    [Theory]
    [InlineData("translate", "integration")]
    [InlineData("translate", "integration-eu")]
    [InlineData("abcdefghij", "a1234567890123456789")]
    [InlineData("llm-sft", "research-us")]
    public void Long_names_stay_within_the_limit_distinct_and_valid_inside_every_tuning_job_name(string recipe, string environment)
    {
        var prefix = JobNamePrefixes.For(recipe, environment);
        Assert.True(prefix.Length <= JobNamePrefixes.MaxLength, prefix);
        Assert.Matches(SageMakerName, prefix);
        Assert.StartsWith($"hf-{recipe}-", prefix);
        Assert.NotEqual(prefix, JobNamePrefixes.For(recipe, environment + "x"));
        // A long execution name: the shortened job name still starts with '<prefix>-' (what IAM allows) and keeps part of the execution.
        var head = ShortenedHead($"{prefix}-0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.StartsWith(prefix + "-", head);
        Assert.True(head.Length > prefix.Length + 1, head);
    }

    [Theory]
    [InlineData("Translate", "dev")]
    [InlineData("translate", "Dev")]
    [InlineData("translation", "dev")]
    [InlineData("", "dev")]
    [InlineData("translate", "de--v")]
    public void Invalid_names_are_refused_naming_the_argument(string recipe, string environment)
    {
        var ex = Assert.Throws<ArgumentException>(() => JobNamePrefixes.For(recipe, environment));
        Assert.Contains(recipe.Length is 0 or > 10 || recipe != recipe.ToLowerInvariant() ? "recipeShortName" : "environmentName", ex.Message);
    }

    [Fact]
    public void Every_shipped_environment_gets_a_prefix_the_pipeline_accepts_and_no_prefix_scopes_another()
    {
        var prefixes = EnvironmentLoader.LoadAll().Select(e => JobNamePrefixes.For(TranslationRecipe.Instance.ShortName, e.Name)).ToList();
        Assert.All(prefixes, p => Assert.True(p.Length <= HfSageMaker.Constructs.Orchestration.HuggingFaceTrainingPipeline.MaxJobNamePrefixLength, p));
        Assert.All(prefixes, p => Assert.DoesNotContain(prefixes, q => q != p && q.StartsWith(p + "-", StringComparison.Ordinal)));
    }
}
