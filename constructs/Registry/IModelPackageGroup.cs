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
    /// (<c>ListModelPackageGroups</c> and <c>ListModelPackages</c> support no resource-level permissions: <c>*</c>).
    /// </summary>
    /// <returns>The grant.</returns>
    Grant GrantRead(IGrantable grantee);

    /// <summary>
    /// Lets <paramref name="grantee"/> approve or reject the group's versions (<c>sagemaker:UpdateModelPackage</c> on
    /// them), and read them as <see cref="GrantRead"/> does.
    /// </summary>
    /// <returns>The grant.</returns>
    Grant GrantApprove(IGrantable grantee);
}
