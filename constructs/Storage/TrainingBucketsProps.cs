using Amazon.CDK;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;

namespace HfSageMaker.Constructs.Storage;

/// <summary>Properties of <see cref="TrainingBuckets"/>.</summary>
public sealed record TrainingBucketsProps
{
    /// <summary>
    /// Customer-managed key that encrypts the datasets, artifacts, checkpoints (and code) buckets (and that the Studio
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
    /// Age after which noncurrent (overwritten or deleted) object versions in the datasets, artifacts (and code) buckets
    /// expire (whole days, 1 to 3650). Checkpoints keep noncurrent versions one day. Default: 90 days.
    /// </summary>
    public Duration? NoncurrentVersionExpiration { get; init; }

    /// <summary>Age after which server access logs expire (whole days, 1 to 3650), when the access-log bucket is
    /// created. Default: 365 days.</summary>
    public Duration? AccessLogExpiration { get; init; }

    /// <summary>
    /// An existing bucket that receives the buckets' server access logs (prefixes <c>datasets/</c>, <c>artifacts/</c>,
    /// <c>checkpoints/</c>). It must accept S3 log delivery (SSE-S3 default encryption, a bucket policy that allows
    /// <c>logging.s3.amazonaws.com</c>; the CDK adds that statement when the bucket is defined in the same app).
    /// Default: a versioned SSE-S3 bucket is created (construct id <c>AccessLogs</c>), its logs expiring after
    /// <see cref="AccessLogExpiration"/>.
    /// </summary>
    public IBucket? AccessLogsBucket { get; init; }

    /// <summary>
    /// Whether to create a fourth bucket, <see cref="TrainingBuckets.Code"/> (construct id <c>Code</c>), for code
    /// archives or other files of your own. The pipeline does not need it (its <c>sourcedir.tar.gz</c> is a CDK file
    /// asset). Default: false (no bucket).
    /// </summary>
    public bool IncludeCodeBucket { get; init; }
}
