using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace HfSageMaker.Constructs.Storage;

/// <summary>
/// Existing buckets and key (<see cref="TrainingBuckets.FromAttributes"/>): the grants are the buckets' L2 grants
/// combined with the matching grant on the key, since an imported bucket does not know its key.
/// </summary>
internal sealed class ImportedTrainingBuckets(Construct scope, string id, TrainingBucketsAttributes attributes)
    : Construct(scope, id), ITrainingBuckets
{
    public IKey EncryptionKey { get; } = attributes.EncryptionKey;

    public IBucket Datasets { get; } = attributes.Datasets;

    public IBucket Artifacts { get; } = attributes.Artifacts;

    public IBucket Checkpoints { get; } = attributes.Checkpoints;

    public Grant GrantReadDatasets(IGrantable grantee) => Datasets.GrantRead(grantee).Combine(EncryptionKey.GrantDecrypt(grantee));

    public Grant GrantUploadDatasets(IGrantable grantee) => Datasets.GrantPut(grantee).Combine(EncryptionKey.GrantEncrypt(grantee));

    public Grant GrantReadArtifacts(IGrantable grantee) => Artifacts.GrantRead(grantee).Combine(EncryptionKey.GrantDecrypt(grantee));

    public Grant GrantReadWriteArtifacts(IGrantable grantee) => Artifacts.GrantReadWrite(grantee).Combine(EncryptionKey.GrantEncryptDecrypt(grantee));

    public Grant GrantReadWriteCheckpoints(IGrantable grantee) => Checkpoints.GrantReadWrite(grantee).Combine(EncryptionKey.GrantEncryptDecrypt(grantee));
}
