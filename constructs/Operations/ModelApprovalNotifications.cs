using Amazon.CDK.AWS.Events;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// Tells the notification topic when a model version of the platform's groups is approved or rejected: one EventBridge
/// rule (construct id <c>Rule</c>) on SageMaker's <c>SageMaker Model Package State Change</c> events (AWS docs,
/// "Automating SageMaker AI with Amazon EventBridge") of those groups whose <c>ModelApprovalStatus</c> is
/// <c>Approved</c> or <c>Rejected</c>, sent as a readable message (group, version, status, ARN, who, when).
/// </summary>
public sealed class ModelApprovalNotifications : Construct
{
    /// <summary>The approval statuses that are notified (registration itself is notified by the pipeline).</summary>
    public static IReadOnlyList<string> NotifiedStatuses { get; } = ["Approved", "Rejected"];

    /// <summary>The rule.</summary>
    public Rule Rule { get; }

    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentException">No group or no topic.</exception>
    public ModelApprovalNotifications(Construct scope, string id, ModelApprovalNotificationsProps props) : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var validation = new PropsValidation(this, nameof(ModelApprovalNotificationsProps));
        validation.Require(props.ModelPackageGroups is { Count: > 0 }, nameof(props.ModelPackageGroups), props.ModelPackageGroups?.Count,
            "give the groups whose approvals are notified (one or more).");
        validation.Require(props.Topic is not null, nameof(props.Topic), null, "give the notification topic.");
        validation.ThrowIfAny();

        Rule = new Rule(this, "Rule", new RuleProps
        {
            Description = "Forwards approvals and rejections of the platform's model package versions to the notification topic.",
            EventPattern = new EventPattern
            {
                Source = ["aws.sagemaker"],
                DetailType = ["SageMaker Model Package State Change"],
                Detail = new Dictionary<string, object>
                {
                    ["ModelPackageGroupName"] = props.ModelPackageGroups!.Select(g => g.ModelPackageGroupName).ToArray(),
                    ["ModelApprovalStatus"] = NotifiedStatuses.ToArray(),
                },
            },
        });
        Rule.AddTarget(new TopicRuleTarget(props.Topic!, RuleTargetInput.FromText(
            $"Model package {EventField.FromPath("$.detail.ModelPackageGroupName")} version "
            + $"{EventField.FromPath("$.detail.ModelPackageVersion")} is {EventField.FromPath("$.detail.ModelApprovalStatus")} "
            + $"(account {EventField.Account}, region {EventField.Region}, {EventField.Time}). "
            + $"Approval description: {EventField.FromPath("$.detail.ApprovalDescription")}. "
            + $"Model package: {EventField.FromPath("$.detail.ModelPackageArn")}")));
    }
}
