using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Storage;

namespace HfSageMaker.Constructs.Security;

/// <summary>Properties of <see cref="SageMakerExecutionRole"/>.</summary>
public sealed record SageMakerExecutionRoleProps
{
    /// <summary>The platform buckets the role may use: read datasets, read/write artifacts and checkpoints. A
    /// <see cref="TrainingBuckets"/>, or existing buckets from <see cref="TrainingBuckets.FromAttributes"/>.</summary>
    public required ITrainingBuckets Buckets { get; init; }

    /// <summary>
    /// The VPC jobs run in. When set, the role gets the EC2 network-interface permissions SageMaker
    /// needs for <c>VpcConfig</c>, the mutating ones limited to this VPC. Default: none (jobs without a VPC).
    /// </summary>
    public IVpc? Vpc { get; init; }

    /// <summary>Permissions boundary attached to the role. Default: none.</summary>
    public IManagedPolicy? PermissionsBoundary { get; init; }

    /// <summary>Physical role name. Default: none (CloudFormation generates one; recommended).</summary>
    public string? RoleName { get; init; }

    /// <summary>
    /// ECR repositories whose images jobs may pull (the Hugging Face DLC training repository by default). Any account,
    /// the stack's region. Default: <c>huggingface-pytorch-training</c>.
    /// </summary>
    public IReadOnlyList<string>? ImageRepositories { get; init; }

    /// <summary>
    /// Whether the role may also upload (put, not delete) datasets, e.g. when a setup uses it outside
    /// jobs (the platform gives Studio users <see cref="StudioUserRole"/> instead). Default: false (training needs only
    /// to read them).
    /// </summary>
    public bool AllowDatasetUploads { get; init; }
}
