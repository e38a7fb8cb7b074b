using Amazon.CDK.AWS.IAM;
using Constructs;

namespace HfSageMaker.Constructs.Registry;

/// <summary>
/// A SageMaker Model Registry model package group as other constructs and stacks use it: created by
/// <see cref="ModelPackageGroup"/>, or an existing one imported with <see cref="ModelPackageGroup.FromModelPackageGroupName"/>.
/// The pipeline and the roles take this interface. The grants are intent-named and scoped to this group: its ARN and
/// the ARNs of its versions, <c>model-package/&lt;group name&gt;/*</c> (AWS docs, "Set up discoverability", Model
/// Registry: the versions of a group are <c>model-package/&lt;group&gt;/&lt;version&gt;</c>).
/// </summary>
public interface IModelPackageGroup : IConstruct
{
    /// <summary>The group's name (<c>ModelPackageGroupName</c> of <c>CreateModelPackage</c>); may be a token.</summary>
    string ModelPackageGroupName { get; }

    /// <summary>The group's ARN, <c>arn:&lt;partition&gt;:sagemaker:&lt;region&gt;:&lt;account&gt;:model-package-group/&lt;name&gt;</c>.</summary>
    string ModelPackageGroupArn { get; }

    /// <summary>The ARN pattern of the group's versions, <c>arn:…:model-package/&lt;name&gt;/*</c>.</summary>
    string ModelPackagesArn { get; }

    /// <summary>
    /// Lets <paramref name="grantee"/> register versions in this group only (<c>sagemaker:CreateModelPackage</c> on the
    /// group's versions, <see cref="ModelPackagesArn"/>: the action's resource type is the new version), and only with one of <paramref name="approvalStatuses"/>
    /// (<c>sagemaker:ModelApprovalStatus</c>, which a request without a status does not satisfy): a pipeline that may
    /// not approve gets <see cref="ModelApprovalStatus.PendingManualApproval"/> only.
    /// </summary>
    /// <returns>The grant.</returns>
    Grant GrantRegister(IGrantable grantee, IReadOnlyCollection<ModelApprovalStatus> approvalStatuses);

    /// <summary>
    /// Lets <paramref name="grantee"/> list the account's groups and versions and describe this group and its versions
    /// (<c>model-package/&lt;group name&gt;/*</c>: SageMaker numbers the versions). <c>ListModelPackageGroups</c> and
    /// <c>ListModelPackages</c> take no resource-level restriction (Service Authorization Reference: no resource type,
    /// or an optional one a list request never names), so they are granted on <c>*</c>. The grant writes a cdk-nag
    /// <c>AwsSolutions-IAM5</c> suppression with that reason, naming exactly these two wildcards, on the IAM policy its
    /// statements go into (the grantee's default policy, or the policy aws-cdk-lib attaches to an imported role).
    /// </summary>
    /// <returns>The grant.</returns>
    Grant GrantRead(IGrantable grantee);

    /// <summary>
    /// Lets <paramref name="grantee"/> approve or reject the group's versions (<c>sagemaker:UpdateModelPackage</c> on
    /// <c>model-package/&lt;group name&gt;/*</c>), and read them as <see cref="GrantRead"/> does; like it, it writes the
    /// cdk-nag <c>AwsSolutions-IAM5</c> suppression for the versions' wildcard on the policy its statements go into.
    /// </summary>
    /// <returns>The grant.</returns>
    Grant GrantApprove(IGrantable grantee);
}
