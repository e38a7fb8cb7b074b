using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using HfSageMaker.Constructs.Storage;

namespace HfSageMaker.Infra.Recipes;

/// <summary>The platform resources every recipe's pipeline shares (one environment's stack creates them once).</summary>
public sealed record RecipePlatform
{
    /// <summary>SageMaker execution role of the jobs.</summary>
    public required IRole ExecutionRole { get; init; }

    /// <summary>The datasets (channels read from it), artefacts (jobs write under <c>&lt;job name prefix&gt;/</c>) and
    /// checkpoints buckets.</summary>
    public required ITrainingBuckets Buckets { get; init; }

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
