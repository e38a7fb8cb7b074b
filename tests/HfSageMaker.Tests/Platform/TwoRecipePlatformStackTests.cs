using System.Text.Json;
using Amazon.CDK.Assertions;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>
/// An environment deploying both recipes (translation under the training section, llm-sft with its own types),
/// synthesized once, next to the same environment deploying translation alone.
/// </summary>
public sealed class TwoRecipeStackFixture
{
    internal static EnvironmentConfig Config()
    {
        var single = PlatformFixtures.Config();
        return single with
        {
            Recipes =
            [
                new RecipeConfig { Name = "translation", Training = single.Training },
                new RecipeConfig
                {
                    Name = "llm-sft",
                    Training = single.Training with
                    {
                        AllowedInstanceTypes = ["ml.g5.2xlarge", "ml.g5.12xlarge"],
                        DefaultInstanceType = "ml.g5.2xlarge",
                        MaxInstanceCount = 1,
                    },
                },
            ],
        };
    }

    internal TrainingPlatformStack Stack { get; }
    internal Template Template { get; }
    internal Template TranslationOnly { get; }

    public TwoRecipeStackFixture()
    {
        (Stack, Template, _) = PlatformFixtures.Synth(Config());
        (_, TranslationOnly, _) = PlatformFixtures.Synth(PlatformFixtures.Config());
    }
}

[Collection(PlatformCollection.Name)]
public sealed class TwoRecipePlatformStackTests(TwoRecipeStackFixture fixture) : IClassFixture<TwoRecipeStackFixture>
{
    private Template T => fixture.Template;

    // Logical ids of the translation pipeline's resources before recipes existed: the HfSageMaker-dev template
    // synthesized from main at a637444 (before this change), not computed by this code.
    private const string TranslationStateMachine = "TranslationPipeline2F26379E";
    private const string TranslationLogs = "TranslationPipelineLogs1CF9DCFB";
    private const string TranslationPrepareLogs = "TranslationPipelinePrepareRequestLogs3A5F06F9";
    private const string TranslationRole = "TranslationPipelineRole9DB4D335";

    private static string StateMachineOf(Template t, string prefix) =>
        Resources(t, "AWS::StepFunctions::StateMachine").Keys.Single(k => k.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void Each_recipe_gets_its_own_state_machine_and_translation_keeps_its_logical_ids()
    {
        var machines = Resources(T, "AWS::StepFunctions::StateMachine").Keys.Order().ToList();
        Assert.Equal(2, machines.Count);
        Assert.Equal(TranslationStateMachine, StateMachineOf(T, "TranslationPipeline"));
        Assert.StartsWith("LlmSftPipeline", StateMachineOf(T, "LlmSftPipeline"), StringComparison.Ordinal);
        Assert.Contains(TranslationLogs, Resources(T, "AWS::Logs::LogGroup").Keys);
        Assert.Contains(TranslationPrepareLogs, Resources(T, "AWS::Logs::LogGroup").Keys);
        Assert.Contains(TranslationRole, Resources(T, "AWS::IAM::Role").Keys);
        Assert.Equal(["llm-sft", "translation"], fixture.Stack.Pipelines.Keys.Order());
    }

    [Fact]
    public void Every_resource_of_the_translation_only_stack_is_still_there_with_the_same_type()
    {
        var two = JsonSerializer.SerializeToElement(T.ToJSON()).GetProperty("Resources");
        var one = JsonSerializer.SerializeToElement(fixture.TranslationOnly.ToJSON()).GetProperty("Resources");
        Assert.True(one.EnumerateObject().Count() > 50);
        foreach (var resource in one.EnumerateObject())
        {
            Assert.True(two.TryGetProperty(resource.Name, out var kept), $"{resource.Name} is gone (it would be replaced or deleted)");
            Assert.Equal(resource.Value.GetProperty("Type").GetString(), kept.GetProperty("Type").GetString());
        }
    }

    [Theory]
    [InlineData("TranslationPipelineRole", "hf-translate-test-*", "hf-llmsft-")]
    [InlineData("LlmSftPipelineRole", "hf-llmsft-test-*", "hf-translate-")]
    public void Each_pipeline_role_is_scoped_to_its_own_job_prefix(string rolePrefix, string own, string other)
    {
        var statements = Statements(T, rolePrefix);
        var jobStatements = statements.Where(s => Actions(s).Any(a => a is "sagemaker:CreateTrainingJob" or "sagemaker:CreateHyperParameterTuningJob")).ToList();
        Assert.NotEmpty(jobStatements);
        Assert.All(jobStatements, s => Assert.Contains(own, s.GetProperty("Resource").GetRawText(), StringComparison.Ordinal));
        Assert.All(statements, s => Assert.DoesNotContain(other, s.GetRawText(), StringComparison.Ordinal));
    }

    [Fact]
    public void Studio_users_may_start_and_stop_executions_of_every_recipes_state_machine()
    {
        var start = Statements(T, "StudioUserRole").Where(s => Actions(s).Contains("states:StartExecution")).ToList();
        var text = string.Join("\n", start.Select(s => s.GetProperty("Resource").GetRawText()));
        Assert.Contains(StateMachineOf(T, "TranslationPipeline"), text, StringComparison.Ordinal);
        Assert.Contains(StateMachineOf(T, "LlmSftPipeline"), text, StringComparison.Ordinal);
        var stop = string.Join("\n", Statements(T, "StudioUserRole").Where(s => Actions(s).Contains("states:StopExecution")).Select(s => s.GetRawText()));
        Assert.Contains("LlmSftPipeline", stop, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_recipe_has_a_state_machine_output_a_dashboard_alarms_and_job_rules_for_its_prefix()
    {
        T.HasOutput("TranslationStateMachineArn", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Value"] = new Dictionary<string, object> { ["Ref"] = StateMachineOf(T, "TranslationPipeline") },
        }));
        T.HasOutput("LlmSftStateMachineArn", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Value"] = new Dictionary<string, object> { ["Ref"] = StateMachineOf(T, "LlmSftPipeline") },
            ["Description"] = Match.StringLikeRegexp("examples/llm-sft/train\\.json"),
        }));
        Assert.Equal(2, Resources(T, "AWS::CloudWatch::Dashboard").Count);
        Assert.Contains(Resources(T, "AWS::CloudWatch::Dashboard").Keys, k => k.StartsWith("MonitoringDashboard", StringComparison.Ordinal));
        Assert.Contains(Resources(T, "AWS::CloudWatch::Dashboard").Keys, k => k.StartsWith("LlmSftMonitoringDashboard", StringComparison.Ordinal));
        var rules = Resources(T, "AWS::Events::Rule").Where(kv => kv.Key.StartsWith("LlmSftMonitoring", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rules.Count);
        Assert.All(rules, r => Assert.Contains("{\"prefix\":\"hf-llmsft-test-\"}", r.Value.GetProperty("Properties").GetProperty("EventPattern").GetRawText(), StringComparison.Ordinal));
        var alarms = Resources(T, "AWS::CloudWatch::Alarm").Keys.Where(k => k.StartsWith("LlmSftMonitoring", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, alarms.Count);
    }

    [Fact]
    public void Each_pipelines_jobs_carry_their_recipe_tag_and_its_resources_no_extra_tag()
    {
        static string RecipeTag(System.Text.Json.Nodes.JsonObject request) => request["Tags"]!.AsArray()
            .Single(t => t!["Key"]!.GetValue<string>() == "recipe")!["Value"]!.GetValue<string>();

        Assert.Equal("translation", RecipeTag(fixture.Stack.Pipelines["translation"].DefaultTrainingRequest));
        Assert.Equal("llm-sft", RecipeTag(fixture.Stack.Pipelines["llm-sft"].DefaultTrainingRequest));
        var machine = Resources(T, "AWS::StepFunctions::StateMachine")[StateMachineOf(T, "LlmSftPipeline")];
        Assert.DoesNotContain("\"Key\":\"recipe\"", machine.GetProperty("Properties").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_llm_pipeline_sends_the_recipes_dlc_and_torchrun_because_a_four_gpu_type_is_allowed()
    {
        var definition = fixture.Stack.Pipelines["llm-sft"].DefaultTrainingRequest;
        var hyperparameters = definition["HyperParameters"]!.AsObject();
        Assert.Equal("true", hyperparameters["sagemaker_torch_distributed_enabled"]!.GetValue<string>());
        Assert.Equal("\"ml.g5.2xlarge\"", hyperparameters["sagemaker_instance_type"]!.GetValue<string>());
        Assert.Contains("huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04",
            definition["AlgorithmSpecification"]!["TrainingImage"]!.ToJsonString(), StringComparison.Ordinal);
        var translation = fixture.Stack.Pipelines["translation"].DefaultTrainingRequest["HyperParameters"]!.AsObject();
        Assert.False(translation.ContainsKey("sagemaker_torch_distributed_enabled"));
    }
}
