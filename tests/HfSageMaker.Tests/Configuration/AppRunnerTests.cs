using System.Text.Json;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using Xunit;

namespace HfSageMaker.Tests.Configuration;

/// <summary>Synthesizes the shipped environments once through the app's entry point, into a temporary folder.</summary>
public sealed class ShippedSynthesisFixture : IDisposable
{
    public ShippedSynthesisFixture()
    {
        Outdir = Path.Combine(Path.GetTempPath(), "hf-synth-" + Guid.NewGuid().ToString("N"));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        ExitCode = AppRunner.Run([], stdout, stderr, Outdir, Path.Combine(RepositoryLocator.FindRoot()!, "environments"));
        Stdout = stdout.ToString();
        Stderr = stderr.ToString();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Outdir, "manifest.json")));
        Manifest = doc.RootElement.Clone();
    }

    public string Outdir { get; }
    public int ExitCode { get; }
    public string Stdout { get; }
    public string Stderr { get; }
    public JsonElement Manifest { get; }

    public JsonElement Stack(string name) => Manifest.GetProperty("artifacts").GetProperty(name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Outdir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

/// <summary>The app entry point: one stack per environment, production protected, bad files never synthesized.</summary>
public sealed class AppRunnerTests(ShippedSynthesisFixture synth) : IClassFixture<ShippedSynthesisFixture>
{
    [Fact]
    public void ShippedEnvironments_Synthesize_OneTemplatePerEnvironment_NamedAfterIt()
    {
        Assert.True(synth.ExitCode == 0, synth.Stderr);
        foreach (var name in new[] { "dev", "staging", "prod" })
        {
            Assert.True(File.Exists(Path.Combine(synth.Outdir, $"HfSageMaker-{name}.template.json")), name);
            Assert.Equal($"HfSageMaker-{name}", synth.Stack($"HfSageMaker-{name}").GetProperty("displayName").GetString());
        }
    }

    [Theory]
    [InlineData("dev", "aws://111111111111/eu-west-1")]
    [InlineData("staging", "aws://222222222222/eu-west-1")]
    [InlineData("prod", "aws://333333333333/eu-west-1")]
    public void EachStack_HasAnExplicitAccountAndRegion(string name, string expected)
    {
        Assert.Equal(expected, synth.Stack($"HfSageMaker-{name}").GetProperty("environment").GetString());
    }

    [Theory]
    [InlineData("prod", true)]
    [InlineData("dev", false)]
    [InlineData("staging", false)]
    public void OnlyRetainingEnvironments_HaveTerminationProtection(string name, bool expected)
    {
        var properties = synth.Stack($"HfSageMaker-{name}").GetProperty("properties");
        var protectedStack = properties.TryGetProperty("terminationProtection", out var value) && value.GetBoolean();
        Assert.Equal(expected, protectedStack);
    }

    [Fact]
    public void StackTags_ComeFromTheFile_PlusTheEnvironmentName()
    {
        var tags = synth.Stack("HfSageMaker-prod").GetProperty("properties").GetProperty("tags");
        Assert.Equal("prod", tags.GetProperty("environment").GetString());
        Assert.Equal("ml-production", tags.GetProperty("cost-center").GetString());
        Assert.Equal("confidential", tags.GetProperty("data-classification").GetString());
    }

    [Theory]
    [InlineData("dev", "Delete")]
    [InlineData("staging", "Delete")]
    [InlineData("prod", "Retain")]
    public void EachRecipe_HasOneModelPackageGroup_TaggedLikeEverythingElse_RetainedWhereTheEnvironmentRetainsData(string name, string policy)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(synth.Outdir, $"HfSageMaker-{name}.template.json")));
        var groups = doc.RootElement.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("Type").GetString() == "AWS::SageMaker::ModelPackageGroup").ToList();
        var recipes = EnvironmentLoader.LoadAll(Path.Combine(RepositoryLocator.FindRoot()!, "environments")).Single(e => e.Name == name).DeployedRecipes;
        Assert.Equal(recipes.Count, groups.Count);
        foreach (var group in groups)
        {
            Assert.Equal(policy, group.Value.GetProperty("DeletionPolicy").GetString());
            Assert.Contains(group.Value.GetProperty("Properties").GetProperty("Tags").EnumerateArray(),
                t => t.GetProperty("Key").GetString() == "environment" && t.GetProperty("Value").GetString() == name);
        }
        var outputs = doc.RootElement.GetProperty("Outputs").EnumerateObject().Select(o => o.Name).ToList();
        foreach (var recipe in recipes)
            Assert.Contains(Infra.Recipes.RecipeRegistry.Get(recipe.Name).ModelPackageGroupOutputId, outputs);
    }

    [Fact]
    public void BadEnvironmentFile_ExitsWithOne_PrintsTheProblem_AndWritesNoTemplate()
    {
        using var temp = new TempEnvironments();
        var json = TempEnvironments.Valid();
        json["training"]!["maxRuntimeHours"] = 1000;
        temp.Write("dev.json", json);
        var outdir = Path.Combine(temp.Directory, "out");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = AppRunner.Run([], stdout, stderr, outdir, temp.Directory);

        Assert.Equal(1, code);
        Assert.Contains($"{temp.Display("dev.json")}: training.maxRuntimeHours: 1000 is out of range; allowed a whole number 1..672.", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(" at HfSageMaker", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(outdir));
        Assert.Equal(string.Empty, stdout.ToString());
    }

    [Fact]
    public void QuotasCommand_PrintsJson_ForOneEnvironment_WithoutSynthesizing()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = AppRunner.Run(["quotas", "prod", "--json"], stdout, stderr, Path.Combine(Path.GetTempPath(), "never-" + Guid.NewGuid().ToString("N")));

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.ToString());
        var env = Assert.Single(doc.RootElement.GetProperty("environments").EnumerateArray());
        Assert.Equal("prod", env.GetProperty("name").GetString());
        // prod: translation maxParallelTuningJobs 3 x maxInstanceCount 1 (it runs no distribution), plus llm-sft 3 x 2 (its own count), on-demand only.
        var quotas = env.GetProperty("quotas").EnumerateArray().ToList();
        Assert.Contains(quotas, q => q.GetProperty("quotaName").GetString() == "ml.p4d.24xlarge for training job usage" && q.GetProperty("value").GetInt32() == 9);
        // ml.g5.48xlarge is allowed for llm-sft only: 3 x 2.
        Assert.Contains(quotas, q => q.GetProperty("quotaName").GetString() == "ml.g5.48xlarge for training job usage" && q.GetProperty("value").GetInt32() == 6);
        Assert.DoesNotContain(quotas, q => q.GetProperty("usage").GetString() == "spot");
    }

    [Theory]
    [InlineData(new[] { "quotas", "nope" }, "Unknown environment \"nope\"")]
    [InlineData(new[] { "deploy" }, "Unknown command \"deploy\"")]
    [InlineData(new[] { "quotas", "--csv" }, "Unexpected argument(s): --csv")]
    [InlineData(new[] { "schema", "--force" }, "Unexpected argument(s): --force")]
    public void BadCommandLine_ExitsWithTwo(string[] args, string expected)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(2, AppRunner.Run(args, stdout, stderr));
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
    }
}
