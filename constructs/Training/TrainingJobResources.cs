namespace HfSageMaker.Constructs.Training;

/// <summary>
/// What the platform provides to a training job. Plain strings so that CDK tokens (role ARN, bucket URLs) can flow
/// in; format checks are skipped for unresolved tokens.
/// </summary>
internal sealed record TrainingJobResources
{
    /// <summary>Execution role ARN SageMaker assumes (<c>RoleArn</c>).</summary>
    public required string RoleArn { get; init; }

    /// <summary>Training image URI (<c>AlgorithmSpecification.TrainingImage</c>), at most 255 characters.</summary>
    public required string ImageUri { get; init; }

    /// <summary>S3 URI of the uploaded <c>sourcedir.tar.gz</c> (<c>sagemaker_submit_directory</c>, or the <c>code</c> channel when isolated).</summary>
    public required string SubmitDirectoryS3Uri { get; init; }

    /// <summary>S3 prefix for the model artefacts (<c>OutputDataConfig.S3OutputPath</c>).</summary>
    public required string OutputS3Uri { get; init; }

    /// <summary>S3 prefix for checkpoints (<c>CheckpointConfig.S3Uri</c>). Required with spot training. Default: no checkpoint sync.</summary>
    public string? CheckpointS3Uri { get; init; }

    /// <summary>
    /// KMS key for the output artefacts (<c>OutputDataConfig.KmsKeyId</c>) and the ML volume (<c>ResourceConfig.VolumeKmsKeyId</c>).
    /// The volume key is sent only for instance types without local NVMe storage (p2, p3 except p3dn): SageMaker
    /// rejects it on the others, whose instance storage is encrypted by hardware. Default: the service keys.
    /// </summary>
    public string? KmsKeyArn { get; init; }

    /// <summary>
    /// KMS key for the ML storage volume (<c>VolumeKmsKeyId</c>; the SDK's <c>volume_kms_key</c>), when it differs from
    /// <see cref="KmsKeyArn"/>. Sent only for instance types without local NVMe storage, like the output key.
    /// Default: <see cref="KmsKeyArn"/> (one customer key for everything the job writes).
    /// </summary>
    public string? VolumeKmsKeyArn { get; init; }

    /// <summary>Subnets for <c>VpcConfig</c> (1–16). Default: no VPC (both this and <see cref="SecurityGroupIds"/> must be set together).</summary>
    public IReadOnlyList<string>? SubnetIds { get; init; }

    /// <summary>Security groups for <c>VpcConfig</c> (1–5). Default: no VPC.</summary>
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }

    /// <summary>Region of the job, sent as <c>sagemaker_region</c>; may be a token such as <c>Aws.REGION</c>.</summary>
    public required string Region { get; init; }
}
