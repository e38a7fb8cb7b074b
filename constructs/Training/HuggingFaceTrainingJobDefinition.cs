using Amazon.CDK;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A Hugging Face training job described the way a data scientist describes the SageMaker Python SDK's
/// <c>sagemaker.huggingface.HuggingFace</c> estimator. <see cref="Orchestration.HuggingFaceTrainingPipeline"/> validates it
/// and turns it into the exact <c>CreateTrainingJob</c> / <c>CreateHyperParameterTuningJob</c> request the SDK would send.
/// </summary>
public sealed record HuggingFaceTrainingJobDefinition
{
    /// <summary>
    /// Script to run, relative to the source directory (<c>entry_point</c>; sent as <c>sagemaker_program</c>),
    /// e.g. <c>train.py</c> or <c>scripts/train.py</c>. No absolute paths, no <c>..</c>.
    /// </summary>
    public required string EntryPoint { get; init; }

    /// <summary>Transformers version of the DLC, e.g. <c>4.49.0</c> (<c>transformers_version</c>). Selects the image elsewhere.</summary>
    public required string TransformersVersion { get; init; }

    /// <summary>PyTorch version of the DLC, e.g. <c>2.5.1</c> (<c>pytorch_version</c>); drives the distribution rules.</summary>
    public required string PytorchVersion { get; init; }

    /// <summary>Python version of the DLC, e.g. <c>py311</c> (<c>py_version</c>); informational here.</summary>
    public required string PythonVersion { get; init; }

    /// <summary>GPU training instance type, e.g. <c>ml.g5.2xlarge</c> (<c>instance_type</c>). Hugging Face training images are GPU only.</summary>
    public required string InstanceType { get; init; }

    /// <summary>Number of instances (<c>instance_count</c>). Default: 1.</summary>
    public int InstanceCount { get; init; } = 1;

    /// <summary>Size of the ML storage volume, whole GiB, 1–16384 (<c>volume_size</c>). Default: 30 GiB, as the SDK sends.</summary>
    public Size? VolumeSize { get; init; }

    /// <summary>Maximum training time, 1 second to 28 days (<c>max_run</c>). Default: 1 day, as the SDK sends.</summary>
    public Duration? MaxRuntime { get; init; }

    /// <summary>
    /// Hyperparameters passed to the script as <c>--key value</c>. Each value is JSON-encoded exactly like the SDK's
    /// <c>json.dumps</c> (the README's "Hyperparameter encoding"): string, bool, integers, floating point, null,
    /// lists and string-keyed dictionaries. Keys starting with <c>sagemaker_</c> and <c>mp_parameters</c> are reserved.
    /// Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Hyperparameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>
    /// What the script accepts for each hyperparameter an execution may set (kind, null, range, choices): declared
    /// once, checked against <see cref="Hyperparameters"/> at synthesis and enforced by the pipeline's PrepareRequest
    /// on every run-time override. When set, executions may set exactly these keys. Default: none (an override must
    /// only have the JSON kind of the recipe's value, and only keys of <see cref="Hyperparameters"/> may be set).
    /// </summary>
    public IReadOnlyDictionary<string, HyperparameterSpec>? HyperparameterTypes { get; init; }

    /// <summary>
    /// The script's cross-field rules over <see cref="HyperparameterTypes"/> (for example: two precisions that exclude
    /// each other, a setting used only with another's value): embedded in the pipeline's policy, where PrepareRequest
    /// checks them on the final request of every run and refuses the run (or, for
    /// <see cref="HyperparameterRuleEffect.Note"/>, reports it) before any job starts. Needs
    /// <see cref="HyperparameterTypes"/>. Default: none.
    /// </summary>
    public IReadOnlyList<HyperparameterRule>? HyperparameterRules { get; init; }

    /// <summary>Input channels (<c>fit(inputs)</c>), at most 20 including the <c>code</c> channel. Default: none.</summary>
    public IReadOnlyList<TrainingChannel> Channels { get; init; } = [];

    /// <summary>Distributed launcher. Default: none (one process per instance).</summary>
    public DistributionConfig? Distribution { get; init; }

    /// <summary>Managed spot training options. Default: null (on-demand capacity).</summary>
    public SpotTrainingOptions? Spot { get; init; }

    /// <summary>
    /// Where the container reads and writes checkpoints, synced to the checkpoint S3 prefix (<c>checkpoint_local_path</c>;
    /// sent as <c>CheckpointConfig.LocalPath</c> only when set, as the SDK does). Default: not sent, so SageMaker uses
    /// <c>/opt/ml/checkpoints</c>.
    /// </summary>
    public string? CheckpointLocalPath { get; init; }

    /// <summary>Retries of the job on an internal SageMaker error, 1–30 (<c>max_retry_attempts</c>). Default: not sent (no retry).</summary>
    public int? MaxRetryAttempts { get; init; }

    /// <summary>
    /// Warm-pool keep-alive after the job ends, 0–3600 seconds (<c>keep_alive_period_in_seconds</c>); needs a
    /// warm-pool quota (0 by default). Not available for tuning jobs. Default: not sent (no warm pool).
    /// </summary>
    public Duration? KeepAlivePeriod { get; init; }

    /// <summary>
    /// Environment variables of the container (<c>environment</c>), at most 48. With network isolation
    /// <c>HF_HUB_OFFLINE=1</c> is added unless set here. Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Run the container without network access (<c>enable_network_isolation</c>). The code then arrives through a
    /// <c>code</c> channel and <c>sagemaker_submit_directory</c> points at <c>/opt/ml/input/data/code/sourcedir.tar.gz</c>.
    /// Default: false.
    /// </summary>
    public bool EnableNetworkIsolation { get; init; }

    /// <summary>
    /// Encrypt traffic between the instances (<c>encrypt_inter_container_traffic</c>).
    /// Default: true when <see cref="InstanceCount"/> &gt; 1 or a <see cref="Distribution"/> is set, otherwise false.
    /// </summary>
    public bool? EncryptInterContainerTraffic { get; init; }

    /// <summary>
    /// SageMaker Metrics time series for the job (<c>enable_sagemaker_metrics</c>, sent as
    /// <c>AlgorithmSpecification.EnableSageMakerMetricsTimeSeries</c> on training jobs; the tuner does not forward it, so
    /// a tuning job's definition carries none, as under the SDK). False sends <c>false</c>. Default: true, what the SDK's
    /// HuggingFace estimator sends when the argument is not given (<c>huggingface/estimator.py</c> lines 212-213, v2.257.6).
    /// </summary>
    public bool EnableSageMakerMetrics { get; init; } = true;

    /// <summary>Metrics extracted from the log (<c>metric_definitions</c>), at most 40. Default: none.</summary>
    public IReadOnlyList<MetricDefinition> MetricDefinitions { get; init; } = [];

    /// <summary>Tags on the job, at most 50; keys must not start with <c>aws:</c>. Default: none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// SageMaker Debugger hook (<c>debugger_hook_config</c>, sent as <c>DebugHookConfig</c> on training jobs; tuning jobs
    /// have none). True: on, writing under the output path; false: off. Default (null): what the SDK sends: on, unless
    /// the region is one of the SDK's <c>DEBUGGER_UNSUPPORTED_REGIONS</c>. Checkpoints do not change it: the SDK drops the
    /// hook for checkpointing distributed jobs of the mxnet, pytorch and tensorflow estimators only, not HuggingFace
    /// (<c>estimator.py</c> line 3737, <c>huggingface/estimator.py</c> line 33).
    /// </summary>
    public bool? DebuggerHook { get; init; }

    /// <summary>
    /// SageMaker Debugger system profiler (<c>disable_profiler</c> / <c>profiler_config</c>, sent as <c>ProfilerConfig</c>
    /// on training jobs). True: on (<c>DisableProfiler: false</c> with the output path); false: off
    /// (<c>DisableProfiler: true</c>). Default (null): what the SDK sends: on, unless the region is one of the SDK's
    /// <c>PROFILER_UNSUPPORTED_REGIONS</c>.
    /// </summary>
    public bool? Profiler { get; init; }

    /// <summary>Python logging level of the training toolkit (<c>container_log_level</c>, sent as <c>sagemaker_container_log_level</c>). Default: 20 (INFO).</summary>
    public int ContainerLogLevel { get; init; } = 20;

    /// <summary>
    /// The most instances one run of this job may use under an instance-count guardrail: <paramref name="maxInstanceCount"/>
    /// when the job runs a <see cref="Distribution"/> or is built for several instances (<see cref="InstanceCount"/> &gt; 1);
    /// otherwise 1. Without a launcher the toolkit starts the entry point on every instance
    /// (sagemaker-pytorch-training-toolkit <c>training.py</c>), so each extra instance would train its own copy of the
    /// model. The pipeline's PrepareRequest allows a run at most this many; quota plans need no more per job.
    /// </summary>
    /// <param name="maxInstanceCount">The guardrail (<see cref="Orchestration.HuggingFaceTrainingPipelineProps.MaxInstanceCount"/>).</param>
    /// <returns>The instances one run may use.</returns>
    public int MaxInstancesPerRun(int maxInstanceCount) => Distribution is not null || InstanceCount > 1 ? maxInstanceCount : 1;
}
