using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Registry;

/// <summary>
/// Lets people approve or reject model versions: one customer managed policy (construct id <c>Resource</c>) attached to
/// the given roles, with <c>sagemaker:UpdateModelPackage</c> on the given groups' versions only
/// (<c>model-package/&lt;group&gt;/*</c>), and what reviewing takes: describing those groups and versions and listing
/// (<see cref="IModelPackageGroup.GrantApprove"/>'s statements, in a managed policy so that roles imported by ARN get
/// no inline policy).
/// </summary>
public sealed class ModelApprovers : Construct
{
    /// <summary>The most roles the policy is attached to: one approvers' role for many people keeps it reviewable.</summary>
    public const int MaxRoles = 10;

    /// <summary>The policy.</summary>
    public ManagedPolicy Policy { get; }

    /// <summary>Creates the policy.</summary>
    /// <exception cref="ArgumentException">No group, no role or too many roles; every problem in one message.</exception>
    public ModelApprovers(Construct scope, string id, ModelApproversProps props) : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var validation = new PropsValidation(this, nameof(ModelApproversProps));
        validation.Require(props.ModelPackageGroups is { Count: > 0 }, nameof(props.ModelPackageGroups), props.ModelPackageGroups?.Count,
            "give the groups whose versions the roles may approve (one or more).");
        validation.Require(props.Roles is { Count: > 0 and <= MaxRoles }, nameof(props.Roles), props.Roles?.Count,
            $"give 1 to {MaxRoles} roles (one approvers' role for many people keeps the policy reviewable).");
        validation.ThrowIfAny();

        var groups = props.ModelPackageGroups!;
        var versions = groups.Select(g => g.ModelPackagesArn).ToArray();
        Policy = new ManagedPolicy(this, "Resource", new ManagedPolicyProps
        {
            Description = "Approve or reject the platform's model versions, and review them",
            Roles = [.. props.Roles!],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ApproveModelVersions",
                    Actions = [ModelPackageGroupGrants.UpdateAction],
                    Resources = versions,
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReviewModelVersions",
                    Actions = ModelPackageGroupGrants.DescribeActions,
                    Resources = [.. groups.Select(g => g.ModelPackageGroupArn), .. versions],
                }),
                // ListModelPackageGroups and ListModelPackages support no resource-level permissions: '*'.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ListModelVersions",
                    Actions = ModelPackageGroupGrants.ListActions,
                    Resources = ["*"],
                }),
            ],
        });
        NagSuppressions.Add(Policy, new NagSuppression("AwsSolutions-IAM5",
            "Model package versions are numbered by SageMaker (model-package/<group>/<version>), so approving and describing the versions of the named groups names '<group>/*'; sagemaker:ListModelPackageGroups and ListModelPackages support no resource-level permissions (Service Authorization Reference), hence '*'; they only list.",
            ["Resource::*", .. versions.Select(v => NagFindings.Resource(this, v))]));
    }
}
