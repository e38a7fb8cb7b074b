using Amazon.CDK;

namespace HfSageMaker.Constructs.Training;

/// <summary>Options of <see cref="TrainingSourceCode.FromDirectory"/> and <see cref="TrainingSourceCode.CreateArchive"/>.</summary>
public sealed record TrainingSourceCodeOptions
{
    /// <summary>
    /// Entry point script relative to the source directory (e.g. <c>train.py</c>); when given it must exist and must
    /// not be excluded. Default: not checked.
    /// </summary>
    public string? EntryPoint { get; init; }

    /// <summary>
    /// Extra exclusion globs, matched against the path relative to the source directory with <c>/</c> separators
    /// (<c>*</c> and <c>?</c> stay inside one path segment, <c>**</c> crosses segments; a pattern without <c>/</c> also
    /// matches the file or directory name at any depth; a trailing <c>/</c> matches directories only). Always
    /// excluded: <c>__pycache__/</c>, <c>*.pyc</c>, <c>.git/</c>, <c>.DS_Store</c>, <c>*.egg-info</c>.
    /// Default: none beyond those.
    /// </summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>
    /// Largest archive accepted. The archive carries code, not data: datasets and models belong in input channels.
    /// Default: 100 MiB.
    /// </summary>
    public Size? MaxArchiveSize { get; init; }
}
