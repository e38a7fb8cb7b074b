namespace HfSageMaker.Constructs.Registry;

/// <summary>
/// The approval status a new model package version is registered with (<c>CreateModelPackage</c>'s
/// <c>ModelApprovalStatus</c>, the SDK's <c>approval_status</c>). <c>Rejected</c> is set by approvers only.
/// </summary>
public enum ModelApprovalStatus
{
    /// <summary>Waits for an approver (<c>UpdateModelPackage</c>); SageMaker's and the SDK's default.</summary>
    PendingManualApproval,

    /// <summary>Approved when registered: deployable at once (automatic approval, e.g. a dev environment).</summary>
    Approved,
}
