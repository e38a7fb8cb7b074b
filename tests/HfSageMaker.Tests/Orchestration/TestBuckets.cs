using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;
using HfSageMaker.Constructs.Storage;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>Buckets a test already has, as the <see cref="ITrainingBuckets"/> the pipeline takes (creates no resource).</summary>
internal static class TestBuckets
{
    /// <summary>A key ARN for tests that do not care which key the buckets use (imported: no resource).</summary>
    public const string KeyArn = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    /// <summary>The given buckets (one bucket for all three when only <paramref name="datasets"/> is given) and key.</summary>
    public static ITrainingBuckets Import(Construct scope, IBucket datasets, IBucket? artifacts = null, IBucket? checkpoints = null, IKey? key = null) =>
        TrainingBuckets.FromAttributes(scope, "TestBuckets", new TrainingBucketsAttributes
        {
            Datasets = datasets,
            Artifacts = artifacts ?? datasets,
            Checkpoints = checkpoints ?? datasets,
            EncryptionKey = key ?? Key.FromKeyArn(scope, "TestBucketsKey", KeyArn),
        });
}
