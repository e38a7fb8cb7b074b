using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Compliance;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// Turns an aws-cdk-lib <see cref="Policy"/> (a role's <c>DefaultPolicy</c>, which every L2 grant writes to, or a policy
/// of our own) from an inline <c>AWS::IAM::Policy</c> into a customer managed <c>AWS::IAM::ManagedPolicy</c> attached to
/// the same role, with the same document. Why: inline policies are not versioned or reusable (cdk-nag
/// HIPAA.Security-IAMNoInlinePolicy, NIST.800.53.R5-IAMNoInlinePolicy), and all inline policies of a role share one
/// 10,240-character quota, while each managed policy has its own 6,144 (IAM and AWS STS quotas,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
/// </summary>
/// <remarks>
/// The <see cref="Policy"/> construct stays where it is: the managed policy becomes its child <c>Default</c> (its
/// default child, so suppressions added through the construct land on it), the inline resource <c>Resource</c> is
/// removed, and the shared <see cref="PolicyDocument"/> renders at synthesis, so statements that grants add later
/// are included. Whatever depends on the policy or the role (a function, a state machine, a grant's
/// <c>applyBefore</c>) depends on the construct and so on the managed policy. Effect on a deployed stack: a new
/// logical id (<c>&lt;Role&gt;DefaultPolicy&lt;hash&gt;</c> with the hash of the path without <c>Resource</c>); CloudFormation
/// creates and attaches the managed policy before it deletes the inline one, so the role never lacks a permission.
/// </remarks>
internal static class CustomerManagedPolicies
{
    /// <summary>The child id of the managed policy inside the <see cref="Policy"/> construct.</summary>
    public const string ChildId = "Default";

    /// <summary>
    /// Converts <paramref name="policy"/> (attached to <paramref name="role"/> only) as described on the class; a
    /// policy already converted is left as it is. Suppressions written on the inline resource move with it.
    /// </summary>
    /// <returns>The managed policy resource.</returns>
    public static CfnManagedPolicy Convert(Policy policy, IRole role)
    {
        if (policy.Node.TryFindChild(ChildId) is CfnManagedPolicy done) return done;
        var inline = policy.Node.TryFindChild("Resource") as CfnResource
            ?? throw new InvalidOperationException($"'{policy.Node.Path}' has no inline policy resource to convert.");
        var managed = new CfnManagedPolicy(policy, ChildId, new CfnManagedPolicyProps
        {
            PolicyDocument = policy.Document,
            Roles = [role.RoleName],
        });
        var suppressions = NagSuppressions.Read(inline);
        policy.Node.TryRemoveChild("Resource");
        if (suppressions.Count > 0) NagSuppressions.Add(managed, [.. suppressions]);
        return managed;
    }

    /// <summary>
    /// Converts the <c>DefaultPolicy</c> of <paramref name="role"/> (the aws-cdk-lib <see cref="Role"/> whose
    /// <c>AddToPrincipalPolicy</c> created it); nothing when the role has none yet.
    /// </summary>
    public static CfnManagedPolicy? ConvertDefaultPolicy(IRole role) =>
        role.Node.TryFindChild("DefaultPolicy") is Policy policy ? Convert(policy, role) : null;
}
