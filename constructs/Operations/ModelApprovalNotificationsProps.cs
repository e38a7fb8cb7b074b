using Amazon.CDK.AWS.SNS;
using HfSageMaker.Constructs.Registry;

namespace HfSageMaker.Constructs.Operations;

/// <summary>Properties of <see cref="ModelApprovalNotifications"/>.</summary>
public sealed record ModelApprovalNotificationsProps
{
    /// <summary>The groups whose versions' approvals and rejections are notified, 1 or more.</summary>
    public required IReadOnlyList<IModelPackageGroup> ModelPackageGroups { get; init; }

    /// <summary>The topic the messages go to. EventBridge must be allowed to publish to it (and use its key):
    /// <see cref="PlatformNotifications"/>' topic is.</summary>
    public required ITopic Topic { get; init; }
}
