using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;

namespace HfSageMaker.Constructs.Storage;

/// <summary>Existing buckets and key for <see cref="TrainingBuckets.FromAttributes"/>.</summary>
public sealed record TrainingBucketsAttributes
{
    /// <summary>The existing datasets bucket, e.g. <c>Bucket.FromBucketName(this, "Datasets", "my-datasets")</c>.</summary>
    public required IBucket Datasets { get; init; }

    /// <summary>The existing model artifacts bucket.</summary>
    public required IBucket Artifacts { get; init; }

    /// <summary>The existing checkpoints bucket.</summary>
    public required IBucket Checkpoints { get; init; }

    /// <summary>The existing customer-managed key the three buckets are encrypted with (SSE-KMS), e.g.
    /// <c>Key.FromKeyArn(...)</c>. Grants include the key's permissions, whatever the buckets' own
    /// <c>EncryptionKey</c> says.</summary>
    public required IKey EncryptionKey { get; init; }
}
