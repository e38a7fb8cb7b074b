using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Security;

namespace HfSageMaker.Constructs.Registry;

/// <summary>The grants of <see cref="IModelPackageGroup"/>, shared by the created and the imported group.</summary>
internal static class ModelPackageGroupGrants
{
    /// <summary>What reading a group takes: describe the group and its versions (and list them, below).</summary>
    public static readonly string[] DescribeActions = ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage"];

    /// <summary>Listing: no resource-level permissions (Service Authorization Reference: ListModelPackageGroups names no
    /// resource type; ListModelPackages' is optional and a list request names no package; SageMaker Developer Guide, "API
    /// permissions reference": List calls other than ListTags take no resource-level restrictions), so <c>*</c>.</summary>
    public static readonly string[] ListActions = ["sagemaker:ListModelPackageGroups", "sagemaker:ListModelPackages"];

    /// <summary>Approving or rejecting a version.</summary>
    public const string UpdateAction = "sagemaker:UpdateModelPackage";

    /// <summary>Why <see cref="Read"/>'s wildcards are safe (the cdk-nag AwsSolutions-IAM5 suppression it writes).</summary>
    public const string ReadReason =
        "Model package versions are numbered by SageMaker (model-package/<group>/<version>), so describing the versions of one group names "
        + "'<group>/*'; sagemaker:ListModelPackageGroups and ListModelPackages take no resource-level restriction (Service Authorization "
        + "Reference: no resource type, or an optional one a list request never names; SageMaker Developer Guide, API permissions reference: "
        + "List calls), hence '*'; they only list.";

    /// <summary>Why <see cref="Approve"/>'s wildcard is safe.</summary>
    public const string ApproveReason =
        "Model package versions are numbered by SageMaker (model-package/<group>/<version>), so approving or rejecting the versions of one "
        + "group names '<group>/*'; sagemaker:UpdateModelPackage on them and nothing else.";

    public static Grant Register(IModelPackageGroup group, IGrantable grantee, IReadOnlyCollection<ModelApprovalStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(grantee);
        return Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = [SageMakerJobGuardrails.CreateModelPackage],
            // The action's one resource type is model-package (Service Authorization Reference): the new version's
            // ARN, model-package/<group>/<version>.
            ResourceArns = [group.ModelPackagesArn],
            Conditions = SageMakerJobGuardrails.RegisterModelConditions(statuses)
                .ToDictionary(kv => kv.Key, kv => (IDictionary<string, object>)kv.Value),
            Scope = group,
        });
    }

    public static Grant Read(IModelPackageGroup group, IGrantable grantee)
    {
        ArgumentNullException.ThrowIfNull(grantee);
        var describe = Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = DescribeActions,
            ResourceArns = [group.ModelPackageGroupArn, group.ModelPackagesArn],
            Scope = group,
        });
        var list = Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = ListActions,
            ResourceArns = ["*"],
            Scope = group,
        });
        var grant = describe.Combine(list);
        SuppressWildcards(grant, grantee, ReadReason, "*", group.ModelPackagesArn);
        return grant;
    }

    public static Grant Approve(IModelPackageGroup group, IGrantable grantee)
    {
        ArgumentNullException.ThrowIfNull(grantee);
        var update = Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = [UpdateAction],
            ResourceArns = [group.ModelPackagesArn],
            Scope = group,
        });
        SuppressWildcards(update, grantee, ApproveReason, group.ModelPackagesArn);
        return update.Combine(Read(group, grantee));
    }

    /// <summary>
    /// Writes an AwsSolutions-IAM5 suppression naming exactly <paramref name="wildcards"/> on the IAM policy the grant's
    /// statements went into, so that a consumer running cdk-nag 2.x sees the reason instead of an error: the policy the
    /// grant depends on (aws-cdk-lib's policy of an imported role), or the principal's <c>DefaultPolicy</c> (a role's,
    /// user's or group's, which aws-cdk-lib's grant does not name until synthesis). A grant that wrote no policy (an
    /// immutable imported role, a principal without policies) has nothing to suppress.
    /// </summary>
    private static void SuppressWildcards(Grant grant, IGrantable grantee, string reason, params string[] wildcards)
    {
        var candidates = Dependable.Of(grant).DependencyRoots.ToList();
        if (grantee.GrantPrincipal is IConstruct principal && principal.Node.TryFindChild("DefaultPolicy") is { } defaultPolicy)
            candidates.Add(defaultPolicy);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            var resource = candidate as CfnResource ?? candidate.Node.DefaultChild as CfnResource;
            if (resource?.CfnResourceType is not ("AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy") || !seen.Add(resource.Node.Path)) continue;
            NagSuppressions.Add(resource, new NagSuppression("AwsSolutions-IAM5", reason,
                [.. wildcards.Select(w => w == "*" ? "Resource::*" : NagFindings.Resource(resource, w))]));
        }
    }
}
