namespace HfSageMaker.Constructs.Training;

/// <summary>
/// How SageMaker makes a channel's data available to the container (API enum <c>TrainingInputMode</c>).
/// </summary>
public enum TrainingInputMode
{
    /// <summary>Download the whole channel to the training volume before the script starts (the SDK default).</summary>
    File,

    /// <summary>Stream objects from S3 on first access through a POSIX file system (no full download).</summary>
    FastFile,

    /// <summary>Stream the channel through a named pipe (<c>/opt/ml/input/data/&lt;channel&gt;_&lt;epoch&gt;</c>).</summary>
    Pipe,
}
