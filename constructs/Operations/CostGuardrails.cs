using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.Budgets;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// A monthly AWS Budgets cost budget for one environment that alerts the notification topic at each threshold of
/// actual spend and when the month's forecast exceeds the limit, so nobody learns about a forgotten notebook or a runaway
/// training job from the invoice.
/// </summary>
/// <remarks>
/// A budget alerts, it does not stop anything; the hard limits are the IAM conditions of
/// <see cref="TrainingCostConditions"/> and Studio idle shutdown. Budgets evaluates spend a few times a day, so an alert
/// can arrive hours after the threshold is crossed.
/// </remarks>
public sealed class CostGuardrails : Construct
{
    /// <summary>The most notifications AWS Budgets allows on one budget.</summary>
    public const int MaxNotificationsPerBudget = 10;

    /// <summary>The budget resource.</summary>
    public CfnBudget Budget { get; }

    /// <summary>Creates the budget and its notifications.</summary>
    /// <exception cref="ArgumentException">The limit, thresholds, tag or name are invalid; every problem in one message.</exception>
    public CostGuardrails(Construct scope, string id, CostGuardrailsProps props) : base(scope, id)
    {
        Validate(this, props);

        var subscriber = new CfnBudget.SubscriberProperty { SubscriptionType = "SNS", Address = props.NotificationTopic.TopicArn };
        var notifications = props.AlertThresholdsPercent
            .OrderBy(t => t)
            .Select(t => Notification("ACTUAL", t, subscriber))
            .ToList();
        if (props.AlertOnForecast)
            notifications.Add(Notification("FORECASTED", 100, subscriber));

        Budget = new CfnBudget(this, "Resource", new CfnBudgetProps
        {
            Budget = new CfnBudget.BudgetDataProperty
            {
                BudgetName = props.BudgetName,
                BudgetType = "COST",
                TimeUnit = "MONTHLY",
                BudgetLimit = new CfnBudget.SpendProperty
                {
                    Amount = (double)props.MonthlyLimitUsd,
                    Unit = "USD",
                },
                CostFilters = props.CostAllocationTag is { } tag
                    ? new Dictionary<string, object> { ["TagKeyValue"] = new[] { $"user:{tag.Key}${tag.Value}" } }
                    : null,
            },
            NotificationsWithSubscribers = notifications.ToArray(),
        });
        // AWS Budgets checks at creation that it may publish to the topic, but the budget only references the topic's
        // ARN, so CloudFormation could create it before the topic policy that allows budgets.amazonaws.com: depend on
        // that policy (the L2 topic's "Policy" child, there once a statement was added, as PlatformNotifications does
        // before this construct exists). An imported topic has no policy here: its owner grants the publish.
        if (props.NotificationTopic.Node.TryFindChild("Policy") is { } topicPolicy)
            Budget.Node.AddDependency(topicPolicy);
    }

    private static CfnBudget.NotificationWithSubscribersProperty Notification(string type, int threshold, CfnBudget.SubscriberProperty subscriber) =>
        new()
        {
            Notification = new CfnBudget.NotificationProperty
            {
                NotificationType = type,
                ComparisonOperator = "GREATER_THAN",
                Threshold = threshold,
                ThresholdType = "PERCENTAGE",
            },
            Subscribers = new object[] { subscriber },
        };

    private static void Validate(IConstruct scope, CostGuardrailsProps props)
    {
        var problems = new List<string>();
        if (props.NotificationTopic is null)
            problems.Add("NotificationTopic is null; pass the topic of PlatformNotifications.");
        if (props.MonthlyLimitUsd <= 0)
            problems.Add($"MonthlyLimitUsd is {props.MonthlyLimitUsd.ToString(CultureInfo.InvariantCulture)}; give a monthly limit greater than 0 US dollars.");
        var thresholds = props.AlertThresholdsPercent ?? [];
        if (thresholds.Count == 0)
            problems.Add("AlertThresholdsPercent is empty; give at least one percentage, e.g. [50, 80, 100].");
        foreach (var t in thresholds.Where(t => t < 1 || t > 1000))
            problems.Add($"AlertThresholdsPercent contains {t}; each threshold must be 1 to 1000 percent of the limit.");
        foreach (var d in thresholds.GroupBy(t => t).Where(g => g.Count() > 1))
            problems.Add($"AlertThresholdsPercent lists {d.Key} {d.Count()} times; list each threshold once.");
        var total = thresholds.Count + (props.AlertOnForecast ? 1 : 0);
        if (total > MaxNotificationsPerBudget)
            problems.Add($"AlertThresholdsPercent has {thresholds.Count} thresholds{(props.AlertOnForecast ? " plus the forecast alert" : "")} = {total} notifications; AWS Budgets allows at most {MaxNotificationsPerBudget} per budget.");
        if (props.CostAllocationTag is { } tag)
        {
            if (string.IsNullOrWhiteSpace(tag.Key) || tag.Key.Length > 128 || tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                problems.Add($"CostAllocationTag.Key is '{tag.Key}'; give a user-defined tag key (1 to 128 characters, not starting with 'aws:').");
            if (tag.Value is null || tag.Value.Length > 256 || tag.Value.Contains('$'))
                problems.Add($"CostAllocationTag.Value is '{tag.Value}'; give a tag value of at most 256 characters without '$'.");
        }
        if (props.BudgetName is { } name && !CdkTokens.IsUnresolved(name)
            && (name.Length is < 1 or > 100 || name.Contains(':') || name.Contains('\\')))
            problems.Add($"BudgetName is '{name}'; give 1 to 100 characters without ':' or '\\'.");
        PropsValidation.ThrowIfAny(scope, nameof(CostGuardrailsProps), problems);
    }
}
