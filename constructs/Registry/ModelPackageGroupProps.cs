using Amazon.CDK;

namespace HfSageMaker.Constructs.Registry;

/// <summary>Properties of <see cref="ModelPackageGroup"/>; every one has a default.</summary>
public sealed record ModelPackageGroupProps
{
    /// <summary>
    /// The group's name, 1 to 63 characters <c>[a-zA-Z0-9](-*[a-zA-Z0-9])*</c> (the name and the description cannot
    /// change without replacing the group, which CloudFormation cannot do for a named resource). Default:
    /// <see cref="ModelPackageGroup.NameUniqueToStack"/> of the construct's unique name: a name no other stack and no
    /// earlier creation of this stack used, so a stack deleted while its group was retained can be created again.
    /// </summary>
    public string? ModelPackageGroupName { get; init; }

    /// <summary>The group's description, at most 1024 characters. Default: none.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// What happens to the group (and so its versions) when the stack is deleted or the group replaced. Default:
    /// <see cref="RemovalPolicy.RETAIN"/>. With <see cref="RemovalPolicy.DESTROY"/>, delete the group's versions first
    /// (<c>aws sagemaker delete-model-package</c>), as the buckets are emptied first.
    /// </summary>
    public RemovalPolicy? RemovalPolicy { get; init; }
}
