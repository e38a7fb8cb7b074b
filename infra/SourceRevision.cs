using System.Text.RegularExpressions;

namespace HfSageMaker.Infra;

/// <summary>
/// The source the app is synthesized from, when the caller says so: <c>HF_SOURCE_COMMIT</c> (7 to 40 lowercase hex
/// digits) and <c>HF_SOURCE_REPOSITORY</c> (the repository's URL, at most 1024 characters), which the deploy workflow
/// sets from GitHub's <c>github.sha</c>, <c>github.server_url</c> and <c>github.repository</c>. Every registered model
/// version records them (<c>MetadataProperties.CommitId</c> and <c>Repository</c>). Unset: not recorded (local
/// synthesis and the tests, whose templates stay the same from one commit to the next).
/// </summary>
/// <param name="Commit">The commit, or null.</param>
/// <param name="Repository">The repository URL, or null.</param>
public sealed partial record SourceRevision(string? Commit, string? Repository)
{
    /// <summary>The variable naming the commit.</summary>
    public const string CommitVariable = "HF_SOURCE_COMMIT";

    /// <summary>The variable naming the repository.</summary>
    public const string RepositoryVariable = "HF_SOURCE_REPOSITORY";

    /// <summary>Reads the variables; a problem names the variable, the value and what is allowed.</summary>
    /// <param name="read">Reads an environment variable (tests pass their own).</param>
    /// <param name="problems">Where problems go.</param>
    /// <returns>The revision (null members when unset), or null when neither variable is set.</returns>
    public static SourceRevision? FromEnvironment(Func<string, string?> read, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(problems);
        var commit = NonEmpty(read(CommitVariable));
        var repository = NonEmpty(read(RepositoryVariable));
        if (commit is not null && !CommitPattern().IsMatch(commit))
            problems.Add($"{CommitVariable}: '{commit}' is not a commit; allowed 7 to 40 lowercase hex digits (git rev-parse HEAD), or leave it unset.");
        if (repository is not null && (repository.Length > 1024 || repository.Any(char.IsControl)))
            problems.Add($"{RepositoryVariable}: '{repository[..Math.Min(repository.Length, 80)]}' is not allowed; give a URL of at most 1024 characters, or leave it unset.");
        return commit is null && repository is null ? null : new SourceRevision(commit, repository);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^[0-9a-f]{7,40}\z")]
    private static partial Regex CommitPattern();
}
