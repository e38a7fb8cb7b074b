namespace HfSageMaker.Constructs.Training;

/// <summary>
/// How the Hugging Face DLC launches the script over GPUs and instances: the SDK's <c>distribution</c> argument.
/// Each case becomes the reserved hyperparameters the SDK's <c>HuggingFace._huggingface_distribution_configuration</c>
/// and <c>Framework._distribution_configuration</c> (<c>estimator.py</c>) emit. No distribution = one process.
/// </summary>
public abstract record DistributionConfig
{
    private protected DistributionConfig()
    {
    }

    /// <summary>
    /// torchrun (<c>{"torch_distributed": {"enabled": True}}</c>): one process per GPU on every instance.
    /// Sends <c>sagemaker_torch_distributed_enabled=true</c> and <c>sagemaker_instance_type</c>.
    /// The SDK allows it on GPU instances for exactly the PyTorch versions of <c>fw_utils.py</c>
    /// <c>TORCH_DISTRIBUTED_GPU_SUPPORTED_FRAMEWORK_VERSIONS</c> (1.13.1, 2.0.0, 2.0.1, 2.1.0, 2.1.2, 2.2.0, 2.3.0, 2.3.1,
    /// 2.4.1, 2.5.1, 2.6.0, 2.7.1, 2.8.0) and an entry point ending in <c>.py</c>.
    /// </summary>
    public sealed record Torchrun : DistributionConfig;

    /// <summary>
    /// Native PyTorch DDP through the toolkit's own launcher (<c>{"pytorchddp": {"enabled": True}}</c>): the PyTorch
    /// training toolkit (<c>sagemaker_pytorch_container/training.py</c>) starts the script with its SMDataParallel
    /// runner (<c>mpirun</c>, one process per GPU), not torchrun. Sends <c>sagemaker_pytorch_ddp_enabled=true</c> and
    /// <c>sagemaker_instance_type</c> (<c>HuggingFace._huggingface_distribution_configuration</c>). The SDK sets no
    /// version or instance rule for it on the HuggingFace estimator (<c>fw_utils.validate_distribution</c> checks only
    /// smdistributed and torch_distributed).
    /// </summary>
    public sealed record PytorchDdp : DistributionConfig;

    /// <summary>
    /// SageMaker distributed data parallel (<c>{"smdistributed": {"dataparallel": {"enabled": True}}}</c>).
    /// Sends <c>sagemaker_distributed_dataparallel_enabled=true</c>, <c>sagemaker_instance_type</c> and
    /// <c>sagemaker_distributed_dataparallel_custom_mpi_options</c>. The SDK allows it for exactly the PyTorch versions of
    /// <c>fw_utils.py</c> <c>SM_DATAPARALLEL_SUPPORTED_FRAMEWORK_VERSIONS["pytorch"]</c> (1.6 … 2.2.0); the instance
    /// types (ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge, ml.p4de.24xlarge, ml.p5.48xlarge) are this library's
    /// check (a listed divergence).
    /// </summary>
    /// <param name="CustomMpiOptions">Extra <c>mpirun</c> options. Default: empty string, as the SDK sends.</param>
    public sealed record SmdDataParallel(string? CustomMpiOptions = null) : DistributionConfig;

    /// <summary>
    /// MPI (<c>{"mpi": {"enabled": True, "processes_per_host": n, "custom_mpi_options": ...}}</c>).
    /// Sends <c>sagemaker_mpi_enabled=true</c>, <c>sagemaker_mpi_num_of_processes_per_host</c> and
    /// <c>sagemaker_mpi_custom_mpi_options</c>.
    /// </summary>
    /// <param name="ProcessesPerHost">Processes per instance, usually the GPU count (≥ 1).</param>
    /// <param name="CustomMpiOptions">Extra <c>mpirun</c> options. Default: empty string, as the SDK sends.</param>
    public sealed record Mpi(int ProcessesPerHost, string? CustomMpiOptions = null) : DistributionConfig;

    /// <summary>
    /// SageMaker model parallel (<c>smdistributed.modelparallel</c>, launched through MPI as the SDK requires).
    /// Sends the MPI keys, <c>mp_parameters</c> (a JSON object) and <c>sagemaker_distributed_dataparallel_enabled=false</c>.
    /// Parameters are checked like the SDK's <c>fw_utils.validate_mp_config</c> (<c>partitions</c> required, …).
    /// </summary>
    /// <param name="Parameters">The <c>parameters</c> dictionary, e.g. <c>{"partitions": 2, "microbatches": 4}</c>.</param>
    /// <param name="ProcessesPerHost">MPI processes per instance. Default: not sent (the toolkit uses the GPU count).</param>
    /// <param name="CustomMpiOptions">Extra <c>mpirun</c> options. Default: empty string.</param>
    public sealed record ModelParallel(
        IReadOnlyDictionary<string, object?> Parameters,
        int? ProcessesPerHost = null,
        string? CustomMpiOptions = null) : DistributionConfig;
}
