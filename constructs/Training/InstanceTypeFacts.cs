namespace HfSageMaker.Constructs.Training;

/// <summary>
/// What <see cref="InstanceTypeCatalog"/> knows of one SageMaker instance type: the API enums that list it and, where
/// they were transcribed from AWS documentation, its hardware facts (null when not transcribed).
/// </summary>
public sealed record InstanceTypeFacts
{
    /// <summary>The instance type, e.g. <c>ml.g5.2xlarge</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The family, e.g. <c>g5</c>.</summary>
    public required string Family { get; init; }

    /// <summary>
    /// The API enums of the botocore SageMaker model that list the type: <c>training</c> (<c>TrainingInstanceType</c>),
    /// <c>realtime</c> (<c>ProductionVariantInstanceType</c>), <c>transform</c> (<c>TransformInstanceType</c>).
    /// </summary>
    public required IReadOnlyList<string> Apis { get; init; }

    /// <summary>Whether the type has local (NVMe) instance storage; null when the catalog has no storage facts.</summary>
    public bool? LocalStorage { get; init; }

    /// <summary>A GPU training type of the Hugging Face training DLCs (NVIDIA CUDA on x86_64), with every GPU fact.</summary>
    public bool GpuTraining { get; init; }

    /// <summary>GPUs per instance (GPU training types).</summary>
    public int? Gpus { get; init; }

    /// <summary>GiB of memory of one GPU (GPU training types).</summary>
    public int? GpuMemoryGiB { get; init; }

    /// <summary>Whether the type supports Elastic Fabric Adapter; null when not transcribed.</summary>
    public bool? Efa { get; init; }

    /// <summary>The CUDA compute capability of the type's GPU, e.g. <c>8.6</c> (GPU training types; NVIDIA's CUDA GPUs page).</summary>
    public string? ComputeCapability { get; init; }

    /// <summary>
    /// Whether the type's GPU computes in bfloat16 natively (compute capability 8.0 or newer; GPU training types, null
    /// elsewhere). A hyperparameter value that needs it (<see cref="HyperparameterSpec.NeedsNativeBf16"/>) is refused on a
    /// type where this is false.
    /// </summary>
    public bool? NativeBf16 { get; init; }

    /// <summary>SMDDP (smdistributed dataparallel) supports the type (the SDK's list).</summary>
    public bool SmdDataParallel { get; init; }

    /// <summary>The SDK refuses smdistributed (data and model parallel) on the type.</summary>
    public bool SmdistributedRefused { get; init; }

    /// <summary>Why the catalog follows AWS where the SageMaker Python SDK says otherwise; null when they agree.</summary>
    public string? SdkDisagrees { get; init; }

    /// <summary>Whether <c>CreateTrainingJob</c> takes the type (<c>TrainingInstanceType</c>).</summary>
    public bool IsTrainingType => Apis.Contains(InstanceTypeCatalog.TrainingApi);

    /// <summary>
    /// Whether SageMaker takes a <c>VolumeKmsKeyId</c> for the type: not on types with local storage, whose volumes a
    /// hardware module encrypts (botocore <c>ResourceConfig.VolumeKmsKeyId</c> documentation); null when unknown.
    /// </summary>
    public bool? AcceptsVolumeKmsKey => LocalStorage is { } local ? !local : null;
}
