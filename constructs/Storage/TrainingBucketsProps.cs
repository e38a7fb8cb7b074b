using Amazon.CDK;
using Amazon.CDK.AWS.KMS;

namespace HfSageMaker.Constructs.Storage;

/// <summary>Properties of <see cref="TrainingBuckets"/>.</summary>
public sealed record TrainingBucketsProps
{
    /// <summary>
    /// Customer-managed key that encrypts the datasets, artifacts, checkpoints and code buckets (and that the Studio
    /// domain and training volumes may reuse). Default: a new KMS key with yearly automatic rotation.
    /// </summary>
    public IKey? EncryptionKey { get; init; }

    /// <summary>
    /// What happens to the buckets and the created key when they leave the stack. Default:
    /// <see cref="Amazon.CDK.RemovalPolicy.RETAIN"/>. With <see cref="Amazon.CDK.RemovalPolicy.DESTROY"/> CloudFormation
    /// deletes empty buckets only: deleting a stack whose buckets still hold objects fails until they are emptied
    /// (no auto-delete Lambda is deployed on purpose). A destroyed key enters its 7 to 30 day deletion window.
    /// </summary>
    public RemovalPolicy RemovalPolicy { get; init; } = RemovalPolicy.RETAIN;

    /// <summary>Age after which objects in the checkpoints bucket expire (whole days, 1 to 3650). Default: 30 days.</summary>
    public Duration? CheckpointExpiration { get; init; }

    /// <summary>
    /// Age after which noncurrent (overwritten or deleted) object versions in the datasets, artifacts and code buckets
    /// expire (whole days, 1 to 3650). Checkpoints keep noncurrent versions one day. Default: 90 days.
    /// </summary>
    public Duration? NoncurrentVersionExpiration { get; init; }

    /// <summary>Age after which server access logs expire (whole days, 1 to 3650). Default: 365 days.</summary>
    public Duration? AccessLogExpiration { get; init; }
}
