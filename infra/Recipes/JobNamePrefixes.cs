using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Orchestration;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// The one rule for the job name prefix of a recipe's pipeline in an environment: <c>hf-&lt;recipe&gt;-&lt;environment&gt;</c>
/// (e.g. <c>hf-translate-dev</c>), at most <see cref="MaxLength"/> characters. The prefix scopes the state machine's IAM
/// policy (<c>training-job/&lt;prefix&gt;-*</c>), its EventBridge rules, its S3 output paths and its dashboards, so the
/// environment in it keeps two environments of one account apart, and the recipe keeps two pipelines of one
/// environment apart.
/// </summary>
/// <remarks>
/// SageMaker allows 32 characters for a tuning job name (<c>HyperParameterTuningJobName</c>, API model) and the pipeline
/// names jobs <c>&lt;prefix&gt;-&lt;execution name&gt;</c>, shortened to <c>&lt;first 23 characters&gt;-&lt;8 hex of the
/// full name's SHA-256&gt;</c> when longer (PrepareRequest's <c>fitName</c>). With a prefix of at most 20 characters the
/// shortened name still starts with <c>&lt;prefix&gt;-</c> (so IAM allows it) and still holds part of the execution
/// name; the hash keeps it unique per execution. A prefix that would exceed 20 characters keeps the start of the
/// environment name and ends in 4 hex characters of the environment name's SHA-256, so it stays distinct per
/// environment (the loader refuses two environments in one account and region in any case).
/// </remarks>
public static partial class JobNamePrefixes
{
    /// <summary>The longest prefix the pipeline accepts (<see cref="HuggingFaceTrainingPipeline.MaxJobNamePrefixLength"/>).</summary>
    public const int MaxLength = HuggingFaceTrainingPipeline.MaxJobNamePrefixLength;

    /// <summary>The longest recipe short name: leaves room for 2 characters of the environment name and the 4-character hash.</summary>
    public const int MaxRecipeLength = 10;

    [GeneratedRegex(@"^[a-z0-9](-?[a-z0-9])*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePart();

    /// <summary>The job name prefix of recipe <paramref name="recipeShortName"/> (e.g. <c>translate</c>) in environment
    /// <paramref name="environmentName"/> (e.g. <c>dev</c>).</summary>
    /// <exception cref="ArgumentException">A name is empty, too long or not lower-case letters, digits and single inner hyphens.</exception>
    public static string For(string recipeShortName, string environmentName)
    {
        var problems = new List<string>();
        if (recipeShortName is null || recipeShortName.Length > MaxRecipeLength || !NamePart().IsMatch(recipeShortName))
            problems.Add($"recipeShortName: '{recipeShortName}' is invalid; use 1 to {MaxRecipeLength} characters [a-z0-9] with single inner hyphens, e.g. 'translate'.");
        if (environmentName is null || !NamePart().IsMatch(environmentName))
            problems.Add($"environmentName: '{environmentName}' is invalid; use [a-z0-9] with single inner hyphens, e.g. 'dev'.");
        if (problems.Count > 0)
            throw new ArgumentException("JobNamePrefixes.For:\n - " + string.Join("\n - ", problems));

        var full = $"hf-{recipeShortName}-{environmentName}";
        if (full.Length <= MaxLength) return full;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(environmentName!)))[..4];
        var keep = MaxLength - $"hf-{recipeShortName}-".Length - hash.Length;
        return $"hf-{recipeShortName}-{environmentName![..keep].TrimEnd('-')}{hash}";
    }
}
