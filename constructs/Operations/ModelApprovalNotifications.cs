using Amazon.CDK.AWS.Events;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// Tells the notification topic when a model version of the platform's groups is approved or rejected: one EventBridge
/// rule (construct id <c>Rule</c>) on SageMaker's <c>SageMaker Model Package State Change</c> events of those groups
/// whose <c>ModelPackageStatus</c> is <c>Completed</c> and whose <c>ModelApprovalStatus</c> is <c>Approved</c> or
/// <c>Rejected</c>, sent as a readable message (group, version, approval status, account, region, time, approval
/// description, ARN).
/// </summary>
/// <remarks>
/// SageMaker sends the event on every change of a version's status (SageMaker Developer Guide, "Events that Amazon
/// SageMaker AI sends to Amazon EventBridge", SageMaker model package state change:
/// https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html#eventbridge-model-package),
/// and each carries the version's approval status: a version registered as <c>Approved</c> passes through
/// <c>Pending</c> and <c>InProgress</c> before <c>Completed</c> (<c>ModelPackageStatus</c> in the API model), and an
/// approved version being deleted is <c>Deleting</c>; only <c>Completed</c> versions are notified, so those are not
/// told as approvals. The same guide notes that SageMaker may send more than one event for one change, so a
/// subscriber can still receive a message twice.
/// </remarks>
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
                    // Not the intermediate statuses of a new version, nor a version being deleted (see remarks).
                    ["ModelPackageStatus"] = new[] { "Completed" },
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
