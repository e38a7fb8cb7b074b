using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Operations;
using Xunit;

namespace HfSageMaker.Tests.Operations;

public sealed class TrainingCostConditionsFixture
{
    public JsonElement Template { get; }

    public TrainingCostConditionsFixture()
    {
        var stack = new Stack(new App(), "CostConditions");
        var role = new Role(stack, "PipelineRole", new RoleProps { AssumedBy = new ServicePrincipal("states.amazonaws.com") });
        var statement = new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CreateBoundedJobs",
            Actions = ["sagemaker:CreateTrainingJob"],
            Resources = ["arn:aws:sagemaker:eu-west-1:111111111111:training-job/hf-*"],
        });
        TrainingCostConditions.Apply(statement, ["ml.g5.2xlarge", "ml.g5.12xlarge"], Duration.Hours(24));
        role.AddToPolicy(statement);
        var tuning = new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CreateBoundedTuningJobs",
            Actions = ["sagemaker:CreateHyperParameterTuningJob"],
            Resources = ["arn:aws:sagemaker:eu-west-1:111111111111:hyper-parameter-tuning-job/hf-*"],
        });
        TrainingCostConditions.Apply(tuning, ["ml.g5.2xlarge", "ml.g5.12xlarge"], Duration.Hours(24));
        role.AddToPolicy(tuning);
        Template = TemplateJson.Parse(Amazon.CDK.Assertions.Template.FromStack(stack));
    }
}

public class TrainingCostConditionsTests(TrainingCostConditionsFixture fixture) : IClassFixture<TrainingCostConditionsFixture>
{
    private JsonElement Condition(string sid = "CreateBoundedJobs")
    {
        var policy = TemplateJson.OfType(fixture.Template, "AWS::IAM::Policy").Single().Resource;
        var statement = policy.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement")
            .EnumerateArray().Single(s => s.GetProperty("Sid").GetString() == sid);
        return statement.GetProperty("Condition");
    }

    /// <summary>
    /// Which field feeds sagemaker:MaxRuntimeInSeconds for CreateHyperParameterTuningJob is not documented; only an
    /// IfExists operator holds when the key is absent (IAM condition operators reference, "...IfExists":
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists).
    /// The readings themselves are evaluated on the synthesized templates by @cloud-copilot/iam-simulate in tests/node/tuning-iam-readings.test.mjs.
    /// </summary>
    [Fact]
    public void Tuning_caps_the_run_time_only_if_the_key_exists_and_keeps_the_instance_type_conditions()
    {
        var condition = Condition("CreateBoundedTuningJobs");
        Assert.Equal("86400", condition.GetProperty("NumericLessThanEqualsIfExists").GetProperty("sagemaker:MaxRuntimeInSeconds").GetString());
        Assert.False(condition.TryGetProperty("NumericLessThanEquals", out _));
        Assert.Equal("false", condition.GetProperty("Null").GetProperty("sagemaker:InstanceTypes").GetString());
    }

    [Fact]
    public void Applying_to_one_statement_with_both_create_actions_is_rejected()
    {
        var statement = new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"],
            Resources = ["*"],
        });
        var ex = Assert.Throws<ArgumentException>(() => TrainingCostConditions.Apply(statement, ["ml.g5.xlarge"], Duration.Hours(1)));
        Assert.Contains("put sagemaker:CreateHyperParameterTuningJob in a statement of its own", ex.Message);
    }

    [Fact]
    public void Instance_types_are_a_set_condition_and_the_key_must_be_present()
    {
        var condition = Condition();
        var types = condition.GetProperty("ForAllValues:StringEquals").GetProperty("sagemaker:InstanceTypes")
            .EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(new[] { "ml.g5.2xlarge", "ml.g5.12xlarge" }, types);
        // ForAllValues matches an absent key: without the Null test a request without instance types would pass.
        Assert.Equal("false", condition.GetProperty("Null").GetProperty("sagemaker:InstanceTypes").GetString());
    }

    [Fact]
    public void Max_runtime_is_capped_in_seconds()
    {
        var condition = Condition();
        Assert.Equal("86400", condition.GetProperty("NumericLessThanEquals").GetProperty("sagemaker:MaxRuntimeInSeconds").GetString());
        Assert.Equal(3, condition.EnumerateObject().Count());
    }

    [Fact]
    public void Guarded_actions_are_the_training_and_tuning_create_calls()
    {
        Assert.Equal(new[] { "sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob" }, TrainingCostConditions.GuardedActions);
    }

    [Fact]
    public void Applying_to_a_statement_with_other_actions_is_rejected_naming_them()
    {
        var statement = new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"],
            Resources = ["*"],
        });
        var ex = Assert.Throws<ArgumentException>(() => TrainingCostConditions.Apply(statement, ["ml.g5.xlarge"], Duration.Hours(1)));
        Assert.Contains("sagemaker:DescribeTrainingJob", ex.Message);
        Assert.DoesNotContain("[sagemaker:CreateTrainingJob, sagemaker:DescribeTrainingJob]", ex.Message);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_message()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            TrainingCostConditions.For(["g5.2xlarge", "ml.p4d.24xlarge", "ml.p4d.24xlarge"], Duration.Days(29)));
        Assert.Contains("allowedInstanceTypes contains 'g5.2xlarge'", ex.Message);
        Assert.Contains("allowedInstanceTypes lists 'ml.p4d.24xlarge' 2 times", ex.Message);
        Assert.Contains("maxRuntime is 2505600 seconds; SageMaker allows 1 to 2419200 seconds", ex.Message);
    }

    [Fact]
    public void Empty_instance_types_and_fractional_seconds_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainingCostConditions.For([], Duration.Millis(1500)));
        Assert.Contains("allowedInstanceTypes is empty", ex.Message);
        Assert.Contains("maxRuntime is 1500 ms", ex.Message);
    }

    [Fact]
    public void The_28_day_limit_itself_is_allowed()
    {
        var conditions = TrainingCostConditions.For(["ml.g5.xlarge"], Duration.Days(28));
        var numeric = (IDictionary<string, object>)conditions["NumericLessThanEquals"];
        Assert.Equal("2419200", numeric["sagemaker:MaxRuntimeInSeconds"]);
    }
}
