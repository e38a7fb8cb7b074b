using Amazon.CDK.AWS.SNS;

namespace HfSageMaker.Constructs.Operations;

/// <summary>Properties of <see cref="CostGuardrails"/>.</summary>
public sealed record CostGuardrailsProps
{
    /// <summary>Topic that receives the budget alerts; its policy must let <c>budgets.amazonaws.com</c> publish
    /// (<see cref="PlatformNotifications"/> does).</summary>
    public required ITopic NotificationTopic { get; init; }

    /// <summary>Monthly cost budget in US dollars; greater than 0.</summary>
    public required decimal MonthlyLimitUsd { get; init; }

    /// <summary>Percentages of the limit (1 to 1000, each once) at which an alert on ACTUAL spend is sent.</summary>
    public required IReadOnlyList<int> AlertThresholdsPercent { get; init; }

    /// <summary>Also alert when the month's FORECASTED spend exceeds 100% of the limit. Default: true.</summary>
    public bool AlertOnForecast { get; init; } = true;

    /// <summary>
    /// Scopes the budget to resources carrying this cost allocation tag. Default: none, the budget counts every cost of
    /// the account (the right choice when each environment has its own account; use a tag when environments share one).
    /// </summary>
    public CostAllocationTag? CostAllocationTag { get; init; }

    /// <summary>Budget name, unique in the account. Default: CloudFormation generates one.</summary>
    public string? BudgetName { get; init; }
}
