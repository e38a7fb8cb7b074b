namespace HfSageMaker.Constructs.Training;

/// <summary>
/// One Hugging Face PyTorch inference DLC of the SageMaker Python SDK's catalog (<c>image_uri_config/huggingface.json</c>,
/// inference scope): a transformers / PyTorch version pair, its Python version, its tag suffixes per processor and the
/// regions that host it.
/// </summary>
/// <param name="TransformersVersion">Full transformers version, e.g. <c>4.37.0</c>.</param>
/// <param name="PytorchVersion">Full PyTorch version, e.g. <c>2.1.0</c>.</param>
/// <param name="PythonVersion">Python version of the image, e.g. <c>py310</c> (the SDK table lists one per entry).</param>
/// <param name="GpuContainerVersion">Tag suffix of the GPU image, e.g. <c>cu118-ubuntu20.04</c>.</param>
/// <param name="CpuContainerVersion">Tag suffix of the CPU image, e.g. <c>ubuntu22.04</c>.</param>
/// <param name="Regions">Regions whose registry hosts this image, sorted ordinally.</param>
public sealed record HuggingFaceInferenceImageVersion(
    string TransformersVersion,
    string PytorchVersion,
    string PythonVersion,
    string GpuContainerVersion,
    string CpuContainerVersion,
    IReadOnlyList<string> Regions);
