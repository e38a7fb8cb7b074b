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
        var statements = Resources(fixture.Template, "AWS::IAM::ManagedPolicy").Single(kv => kv.Key.Contains("NotebookJobs", StringComparison.Ordinal) && !kv.Key.Contains("Control", StringComparison.Ordinal)).Value.GetProperty("Properties")
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

/// <summary>
/// Notebook jobs and the pipelines' jobs stay apart: a notebook cannot create a job under a pipeline's job name prefix
/// (the pipeline's state machine manages those, its alarms and dashboards watch them), and Studio users may stop only
/// this platform's jobs: the pipelines' (by prefix) and those an app of this domain created (Studio's
/// <c>sagemaker:domain-arn</c> tag), no other job of the account.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class NotebookJobsAndPipelinePrefixesTests(NotebookJobsEgressStackFixture fixture) : IClassFixture<NotebookJobsEgressStackFixture>
{
    private List<System.Text.Json.JsonElement> Policy(string id) => Resources(fixture.Template, "AWS::IAM::ManagedPolicy")
        .Single(kv => kv.Key.StartsWith(id, StringComparison.Ordinal) && kv.Key.Length == id.Length + 8).Value
        .GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray().ToList();

    [Fact]
    public void Notebooks_may_not_create_jobs_under_a_pipeline_prefix()
    {
        var deny = Assert.Single(Policy("StudioUserRoleNotebookJobs"), s => s.GetProperty("Sid").GetString() == "DenyPipelineJobNames");
        Assert.Equal("Deny", deny.GetProperty("Effect").GetString());
        Assert.Equal(["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"], Actions(deny));
        var resources = deny.GetProperty("Resource").GetRawText();
        Assert.Contains(":training-job/hf-translate-test-*", resources, StringComparison.Ordinal);
        Assert.Contains(":hyper-parameter-tuning-job/hf-translate-test-*", resources, StringComparison.Ordinal);
    }

    [Fact]
    public void Users_may_stop_only_the_pipelines_jobs_and_the_jobs_of_this_domain()
    {
        var stops = Policy("StudioUserRoleNotebookJobsControl").Where(s => Actions(s).Any(a => a.StartsWith("sagemaker:Stop", StringComparison.Ordinal))).ToList();
        Assert.Equal(["StopJobsCreatedInThisDomain", "StopPipelineJobs"], stops.Select(s => s.GetProperty("Sid").GetString()).Order(StringComparer.Ordinal));
        var byPrefix = stops.Single(s => s.GetProperty("Sid").GetString() == "StopPipelineJobs");
        Assert.All(List(byPrefix.GetProperty("Resource")), r => Assert.Contains("/hf-translate-test-*", r, StringComparison.Ordinal));
        var byTag = stops.Single(s => s.GetProperty("Sid").GetString() == "StopJobsCreatedInThisDomain");
        var domain = byTag.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:ResourceTag/sagemaker:domain-arn").GetRawText();
        Assert.Contains(":domain/\",{\"Fn::GetAtt\":[\"Studio43727D10\",\"DomainId\"]}", domain, StringComparison.Ordinal);
        Assert.DoesNotContain(Policy("StudioUserRoleNotebookJobs"), s => Actions(s).Any(a => a.StartsWith("sagemaker:Stop", StringComparison.Ordinal)));
    }
}
