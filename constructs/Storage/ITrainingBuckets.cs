using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;

namespace HfSageMaker.Constructs.Storage;

/// <summary>
/// The training platform's buckets as other constructs and stacks use them: created by <see cref="TrainingBuckets"/>,
/// or existing ones imported with <see cref="TrainingBuckets.FromAttributes"/>. Roles and pipelines take this
/// interface, never the concrete class. The grants are intent-named and bring the key's permissions along.
/// </summary>
public interface ITrainingBuckets
{
    /// <summary>The customer-managed key that encrypts the datasets, artifacts and checkpoints buckets (and that job
    /// volumes and outputs use).</summary>
    IKey EncryptionKey { get; }

    /// <summary>Training data (SageMaker input channels).</summary>
    IBucket Datasets { get; }

    /// <summary>Model artifacts (<c>OutputDataConfig.S3OutputPath</c>).</summary>
    IBucket Artifacts { get; }

    /// <summary>Checkpoints of spot and long-running jobs (<c>CheckpointConfig.S3Uri</c>).</summary>
    IBucket Checkpoints { get; }

    /// <summary>Read training data (input channels): objects, listing, and decrypt with the key.</summary>
    /// <returns>The grant.</returns>
    Grant GrantReadDatasets(IGrantable grantee);

    /// <summary>Upload training data (put objects, encrypt with the key); no delete.</summary>
    /// <returns>The grant.</returns>
    Grant GrantUploadDatasets(IGrantable grantee);

    /// <summary>Read model artifacts, e.g. for evaluation or deployment.</summary>
    /// <returns>The grant.</returns>
    Grant GrantReadArtifacts(IGrantable grantee);

    /// <summary>Read and write model artifacts (what a training job's output needs).</summary>
    /// <returns>The grant.</returns>
    Grant GrantReadWriteArtifacts(IGrantable grantee);

    /// <summary>Read and write checkpoints (spot training uploads and resumes from them).</summary>
    /// <returns>The grant.</returns>
    Grant GrantReadWriteCheckpoints(IGrantable grantee);
}
