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
    /// Directories added at the archive root under their own names, beside the source directory's entries, as the
    /// SageMaker Python SDK's <c>dependencies=[...]</c> does (v2.257.6: <c>estimator.py</c> lines 498-522 document it,
    /// <c>fw_utils.py</c> line 468 appends the dependencies to the source files, <c>utils.py</c> lines 509-527 add
    /// each under its base name). For a package several scripts share: <c>training-scripts/hf_recipe</c> becomes
    /// <c>hf_recipe/</c> beside <c>train.py</c>, so the script imports it by name. Absolute, or relative to the current
    /// directory; the exclusions apply inside them too. Refused: a directory that does not exist, and a name that is
    /// also an entry of the source directory or of another dependency (the SDK would archive both, and extraction
    /// would keep one). Default: none.
    /// </summary>
    public IReadOnlyList<string>? Dependencies { get; init; }

    /// <summary>
    /// Largest archive accepted. The archive carries code, not data: datasets and models belong in input channels.
    /// Default: 100 MiB.
    /// </summary>
    public Size? MaxArchiveSize { get; init; }
}
