using Amazon.CDK.Assertions;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using Xunit;
using static HfSageMaker.Tests.Platform.PlatformFixtures;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>A controlled-egress environment with <c>studio.notebookJobs</c>, synthesized once for the class.</summary>
public sealed class NotebookJobsEgressStackFixture
{
    internal TrainingPlatformStack Stack { get; }
    internal Template Template { get; }

    public NotebookJobsEgressStackFixture()
    {
        var config = Config(NetworkMode.ControlledEgress, RemovalBehaviour.Destroy);
        (Stack, Template, _) = Synth(config with { Studio = config.Studio with { NotebookJobs = true } });
    }
}

/// <summary>
/// Where the subnets have a route out (NAT), notebook estimators are allowed but <c>@remote</c> is not: it cannot use
/// network isolation (SDK v2.257.6 <c>remote_function/job.py</c> line 676), so nothing would contain it. The shipped
/// environments are all isolated; tests/node/notebook-jobs.test.mjs covers them.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class NotebookJobsEgressStackTests(NotebookJobsEgressStackFixture fixture) : IClassFixture<NotebookJobsEgressStackFixture>
{
    [Fact]
    public void Egress_environment_gets_estimator_defaults_but_no_RemoteFunction_section()
    {
        var defaults = fixture.Stack.SdkDefaults;
        Assert.NotNull(defaults);
        Assert.False(defaults.Props.AllowRemoteFunctions);
        var sageMaker = (Dictionary<string, object>)defaults.Document["SageMaker"];
        var modules = (Dictionary<string, object>)((Dictionary<string, object>)sageMaker["PythonSDK"])["Modules"];
        Assert.False(modules.ContainsKey("RemoteFunction"));
        Assert.True(((Dictionary<string, object>)sageMaker["TrainingJob"]).ContainsKey("VpcConfig"));
        fixture.Template.ResourceCountIs("AWS::SageMaker::StudioLifecycleConfig", 2);
    }

    [Fact]
    public void Egress_environment_allows_only_isolated_jobs_and_the_job_role_pulls_no_studio_image()
    {
        var statements = Resources(fixture.Template, "AWS::IAM::ManagedPolicy").Single(kv => kv.Key.Contains("NotebookJobs", StringComparison.Ordinal)).Value.GetProperty("Properties")
            .GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray().ToList();
        Assert.Contains(statements, s => s.GetProperty("Sid").GetString() == "CreateJobsWithinGuardrails");
        Assert.DoesNotContain(statements, s => s.GetProperty("Sid").GetString() == "CreateRemoteFunctionJobsWithinGuardrails");
        var isolation = statements
            .Where(s => s.TryGetProperty("Condition", out var c) && c.TryGetProperty("Bool", out var b) && b.TryGetProperty("sagemaker:NetworkIsolation", out _))
            .Select(s => s.GetProperty("Condition").GetProperty("Bool").GetProperty("sagemaker:NetworkIsolation").GetString())
            .ToList();
        Assert.Equal(["true", "true"], isolation); // the training and the tuning statement (tuning has its own: its run-time cap is IfExists)

        var policies = string.Join("\n", Resources(fixture.Template, "AWS::IAM::ManagedPolicy").Values.Select(p => p.GetRawText()));
        Assert.Contains("repository/huggingface-pytorch-training", policies, StringComparison.Ordinal);
        Assert.DoesNotContain(SageMakerSdkDefaults.StudioImageRepository, policies, StringComparison.Ordinal);
    }
}
