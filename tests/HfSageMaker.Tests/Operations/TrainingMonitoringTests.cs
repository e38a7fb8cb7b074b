using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.StepFunctions;
using HfSageMaker.Constructs.Operations;
using Xunit;

namespace HfSageMaker.Tests.Operations;

public sealed class TrainingMonitoringFixture
{
    public Template Template { get; }
    public JsonElement Json { get; }
    public string TopicId { get; }
    public string StateMachineId { get; }
    public string DashboardBody { get; }

    public TrainingMonitoringFixture()
    {
        var stack = new Stack(new App(), "Monitoring", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var topic = new Topic(stack, "Topic");
        var machine = new StateMachine(stack, "Machine", new StateMachineProps
        {
            DefinitionBody = DefinitionBody.FromChainable(new Pass(stack, "Start")),
        });
        new TrainingMonitoring(stack, "Monitoring", new TrainingMonitoringProps
        {
            StateMachine = machine,
            AlarmTopic = topic,
            MetricNames = ["train_loss", "eval_loss", "eval_bleu"],
            JobNamePrefix = "hf-dev",
        });
        Template = Template.FromStack(stack);
        Json = TemplateJson.Parse(Template);
        TopicId = stack.GetLogicalId((CfnElement)topic.Node.DefaultChild!);
        StateMachineId = stack.GetLogicalId((CfnElement)machine.Node.DefaultChild!);
        // The body is an Fn::Join of literals and references; flatten it, writing references as ${LogicalId}.
        var body = TemplateJson.OfType(Json, "AWS::CloudWatch::Dashboard").Single().Resource.GetProperty("Properties").GetProperty("DashboardBody");
        DashboardBody = string.Concat(body.GetProperty("Fn::Join")[1].EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String
            ? p.GetString()
            : "${" + (p.TryGetProperty("Ref", out var r) ? r.GetString() : p.ToString()) + "}"));
    }
}

public class TrainingMonitoringTests(TrainingMonitoringFixture f) : IClassFixture<TrainingMonitoringFixture>
{
    [Theory]
    [InlineData("ExecutionsFailed")]
    [InlineData("ExecutionsTimedOut")]
    public void An_alarm_fires_on_the_first_bad_execution_and_notifies_the_topic(string metric)
    {
        f.Template.HasResourceProperties("AWS::CloudWatch::Alarm", new Dictionary<string, object>
        {
            ["Namespace"] = "AWS/States",
            ["MetricName"] = metric,
            ["Dimensions"] = new object[] { new Dictionary<string, object> { ["Name"] = "StateMachineArn", ["Value"] = new Dictionary<string, object> { ["Ref"] = f.StateMachineId } } },
            ["Statistic"] = "Sum",
            ["Period"] = 300,
            ["Threshold"] = 1,
            ["EvaluationPeriods"] = 1,
            ["ComparisonOperator"] = "GreaterThanOrEqualToThreshold",
            ["TreatMissingData"] = "notBreaching",
            ["AlarmActions"] = new object[] { new Dictionary<string, object> { ["Ref"] = f.TopicId } },
        });
    }

    [Fact]
    public void Only_the_failed_and_timed_out_alarms_exist_and_none_has_a_physical_name()
    {
        var alarms = TemplateJson.OfType(f.Json, "AWS::CloudWatch::Alarm").ToArray();
        Assert.Equal(2, alarms.Length);
        Assert.All(alarms, a => Assert.False(a.Resource.GetProperty("Properties").TryGetProperty("AlarmName", out _)));
        var dashboard = TemplateJson.OfType(f.Json, "AWS::CloudWatch::Dashboard").Single().Resource.GetProperty("Properties");
        Assert.False(dashboard.TryGetProperty("DashboardName", out _));
    }

    [Theory]
    [InlineData("ExecutionsStarted")]
    [InlineData("ExecutionsSucceeded")]
    [InlineData("ExecutionsFailed")]
    [InlineData("ExecutionsTimedOut")]
    [InlineData("ExecutionsAborted")]
    public void Dashboard_graphs_each_execution_outcome_of_this_state_machine(string metric)
    {
        Assert.Contains($"[\"AWS/States\",\"{metric}\",\"StateMachineArn\",\"${{{f.StateMachineId}}}\"", f.DashboardBody);
    }

    [Theory]
    [InlineData("train_loss", "Average")]
    [InlineData("eval_loss", "Average")]
    [InlineData("eval_bleu", "Average")]
    [InlineData("GPUMemoryUtilization", "Maximum")]
    public void Dashboard_searches_training_job_metrics_by_host_for_the_platform_jobs(string metric, string statistic)
    {
        // SageMaker publishes metric-definition values to /aws/sagemaker/TrainingJobs with Host = <job>/algo-<n>.
        var expected = $"SEARCH('{{\\\"/aws/sagemaker/TrainingJobs\\\",Host}} MetricName=\\\"{metric}\\\" Host:\\\"hf-dev\\\"', '{statistic}', 300)";
        Assert.Contains(expected, f.DashboardBody);
    }

    [Theory]
    [InlineData("SageMaker Training Job State Change", "TrainingJobName", "TrainingJobStatus")]
    [InlineData("SageMaker HyperParameter Tuning Job State Change", "HyperParameterTuningJobName", "HyperParameterTuningJobStatus")]
    public void Terminal_job_state_changes_of_the_platform_jobs_are_forwarded(string detailType, string nameField, string statusField)
    {
        var rule = TemplateJson.OfType(f.Json, "AWS::Events::Rule").Select(r => r.Resource.GetProperty("Properties"))
            .Single(p => p.GetProperty("EventPattern").GetProperty("detail-type")[0].GetString() == detailType);
        var pattern = rule.GetProperty("EventPattern");
        Assert.Equal("aws.sagemaker", pattern.GetProperty("source")[0].GetString());
        // "<prefix>-" as IAM scopes the jobs: "hf-dev" must not match another pipeline's "hf-dev2-..." jobs.
        Assert.Equal("hf-dev-", pattern.GetProperty("detail").GetProperty(nameField)[0].GetProperty("prefix").GetString());
        // A tuning job's trials are reported once, through the tuning job's rule; plain training jobs carry no TuningJobArn.
        Assert.Equal(nameField == "TrainingJobName",
            pattern.GetProperty("detail").TryGetProperty("TuningJobArn", out var tuningArn) && !tuningArn[0].GetProperty("exists").GetBoolean());
        Assert.Equal(new[] { "Completed", "Failed", "Stopped" },
            pattern.GetProperty("detail").GetProperty(statusField).EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.Equal("ENABLED", rule.GetProperty("State").GetString());

        var target = rule.GetProperty("Targets").EnumerateArray().Single();
        Assert.Equal(f.TopicId, target.GetProperty("Arn").GetProperty("Ref").GetString());
        var transformer = target.GetProperty("InputTransformer");
        var paths = transformer.GetProperty("InputPathsMap").EnumerateObject().Select(p => p.Value.GetString()).ToHashSet();
        Assert.Contains($"$.detail.{nameField}", paths);
        Assert.Contains($"$.detail.{statusField}", paths);
        Assert.Contains("$.detail.FailureReason", paths);
        var template = transformer.GetProperty("InputTemplate").GetString()!;
        Assert.Contains("Failure reason: <", template);
        Assert.StartsWith("\"SageMaker ", template); // a text input is a JSON string: subscribers read a sentence
    }

    [Fact]
    public void Rule_targets_do_not_grant_unconditioned_publish_on_the_topic()
    {
        // PlatformNotifications grants events.amazonaws.com publish with aws:SourceAccount; the CDK SnsTopic target
        // would add a second, unconditioned grant.
        f.Template.ResourceCountIs("AWS::SNS::TopicPolicy", 0);
    }

    public static TheoryData<string, string[], string?, string> InvalidProps => new()
    {
        { "", ["eval_bleu"], null, "JobNamePrefix is ''" },
        { "hf_dev", ["eval_bleu"], null, "JobNamePrefix is 'hf_dev'; give 1 to 32 letters, digits or hyphens" },
        { new string('a', 33), ["eval_bleu"], null, "JobNamePrefix is 'aaaa" },
        { "hf-dev", ["eval bleu"], null, "MetricNames contains 'eval bleu'" },
        { "hf-dev", ["eval_bleu", "eval_bleu"], null, "MetricNames lists 'eval_bleu' 2 times" },
        { "hf-dev", [], "my dashboard", "DashboardName is 'my dashboard'" },
    };

    [Theory]
    [MemberData(nameof(InvalidProps))]
    public void Invalid_props_are_rejected_naming_the_prop_and_the_value(string prefix, string[] metrics, string? dashboardName, string expected)
    {
        var stack = new Stack(new App(), "Bad");
        var machine = new StateMachine(stack, "M", new StateMachineProps { DefinitionBody = DefinitionBody.FromChainable(new Pass(stack, "P")) });
        var ex = Assert.Throws<ArgumentException>(() => new TrainingMonitoring(stack, "Mon", new TrainingMonitoringProps
        {
            StateMachine = machine,
            AlarmTopic = new Topic(stack, "T"),
            MetricNames = metrics,
            JobNamePrefix = prefix,
            DashboardName = dashboardName,
        }));
        Assert.Contains(expected, ex.Message);
    }
}
