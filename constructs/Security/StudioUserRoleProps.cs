using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Storage;

namespace HfSageMaker.Constructs.Security;

/// <summary>Properties of <see cref="StudioUserRole"/>.</summary>
public sealed record StudioUserRoleProps
{
    /// <summary>
    /// The platform buckets: the role may read and upload (put, not delete) datasets and read model artifacts; nothing
    /// on checkpoints. A <see cref="TrainingBuckets"/>, or existing buckets from <see cref="TrainingBuckets.FromAttributes"/>.
    /// </summary>
    public required ITrainingBuckets Buckets { get; init; }

    /// <summary>
    /// The VPC of the <c>VpcOnly</c> Studio domain. When set, the role gets the EC2 network-interface permissions
    /// SageMaker uses for the apps, the mutating ones limited to this VPC (the same statements as
    /// <see cref="SageMakerExecutionRole"/>). Default: none.
    /// </summary>
    public IVpc? Vpc { get; init; }

    /// <summary>Permissions boundary attached to the role. Default: none.</summary>
    public IManagedPolicy? PermissionsBoundary { get; init; }

    /// <summary>Physical role name. Default: none (CloudFormation generates one; recommended).</summary>
    public string? RoleName { get; init; }
}
