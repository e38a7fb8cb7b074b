using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace HfSageMaker.Constructs.Registry;

/// <summary>An existing group of the stack's account and region (<see cref="ModelPackageGroup.FromModelPackageGroupName"/>).</summary>
internal sealed class ImportedModelPackageGroup : Construct, IModelPackageGroup
{
    public ImportedModelPackageGroup(Construct scope, string id, string name) : base(scope, id)
    {
        ModelPackageGroupName = name;
        ModelPackageGroupArn = Stack.Of(this).FormatArn(new ArnComponents { Service = "sagemaker", Resource = "model-package-group", ResourceName = name });
        ModelPackagesArn = ModelPackageGroup.PackagesArn(this, name);
    }

    public string ModelPackageGroupName { get; }

    public string ModelPackageGroupArn { get; }

    public string ModelPackagesArn { get; }

    public Grant GrantRegister(IGrantable grantee, IReadOnlyCollection<ModelApprovalStatus> approvalStatuses) =>
        ModelPackageGroupGrants.Register(this, grantee, approvalStatuses);

    public Grant GrantRead(IGrantable grantee) => ModelPackageGroupGrants.Read(this, grantee);

    public Grant GrantApprove(IGrantable grantee) => ModelPackageGroupGrants.Approve(this, grantee);
}
