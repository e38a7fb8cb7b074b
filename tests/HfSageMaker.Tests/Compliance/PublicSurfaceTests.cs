using System.Reflection;
using System.Text.RegularExpressions;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Tests.Orchestration;
using Xunit;

namespace HfSageMaker.Tests.Compliance;

/// <summary>
/// What the package promises under semver: helpers that exist for the pipeline and its tests are not public, the
/// execution role is not a hand-written <see cref="IRole"/>, and every warning the library adds has an id in one scheme
/// that the package's README lists (consumers acknowledge warnings by id).
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Library = typeof(HuggingFaceTrainingPipeline).Assembly;

    [Theory]
    [InlineData("HfSageMaker.Constructs.Training.TrainingRequestBuilder")]
    [InlineData("HfSageMaker.Constructs.Training.HyperparameterEncoding")]
    [InlineData("HfSageMaker.Constructs.Training.ReservedHyperparameters")]
    [InlineData("HfSageMaker.Constructs.Training.TrainingJobResources")]
    [InlineData("HfSageMaker.Constructs.Registry.ModelRegistrationRequest")]
    public void Helpers_for_the_pipeline_and_the_tests_are_not_public(string name)
    {
        var type = Library.GetType(name);
        Assert.NotNull(type);
        Assert.DoesNotContain(type, Library.GetExportedTypes());
    }

    [Fact]
    public void No_public_type_implements_IRole_by_hand()
    {
        // aws-cdk adds required members to IRole inside the package's range [2.160.0,3.0.0) (IRoleRef), and jsii gives
        // C# default bodies only to optional members: an implementation compiled against 2.160.0 would fail to load.
        var roles = Library.GetExportedTypes().Where(t => typeof(IRole).IsAssignableFrom(t)).Select(t => t.FullName).ToList();
        Assert.Empty(roles);
        Assert.Contains(typeof(IGrantable), typeof(SageMakerExecutionRole).GetInterfaces());
    }

    [Fact]
    public void Every_warning_id_follows_one_scheme_and_the_package_readme_lists_it()
    {
        var ids = Library.GetType("HfSageMaker.Constructs.Internal.WarningIds")!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        var readme = File.ReadAllText(Path.Combine(PipelineFixture.RepositoryRoot, "constructs", "README.md"));
        foreach (var id in ids)
        {
            Assert.Matches(@"^@hfsagemaker/[a-z]+:[a-z][A-Za-z0-9]*\z", id);
            Assert.Contains($"`{id}`", readme, StringComparison.Ordinal);
        }

        // Every warning of the library names one of these constants, never a literal of its own.
        var sources = Directory.EnumerateFiles(Path.Combine(PipelineFixture.RepositoryRoot, "constructs"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var calls = sources.SelectMany(f => Regex.Matches(File.ReadAllText(f), @"AddWarning(?:V2)?\(\s*([^,]+),").Select(m => (File: Path.GetFileName(f), Id: m.Groups[1].Value.Trim())))
            .ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, call => Assert.StartsWith("WarningIds.", call.Id, StringComparison.Ordinal));
    }
}
