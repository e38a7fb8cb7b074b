using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;

namespace HfSageMaker.Infra.Recipes;

/// <summary>The platform resources every recipe's pipeline shares (one environment's stack creates them once).</summary>
public sealed record RecipePlatform
{
    /// <summary>SageMaker execution role of the jobs.</summary>
    public required IRole ExecutionRole { get; init; }

    /// <summary>Datasets bucket (channels read from it).</summary>
    public required IBucket Datasets { get; init; }

    /// <summary>Model artefacts bucket (jobs write under <c>&lt;job name prefix&gt;/</c>).</summary>
    public required IBucket Artifacts { get; init; }

    /// <summary>Checkpoints bucket.</summary>
    public required IBucket Checkpoints { get; init; }

    /// <summary>Key of the buckets and job volumes.</summary>
    public IKey? EncryptionKey { get; init; }

    /// <summary>Training VPC.</summary>
    public IVpc? Vpc { get; init; }

    /// <summary>Subnets of the training jobs.</summary>
    public SubnetSelection? VpcSubnets { get; init; }

    /// <summary>Training security groups.</summary>
    public IReadOnlyList<ISecurityGroup>? SecurityGroups { get; init; }

    /// <summary>Notification topic.</summary>
    public required ITopic Topic { get; init; }

    /// <summary>Key of the notification topic.</summary>
    public IKey? TopicKey { get; init; }
}
