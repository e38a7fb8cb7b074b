using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.SNS;
using HfSageMaker.Constructs.Operations;
using Xunit;

namespace HfSageMaker.Tests.Operations;

public sealed class CostGuardrailsFixture
{
    public JsonElement Json { get; }
    public string TopicId { get; }
    public string TaggedBudgetId { get; }
    public string AccountBudgetId { get; }

    public CostGuardrailsFixture()
    {
        var stack = new Stack(new App(), "Costs");
        var topic = new Topic(stack, "Topic");
        var tagged = new CostGuardrails(stack, "Tagged", new CostGuardrailsProps
        {
            NotificationTopic = topic,
            MonthlyLimitUsd = 250.5m,
            AlertThresholdsPercent = [100, 50, 80],
            CostAllocationTag = new CostAllocationTag("environment", "dev"),
        });
        var account = new CostGuardrails(stack, "Account", new CostGuardrailsProps
        {
            NotificationTopic = topic,
            MonthlyLimitUsd = 1000,
            AlertThresholdsPercent = [90],
            AlertOnForecast = false,
            BudgetName = "hf-sagemaker-prod",
        });
        Json = TemplateJson.Parse(Template.FromStack(stack));
        TopicId = stack.GetLogicalId((CfnElement)topic.Node.DefaultChild!);
        TaggedBudgetId = stack.GetLogicalId(tagged.Budget);
        AccountBudgetId = stack.GetLogicalId(account.Budget);
    }

    public JsonElement Properties(string logicalId) => Json.GetProperty("Resources").GetProperty(logicalId).GetProperty("Properties");
}

public class CostGuardrailsTests(CostGuardrailsFixture f) : IClassFixture<CostGuardrailsFixture>
{
    [Fact]
    public void Budget_is_a_monthly_cost_budget_in_dollars()
    {
        var budget = f.Properties(f.TaggedBudgetId).GetProperty("Budget");
        Assert.Equal("COST", budget.GetProperty("BudgetType").GetString());
        Assert.Equal("MONTHLY", budget.GetProperty("TimeUnit").GetString());
        Assert.Equal(250.5, budget.GetProperty("BudgetLimit").GetProperty("Amount").GetDouble());
        Assert.Equal("USD", budget.GetProperty("BudgetLimit").GetProperty("Unit").GetString());
        Assert.False(budget.TryGetProperty("BudgetName", out _)); // no physical name unless asked
    }

    [Fact]
    public void Each_threshold_alerts_on_actual_spend_and_the_forecast_alerts_at_100_percent()
    {
        var notifications = f.Properties(f.TaggedBudgetId).GetProperty("NotificationsWithSubscribers").EnumerateArray()
            .Select(n => n.GetProperty("Notification"))
            .Select(n => (Type: n.GetProperty("NotificationType").GetString(), Threshold: n.GetProperty("Threshold").GetDouble(),
                Op: n.GetProperty("ComparisonOperator").GetString(), Kind: n.GetProperty("ThresholdType").GetString()))
            .ToArray();
        Assert.Equal(new[] { ("ACTUAL", 50.0), ("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0) },
            notifications.Select(n => (n.Type!, n.Threshold)).ToArray());
        Assert.All(notifications, n => { Assert.Equal("GREATER_THAN", n.Op); Assert.Equal("PERCENTAGE", n.Kind); });
    }

    [Fact]
    public void Every_notification_goes_to_the_topic()
    {
        var subscribers = f.Properties(f.TaggedBudgetId).GetProperty("NotificationsWithSubscribers").EnumerateArray()
            .Select(n => n.GetProperty("Subscribers").EnumerateArray().Single()).ToArray();
        Assert.Equal(4, subscribers.Length);
        Assert.All(subscribers, s =>
        {
            Assert.Equal("SNS", s.GetProperty("SubscriptionType").GetString());
            Assert.Equal(f.TopicId, s.GetProperty("Address").GetProperty("Ref").GetString());
        });
    }

    [Fact]
    public void A_cost_allocation_tag_scopes_the_budget_to_the_environment()
    {
        var filter = f.Properties(f.TaggedBudgetId).GetProperty("Budget").GetProperty("CostFilters").GetProperty("TagKeyValue");
        Assert.Equal(new[] { "user:environment$dev" }, filter.EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [Fact]
    public void Without_a_tag_the_budget_covers_the_account_and_the_forecast_alert_can_be_turned_off()
    {
        var props = f.Properties(f.AccountBudgetId);
        Assert.False(props.GetProperty("Budget").TryGetProperty("CostFilters", out _));
        Assert.Equal("hf-sagemaker-prod", props.GetProperty("Budget").GetProperty("BudgetName").GetString());
        var types = props.GetProperty("NotificationsWithSubscribers").EnumerateArray()
            .Select(n => n.GetProperty("Notification").GetProperty("NotificationType").GetString()).ToArray();
        Assert.Equal(new[] { "ACTUAL" }, types);
    }

    public static TheoryData<decimal, int[], string> InvalidBudgets => new()
    {
        { 0m, [50], "MonthlyLimitUsd is 0; give a monthly limit greater than 0" },
        { -5m, [50], "MonthlyLimitUsd is -5" },
        { 100m, [], "AlertThresholdsPercent is empty" },
        { 100m, [0, 50], "AlertThresholdsPercent contains 0; each threshold must be 1 to 1000" },
        { 100m, [50, 1001], "AlertThresholdsPercent contains 1001" },
        { 100m, [80, 80], "AlertThresholdsPercent lists 80 2 times" },
        { 100m, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], "= 11 notifications; AWS Budgets allows at most 10" },
    };

    [Theory]
    [MemberData(nameof(InvalidBudgets))]
    public void Invalid_limits_and_thresholds_are_rejected_with_the_value_and_the_rule(decimal limit, int[] thresholds, string expected)
    {
        var stack = new Stack(new App(), "Bad");
        var ex = Assert.Throws<ArgumentException>(() => new CostGuardrails(stack, "C", new CostGuardrailsProps
        {
            NotificationTopic = new Topic(stack, "T"),
            MonthlyLimitUsd = limit,
            AlertThresholdsPercent = thresholds,
        }));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("Invalid CostGuardrailsProps", ex.Message);
    }

    [Fact]
    public void A_reserved_or_malformed_tag_is_rejected()
    {
        var stack = new Stack(new App(), "BadTag");
        var ex = Assert.Throws<ArgumentException>(() => new CostGuardrails(stack, "C", new CostGuardrailsProps
        {
            NotificationTopic = new Topic(stack, "T"),
            MonthlyLimitUsd = 10,
            AlertThresholdsPercent = [100],
            CostAllocationTag = new CostAllocationTag("aws:createdBy", "a$b"),
        }));
        Assert.Contains("CostAllocationTag.Key is 'aws:createdBy'", ex.Message);
        Assert.Contains("CostAllocationTag.Value is 'a$b'", ex.Message);
    }
}
