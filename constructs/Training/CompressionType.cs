namespace HfSageMaker.Constructs.Training;

/// <summary>Compression of a channel's objects, for Pipe mode (API enum <c>CompressionType</c>).</summary>
public enum CompressionType
{
    /// <summary>The objects are not compressed.</summary>
    None,

    /// <summary>The objects are gzip-compressed; SageMaker decompresses them in Pipe mode.</summary>
    Gzip,
}
