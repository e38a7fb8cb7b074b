namespace HfSageMaker.Constructs.Training;

/// <summary>
/// One Hugging Face PyTorch training DLC of the SageMaker Python SDK's catalog: a transformers / PyTorch version pair,
/// the Python versions it ships and the regions that host it.
/// </summary>
/// <param name="TransformersVersion">Full transformers version, e.g. <c>4.26.0</c>.</param>
/// <param name="PytorchVersion">Full PyTorch version, e.g. <c>1.13.1</c>.</param>
/// <param name="PythonVersions">Python versions as the SDK names them, e.g. <c>py39</c>.</param>
/// <param name="ContainerVersion">CUDA / Ubuntu tag suffix, e.g. <c>cu117-ubuntu20.04</c>. Where the SDK table names
/// none (transformers 4.4.2 / 4.5.0 with PyTorch 1.6.0) it is the SDK's default <c>cu110-ubuntu18.04</c>
/// (<c>image_uris.py</c> <c>get_training_image_uri</c>, v2.257.6 lines 693-694), so every tag ends with a suffix.</param>
/// <param name="Regions">Regions whose registry hosts this image, sorted ordinally.</param>
public sealed record HuggingFaceImageVersion(
    string TransformersVersion,
    string PytorchVersion,
    IReadOnlyList<string> PythonVersions,
    string? ContainerVersion,
    IReadOnlyList<string> Regions);
