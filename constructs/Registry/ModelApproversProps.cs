using Amazon.CDK.AWS.IAM;

namespace HfSageMaker.Constructs.Registry;

/// <summary>Properties of <see cref="ModelApprovers"/>.</summary>
public sealed record ModelApproversProps
{
    /// <summary>The groups whose versions the roles may approve or reject, 1 or more.</summary>
    public required IReadOnlyList<IModelPackageGroup> ModelPackageGroups { get; init; }

    /// <summary>The approvers' roles (e.g. <c>Role.FromRoleArn</c> of the people's roles), 1 to 10.</summary>
    public required IReadOnlyList<IRole> Roles { get; init; }
}
