using HfSageMaker.Constructs.Registry;
using HfSageMaker.Infra;
using Xunit;

namespace HfSageMaker.Tests.Platform;

/// <summary>The source revision the deploy workflow passes (HF_SOURCE_COMMIT, HF_SOURCE_REPOSITORY): read, checked,
/// or absent.</summary>
public sealed class SourceRevisionTests
{
    private static (SourceRevision? Revision, List<string> Problems) Read(string? commit, string? repository)
    {
        var problems = new List<string>();
        var values = new Dictionary<string, string?> { [SourceRevision.CommitVariable] = commit, [SourceRevision.RepositoryVariable] = repository };
        return (SourceRevision.FromEnvironment(name => values.GetValueOrDefault(name), problems), problems);
    }

    [Fact]
    public void Unset_variables_mean_no_revision_so_local_templates_do_not_change_per_commit()
    {
        var (revision, problems) = Read(null, " ");
        Assert.Null(revision);
        Assert.Empty(problems);
    }

    [Fact]
    public void A_commit_and_a_repository_are_read()
    {
        var (revision, problems) = Read("0123456789abcdef0123456789abcdef01234567", "https://github.com/example/hf-sagemaker");
        Assert.Empty(problems);
        Assert.Equal(new SourceRevision("0123456789abcdef0123456789abcdef01234567", "https://github.com/example/hf-sagemaker"), revision);
    }

    [Theory]
    [InlineData("HEAD")]
    [InlineData("0123ABC")]
    [InlineData("012345")]
    [InlineData("0123456789abcdef0123456789abcdef012345678")]
    public void A_value_that_is_not_a_commit_is_refused_naming_the_variable(string commit)
    {
        var (_, problems) = Read(commit, null);
        Assert.Equal([$"HF_SOURCE_COMMIT: '{commit}' is not a commit; allowed 7 to 40 lowercase hex digits (git rev-parse HEAD), or leave it unset."], problems);
    }

    [Fact]
    public void A_repository_over_1024_characters_is_refused()
    {
        var (_, problems) = Read(null, "https://example.com/" + new string('r', 1010));
        Assert.Single(problems);
        Assert.StartsWith("HF_SOURCE_REPOSITORY: 'https://example.com/rrrr", problems[0]);
    }

    /// <summary>
    /// The app checks the variables before synthesis so the message names them; the registration request the
    /// constructs build holds the rules (its limits are tied to the SageMaker API model by RegistrationLimitsTests):
    /// the two must accept exactly the same values.
    /// </summary>
    [Theory]
    [InlineData("0123456")]
    [InlineData("012345")]
    [InlineData("0123456789abcdef0123456789abcdef01234567")]
    [InlineData("0123456789abcdef0123456789abcdef012345678")]
    [InlineData("0123abc")]
    [InlineData("0123ABC")]
    [InlineData("g123456")]
    public void The_app_accepts_exactly_the_commits_the_registration_request_accepts(string commit)
    {
        var (_, problems) = Read(commit, null);
        Assert.Equal(ModelRegistrationRequest.CommitPattern().IsMatch(commit), problems.Count == 0);
    }

    [Fact]
    public void The_app_accepts_exactly_the_repository_lengths_the_registration_request_accepts()
    {
        Assert.Empty(Read(null, new string('a', ModelRegistrationRequest.MaxMetadataPropertyLength)).Problems);
        Assert.Single(Read(null, new string('a', ModelRegistrationRequest.MaxMetadataPropertyLength + 1)).Problems);
    }
}
