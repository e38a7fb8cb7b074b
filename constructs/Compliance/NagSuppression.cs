namespace HfSageMaker.Constructs.Compliance;

/// <summary>
/// One cdk-nag finding that a resource deliberately accepts, with the evidence for why it is safe.
/// </summary>
/// <param name="Id">The rule id, e.g. <c>AwsSolutions-IAM5</c>.</param>
/// <param name="Reason">Why the finding does not apply here; must give evidence (at least 20 characters).</param>
/// <param name="AppliesTo">
/// For rules that report individual findings (IAM4, IAM5): the exact findings suppressed, e.g.
/// <c>Resource::*</c> or <c>Action::s3:GetObject*</c>. Required for <c>AwsSolutions-IAM5</c>.
/// </param>
public sealed record NagSuppression(string Id, string Reason, IReadOnlyList<string>? AppliesTo = null);
