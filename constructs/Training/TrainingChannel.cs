namespace HfSageMaker.Constructs.Training;

/// <summary>
/// One input channel of a training job: the container sees it as <c>/opt/ml/input/data/&lt;Name&gt;</c> and
/// <c>SM_CHANNEL_&lt;NAME&gt;</c>. Mirrors the SDK's <c>sagemaker.inputs.TrainingInput</c> with an <c>S3Prefix</c>
/// data type (the SDK default).
/// </summary>
/// <param name="Name">Channel name, e.g. <c>train</c>, <c>validation</c>, <c>test</c>, <c>model</c>:
/// 1–64 characters of <c>[A-Za-z0-9.\-_]</c>, unique within the job.</param>
/// <param name="S3Uri">S3 prefix or object, <c>s3://bucket/prefix</c>; may be a CDK token.</param>
public sealed record TrainingChannel(string Name, string S3Uri)
{
    /// <summary>Input mode for this channel. Default: not sent, so the job's <c>TrainingInputMode</c> (File) applies.</summary>
    public TrainingInputMode? InputMode { get; init; }

    /// <summary>MIME type of the data. Default: not sent.</summary>
    public string? ContentType { get; init; }

    /// <summary>Compression of the objects. Default: not sent (the service treats it as <c>None</c>).</summary>
    public CompressionType? CompressionType { get; init; }

    /// <summary>How objects are spread over instances. Default: <see cref="S3DataDistribution.FullyReplicated"/>.</summary>
    public S3DataDistribution S3DataDistributionType { get; init; } = S3DataDistribution.FullyReplicated;

    /// <summary>
    /// A <c>model</c> channel carrying pre-trained weights, exactly as the SDK's <c>model_uri</c> adds it
    /// (<c>job.py</c>: content type <c>application/x-sagemaker-model</c>, input mode File). Use it with network
    /// isolation and <c>HF_HUB_OFFLINE=1</c>, where the Hub is unreachable.
    /// </summary>
    /// <param name="s3Uri">S3 URI of the model artefacts.</param>
    /// <returns>The channel named <c>model</c>.</returns>
    public static TrainingChannel Model(string s3Uri) => new("model", s3Uri)
    {
        ContentType = "application/x-sagemaker-model",
        InputMode = TrainingInputMode.File,
    };
}
