namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Hyperparameter names the SDK reserves (<c>sagemaker/model.py</c> constants used by <c>Framework._prepare_for_training</c>,
/// <c>Framework._distribution_configuration</c> and <c>HuggingFace._huggingface_distribution_configuration</c>,
/// <c>HyperparameterTuner</c>). Every value is JSON-encoded. Users may not set any key starting with <c>sagemaker_</c>
/// nor <see cref="ModelParallelParameters"/>.
/// </summary>
internal static class ReservedHyperparameters
{
    /// <summary>The prefix of every key the SDK reserves (the toolkit drops such keys from the script's arguments).</summary>
    public const string ReservedPrefix = "sagemaker_";

    /// <summary>Entry point relative to the source directory.</summary>
    public const string Program = "sagemaker_program";

    /// <summary>S3 URI of the code archive, or its path under <see cref="IsolatedCodeDirectory"/> with network isolation.</summary>
    public const string SubmitDirectory = "sagemaker_submit_directory";

    /// <summary>Python logging level of the toolkit.</summary>
    public const string ContainerLogLevel = "sagemaker_container_log_level";

    /// <summary>The training (or tuning) job name; set at run time together with the request's name.</summary>
    public const string JobName = "sagemaker_job_name";

    /// <summary>The job's region.</summary>
    public const string Region = "sagemaker_region";

    /// <summary>The instance type, sent with torchrun, SMDDP and model parallel; must follow any instance-type override.</summary>
    public const string InstanceType = "sagemaker_instance_type";

    /// <summary>pytorchddp flag (<c>HuggingFace.LAUNCH_PYTORCH_DDP_ENV_NAME</c>).</summary>
    public const string PytorchDdpEnabled = "sagemaker_pytorch_ddp_enabled";

    /// <summary>torchrun launcher flag.</summary>
    public const string TorchDistributedEnabled = "sagemaker_torch_distributed_enabled";

    /// <summary>SMDDP launcher flag (false with model parallel).</summary>
    public const string DistributedDataParallelEnabled = "sagemaker_distributed_dataparallel_enabled";

    /// <summary>SMDDP <c>mpirun</c> options.</summary>
    public const string DistributedDataParallelCustomMpiOptions = "sagemaker_distributed_dataparallel_custom_mpi_options";

    /// <summary>MPI launcher flag.</summary>
    public const string MpiEnabled = "sagemaker_mpi_enabled";

    /// <summary>MPI processes per host.</summary>
    public const string MpiProcessesPerHost = "sagemaker_mpi_num_of_processes_per_host";

    /// <summary>MPI <c>mpirun</c> options.</summary>
    public const string MpiCustomMpiOptions = "sagemaker_mpi_custom_mpi_options";

    /// <summary>Model-parallel parameters (a JSON object).</summary>
    public const string ModelParallelParameters = "mp_parameters";

    /// <summary>Estimator class, added by the tuner for framework estimators (<c>"HuggingFace"</c>).</summary>
    public const string EstimatorClassName = "sagemaker_estimator_class_name";

    /// <summary>Estimator module, added by the tuner for framework estimators (<c>"sagemaker.huggingface.estimator"</c>).</summary>
    public const string EstimatorModule = "sagemaker_estimator_module";

    /// <summary>Name of the input channel that carries the code when the job is network-isolated.</summary>
    public const string CodeChannelName = "code";

    /// <summary>
    /// Where the archive lands when it arrives through the <c>code</c> channel: the channel downloads the object under its
    /// own file name, so <c>sagemaker_submit_directory</c> is this folder plus the object's last key segment. The SDK
    /// always uploads <c>sourcedir.tar.gz</c> (<c>Framework.CONTAINER_CODE_CHANNEL_SOURCEDIR_PATH</c>); CDK file assets are
    /// named <c>&lt;hash&gt;.gz</c>, which the toolkit extracts just the same (<c>tarfile.open(mode="r:gz")</c> on a local
    /// path, whatever its name).
    /// </summary>
    public const string IsolatedCodeDirectory = "/opt/ml/input/data/code/";

    /// <summary>The isolated-mode <c>sagemaker_submit_directory</c> for an archive at <paramref name="archiveS3Uri"/>.</summary>
    /// <param name="archiveS3Uri">S3 URI of the code archive; its last key segment must be a literal file name.</param>
    public static string IsolatedSubmitDirectory(string archiveS3Uri) =>
        IsolatedCodeDirectory + archiveS3Uri[(archiveS3Uri.LastIndexOf('/') + 1)..];
}
