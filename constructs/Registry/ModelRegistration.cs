namespace HfSageMaker.Constructs.Registry;

/// <summary>
/// How <c>HuggingFaceTrainingPipeline</c> registers what a successful run trained (<c>CreateModelPackage</c>, as the
/// SageMaker Python SDK's <c>estimator.register(...)</c> does): the serving container and where it runs. The pipeline
/// adds the run's artifact (<c>ModelDataUrl</c>), its lineage and the model card at run time.
/// </summary>
public sealed record ModelRegistration
{
    /// <summary>
    /// The serving image (the SDK's <c>image_uri</c>): e.g. <c>HuggingFaceInferenceImage.ForScope(...)</c> for the
    /// inference DLC nearest to the training DLC, or <c>HuggingFaceLlmImage.ForScope(...)</c> for a causal LM (TGI).
    /// </summary>
    public required string ImageUri { get; init; }

    /// <summary>MIME types the container accepts (<c>SupportedContentTypes</c>; the SDK's <c>content_types</c>), 1 to 10.</summary>
    public required IReadOnlyList<string> ContentTypes { get; init; }

    /// <summary>MIME types it answers with (<c>SupportedResponseMIMETypes</c>; the SDK's <c>response_types</c>), 1 to 10.</summary>
    public required IReadOnlyList<string> ResponseTypes { get; init; }

    /// <summary>Endpoint instance types (<c>SupportedRealtimeInferenceInstanceTypes</c>; the SDK's
    /// <c>inference_instances</c>), 1 to 20, each of SageMaker's real-time instance types.</summary>
    public required IReadOnlyList<string> RealtimeInstanceTypes { get; init; }

    /// <summary>Batch transform instance types (<c>SupportedTransformInstanceTypes</c>; the SDK's
    /// <c>transform_instances</c>), each of SageMaker's transform instance types. Default: none declared.</summary>
    public IReadOnlyList<string>? TransformInstanceTypes { get; init; }

    /// <summary>
    /// Environment of the serving container, before the variables the SDK adds for a model without an entry point
    /// (<c>SAGEMAKER_PROGRAM</c>, <c>SAGEMAKER_SUBMIT_DIRECTORY</c>, <c>SAGEMAKER_CONTAINER_LOG_LEVEL</c>,
    /// <c>SAGEMAKER_REGION</c>), e.g. TGI's <c>HF_MODEL_ID</c>. Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// The status each version is registered with. Default: <see cref="ModelApprovalStatus.PendingManualApproval"/>
    /// (SageMaker's and the SDK's). The pipeline's role may register only with this status (and pending manual approval,
    /// for artifacts <see cref="ServableWhen"/> says cannot be served).
    /// </summary>
    public ModelApprovalStatus ApprovalStatus { get; init; } = ModelApprovalStatus.PendingManualApproval;

    /// <summary>When an artifact holds servable weights. Default: always.</summary>
    public ServableWhen? ServableWhen { get; init; }

    /// <summary>
    /// Static entries of every version's <c>CustomerMetadataProperties</c>, e.g. <c>recipe</c>; the run adds its
    /// lineage. Keys 1 to 128 and values 1 to 256 characters of letters, digits, spaces and <c>_.:/=+-@</c>
    /// (<c>CustomerMetadataKey</c>, <c>CustomerMetadataValue</c> in the SageMaker API model). Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? CustomerMetadataProperties { get; init; }

    /// <summary>The source commit the stack was synthesized from (<c>MetadataProperties.CommitId</c>), 7 to 40 hex
    /// digits. Default: none.</summary>
    public string? SourceCommit { get; init; }

    /// <summary>The source repository (<c>MetadataProperties.Repository</c>), at most 1024 characters. Default: none.</summary>
    public string? SourceRepository { get; init; }
}
