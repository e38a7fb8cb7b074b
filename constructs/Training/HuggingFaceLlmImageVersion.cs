namespace HfSageMaker.Constructs.Training;

/// <summary>
/// One Hugging Face LLM inference (Text Generation Inference, TGI) image of the SageMaker Python SDK's catalog
/// (<c>image_uri_config/huggingface-llm.json</c>).
/// </summary>
/// <param name="Version">TGI version, e.g. <c>3.3.6</c>.</param>
/// <param name="TagPrefix">Start of the image tag: the PyTorch and TGI versions, e.g. <c>2.7.0-tgi3.3.6</c>.</param>
/// <param name="PythonVersion">Python version of the image, e.g. <c>py311</c>.</param>
/// <param name="ContainerVersion">CUDA / Ubuntu tag suffix, e.g. <c>cu124-ubuntu22.04</c>.</param>
/// <param name="Regions">Regions whose registry hosts this image, sorted ordinally.</param>
public sealed record HuggingFaceLlmImageVersion(
    string Version,
    string TagPrefix,
    string PythonVersion,
    string ContainerVersion,
    IReadOnlyList<string> Regions);
