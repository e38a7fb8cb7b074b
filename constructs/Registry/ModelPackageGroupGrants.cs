using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Security;

namespace HfSageMaker.Constructs.Registry;

/// <summary>The grants of <see cref="IModelPackageGroup"/>, shared by the created and the imported group.</summary>
internal static class ModelPackageGroupGrants
{
    /// <summary>What reading a group takes: describe the group and its versions (and list them, below).</summary>
    public static readonly string[] DescribeActions = ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage"];

    /// <summary>Listing: no resource-level permissions (Service Authorization Reference: ListModelPackageGroups names no
    /// resource type; ListModelPackages' is optional and a list request names no package), so <c>*</c>.</summary>
    public static readonly string[] ListActions = ["sagemaker:ListModelPackageGroups", "sagemaker:ListModelPackages"];

    /// <summary>Approving or rejecting a version.</summary>
    public const string UpdateAction = "sagemaker:UpdateModelPackage";

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
        return Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = DescribeActions,
            ResourceArns = [group.ModelPackageGroupArn, group.ModelPackagesArn],
            Scope = group,
        }).Combine(Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = ListActions,
            ResourceArns = ["*"],
            Scope = group,
        }));
    }

    public static Grant Approve(IModelPackageGroup group, IGrantable grantee) =>
        Grant.AddToPrincipal(new GrantOnPrincipalOptions
        {
            Grantee = grantee,
            Actions = [UpdateAction],
            ResourceArns = [group.ModelPackagesArn],
            Scope = group,
        }).Combine(Read(group, grantee));
}
