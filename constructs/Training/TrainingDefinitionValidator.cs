using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.CDK;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Checks a definition against the SageMaker API (botocore model shapes: lengths, ranges, patterns) and the SDK's
/// own rules (<c>fw_utils.validate_distribution</c>, <c>validate_mp_config</c>, <c>HuggingFace.__init__</c>), collecting
/// every problem as one line that names the field, the value and what is allowed.
/// </summary>
internal static partial class TrainingDefinitionValidator
{
    public const int MaxRuntimeSeconds = 28 * 24 * 3600;
    public const int MaxHyperparameters = 100;
    public const int MaxHyperparameterKeyLength = 256;
    public const int MaxHyperparameterValueLength = 2500;
    public const int MaxChannels = 20;
    public const int MaxMetricDefinitions = 40;
    public const int MaxEnvironmentVariables = 48;
    public const int MaxTags = 50;
    public const int MaxTunedParameters = 30;
    public const int MaxS3UriLength = 1024;
    public const int MaxTrainingJobNameLength = 63;
    public const int MaxTuningJobNameLength = 32;

    /// <summary>SageMaker's job name alphabet without anchors or length (botocore <c>TrainingJobName</c> /
    /// <c>HyperParameterTuningJobName</c>: <c>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}</c>, lengths checked separately); the
    /// run-time check receives it in PrepareRequest's policy.</summary>
    public const string JobNameAlphabet = "[a-zA-Z0-9](-*[a-zA-Z0-9])*";

    /// <summary><c>fw_utils.py</c> <c>TORCH_DISTRIBUTED_GPU_SUPPORTED_FRAMEWORK_VERSIONS</c> (v2.257.6): exact strings.</summary>
    public static readonly IReadOnlyList<string> TorchrunPytorchVersions =
        ["1.13.1", "2.0.0", "2.0.1", "2.1.0", "2.1.2", "2.2.0", "2.3.0", "2.3.1", "2.4.1", "2.5.1", "2.6.0", "2.7.1", "2.8.0"];

    /// <summary><c>fw_utils.py</c> <c>SM_DATAPARALLEL_SUPPORTED_FRAMEWORK_VERSIONS["pytorch"]</c> (v2.257.6): exact strings.</summary>
    public static readonly IReadOnlyList<string> SmddpPytorchVersions =
    [
        "1.6", "1.6.0", "1.7", "1.7.1", "1.8", "1.8.0", "1.8.1", "1.9", "1.9.0", "1.9.1", "1.10", "1.10.0", "1.10.2", "1.11",
        "1.11.0", "1.12", "1.12.0", "1.12.1", "1.13.1", "2.0.0", "2.0.1", "2.1.0", "2.1.2", "2.2.0",
    ];

    /// <summary><c>estimator.py</c> <c>Framework.UNSUPPORTED_DLC_IMAGE_FOR_SM_PARALLELISM</c> (v2.257.6, line 3479).</summary>
    private static readonly string[] SmParallelismUnsupportedImages = ["2.0.1-gpu-py310-cu121"];

    [GeneratedRegex("^" + JobNameAlphabet + "\\z")]
    private static partial Regex JobNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9\.\-_]+\z")]
    private static partial Regex ChannelNamePattern();

    [GeneratedRegex(@"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?\z")]
    private static partial Regex S3UriPattern();

    [GeneratedRegex(@"^arn:aws[a-z\-]*:iam::[0-9]{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+\z")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex("^[-0-9a-zA-Z]+\\z")]
    private static partial Regex VpcIdPattern();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*\\z")]
    private static partial Regex EnvironmentKeyPattern();

    [GeneratedRegex(@"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)\z")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+(\.[0-9]+)?\z")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^py3[0-9]*\z")]
    private static partial Regex PythonVersionPattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]+\z")]
    private static partial Regex RegionPattern();

    public static void CheckJobName(List<string> problems, string field, string? name, bool tuning)
    {
        if (name is null || CdkTokens.IsUnresolved(name))
        {
            return;
        }

        var max = tuning ? MaxTuningJobNameLength : MaxTrainingJobNameLength;
        if (name.Length is 0 || name.Length > max || !JobNamePattern().IsMatch(name))
        {
            problems.Add($"{field}: '{name}' ({name.Length} characters) is not a valid {(tuning ? "tuning" : "training")} job name; " +
                $"SageMaker allows 1-{max} characters of letters, digits and single or repeated hyphens, starting and ending with a letter or digit.");
        }
    }

    /// <summary>The job's own rules, shared by training and tuning requests (what the platform provides is checked by
    /// <see cref="CheckResources"/>; <paramref name="res"/> is read only for the image and the region).</summary>
    public static void CheckDefinition(List<string> problems, HuggingFaceTrainingJobDefinition def, TrainingJobResources res)
    {
        CheckEntryPoint(problems, def.EntryPoint);
        if (!VersionPattern().IsMatch(def.TransformersVersion ?? string.Empty))
        {
            problems.Add($"TransformersVersion: '{def.TransformersVersion}' is not a version; use major.minor[.patch], e.g. 4.49.0.");
        }

        var pytorch = ParseVersion(def.PytorchVersion);
        if (pytorch is null)
        {
            problems.Add($"PytorchVersion: '{def.PytorchVersion}' is not a version; use major.minor[.patch], e.g. 2.5.1.");
        }

        if (!PythonVersionPattern().IsMatch(def.PythonVersion ?? string.Empty))
        {
            problems.Add($"PythonVersion: '{def.PythonVersion}' is not a Python 3 version tag; use e.g. py311.");
        }

        var instanceTypeKnown = !CdkTokens.IsUnresolved(def.InstanceType);
        if (instanceTypeKnown && InstanceTypeCatalog.ExplainNotGpuTraining(def.InstanceType) is { } notGpu)
        {
            problems.Add($"InstanceType: {notGpu}");
        }

        if (def.InstanceCount < 1)
        {
            problems.Add($"InstanceCount: {def.InstanceCount} is not allowed; use at least 1.");
        }

        CheckVolume(problems, def.VolumeSize);
        var maxRuntime = CheckSeconds(problems, "MaxRuntime", def.MaxRuntime, 1, MaxRuntimeSeconds, "1 second to 28 days (2419200 seconds)");
        CheckSpot(problems, def, maxRuntime ?? 86400);
        if (def.MaxRetryAttempts is { } retries && (retries < 1 || retries > 30))
        {
            problems.Add($"MaxRetryAttempts: {retries} is not allowed; SageMaker allows 1-30 (leave it unset for no retry).");
        }

        CheckSeconds(problems, "KeepAlivePeriod", def.KeepAlivePeriod, 0, 3600, "0-3600 seconds");
        if (def.ContainerLogLevel < 0)
        {
            problems.Add($"ContainerLogLevel: {def.ContainerLogLevel} is not a Python logging level; use 10 (DEBUG), 20 (INFO), 30 (WARNING), 40 or 50.");
        }

        CheckChannels(problems, def);
        CheckDistribution(problems, def, pytorch, instanceTypeKnown);
        if (def.Distribution is DistributionConfig.SmdDataParallel or DistributionConfig.ModelParallel
            && res.ImageUri is { } image && !CdkTokens.IsUnresolved(image)
            && SmParallelismUnsupportedImages.FirstOrDefault(u => image.Contains(u, StringComparison.Ordinal)) is { } unsupported)
        {
            // estimator.py Framework._distribution_configuration (v2.257.6, lines 4159-4166, list line 3479): the SDK
            // refuses smdistributed on these images (only ever named by an image URI override: catalog tags carry
            // "-transformers<version>" in between).
            problems.Add($"Distribution: SMDDP and model parallel do not run on image '{image}' (the SDK's UNSUPPORTED_DLC_IMAGE_FOR_SM_PARALLELISM: {unsupported}); use another image or Torchrun / PytorchDdp.");
        }

        CheckMetrics(problems, def.MetricDefinitions);
        CheckEnvironment(problems, def);
        CheckTags(problems, def.Tags);
    }

    private static void CheckEntryPoint(List<string> problems, string? entryPoint)
    {
        if (string.IsNullOrWhiteSpace(entryPoint))
        {
            problems.Add("EntryPoint: empty; give the script path relative to the source directory, e.g. train.py.");
            return;
        }

        if (entryPoint.StartsWith('/') || entryPoint.Contains('\\', StringComparison.Ordinal)
            || entryPoint.Split('/').Any(segment => segment is ".." or "." or ""))
        {
            problems.Add($"EntryPoint: '{entryPoint}' must be a relative path inside the source directory with '/' separators and no '.', '..' or empty segments, e.g. train.py or scripts/train.py.");
        }
    }

    private static void CheckVolume(List<string> problems, Size? size)
    {
        if (size is null)
        {
            return;
        }

        double gib;
        try
        {
            gib = size.ToGibibytes(new SizeConversionOptions { Rounding = SizeRoundingBehavior.NONE });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add($"VolumeSize: {size} cannot be read as GiB ({e.Message}); use Size.Gibibytes(n).");
            return;
        }

        if (gib != Math.Floor(gib) || gib < 1 || gib > 16384)
        {
            problems.Add($"VolumeSize: {gib.ToString(CultureInfo.InvariantCulture)} GiB is not allowed; SageMaker takes a whole number of GB, 1-16384.");
        }
    }

    public static int? CheckSeconds(List<string> problems, string field, Duration? duration, long min, long max, string allowed)
    {
        if (duration is null)
        {
            return null;
        }

        double seconds;
        try
        {
            seconds = duration.ToSeconds(new TimeConversionOptions { Integral = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add($"{field}: {duration} cannot be read as seconds ({e.Message}).");
            return null;
        }

        if (seconds != Math.Floor(seconds) || seconds < min || seconds > max)
        {
            problems.Add($"{field}: {seconds.ToString(CultureInfo.InvariantCulture)} seconds is not allowed; SageMaker allows whole seconds, {allowed}.");
            return null;
        }

        return (int)seconds;
    }

    private static void CheckSpot(List<string> problems, HuggingFaceTrainingJobDefinition def, int maxRuntime)
    {
        if (def.Spot is null)
        {
            return;
        }

        var maxWait = CheckSeconds(problems, "Spot.MaxWait", def.Spot.MaxWait, 1, MaxRuntimeSeconds, "1 second to 28 days (2419200 seconds)");
        if (maxWait is { } wait && wait < maxRuntime)
        {
            problems.Add($"Spot.MaxWait: {wait} seconds is shorter than MaxRuntime ({maxRuntime} seconds); SageMaker requires MaxWaitTimeInSeconds >= MaxRuntimeInSeconds.");
        }

        if (def.KeepAlivePeriod is not null)
        {
            problems.Add("KeepAlivePeriod: warm pools cannot be used with managed spot training; remove KeepAlivePeriod or Spot.");
        }
    }

    private static void CheckChannels(List<string> problems, HuggingFaceTrainingJobDefinition def)
    {
        var channels = def.Channels ?? [];
        var total = channels.Count + (def.EnableNetworkIsolation ? 1 : 0);
        if (total > MaxChannels)
        {
            problems.Add($"Channels: {channels.Count} channels{(def.EnableNetworkIsolation ? " plus the code channel" : string.Empty)} is more than SageMaker's {MaxChannels}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            var field = $"Channels[{i}]";
            if (channel is null)
            {
                problems.Add($"{field}: null; remove it.");
                continue;
            }

            if (string.IsNullOrEmpty(channel.Name) || channel.Name.Length > 64 || !ChannelNamePattern().IsMatch(channel.Name))
            {
                problems.Add($"{field}.Name: '{channel.Name}' is not a channel name; SageMaker allows 1-64 characters of letters, digits, '.', '-' and '_'.");
            }
            else if (!seen.Add(channel.Name))
            {
                problems.Add($"{field}.Name: '{channel.Name}' is used by another channel; channel names must be unique.");
            }
            else if (def.EnableNetworkIsolation && channel.Name == ReservedHyperparameters.CodeChannelName)
            {
                problems.Add($"{field}.Name: 'code' is reserved when EnableNetworkIsolation is true (the code arrives through it); rename the channel.");
            }

            CheckS3Uri(problems, $"{field}.S3Uri", channel.S3Uri);
            if (channel.ContentType is { Length: > 256 })
            {
                problems.Add($"{field}.ContentType: {channel.ContentType.Length} characters is more than SageMaker's 256.");
            }

            if (channel.InputMode is { } mode && !Enum.IsDefined(mode))
            {
                problems.Add($"{field}.InputMode: {mode} is not File, FastFile or Pipe.");
            }

            if (channel.CompressionType == CompressionType.Gzip && channel.InputMode is not TrainingInputMode.Pipe)
            {
                problems.Add($"{field}.CompressionType: Gzip is only decompressed in Pipe mode; set InputMode = Pipe or leave CompressionType unset.");
            }
        }
    }

    public static void CheckS3Uri(List<string> problems, string field, string? uri)
    {
        if (CdkTokens.IsUnresolved(uri))
        {
            return;
        }

        if (string.IsNullOrEmpty(uri) || uri.Length > MaxS3UriLength || !S3UriPattern().IsMatch(uri))
        {
            problems.Add($"{field}: '{uri}' is not an S3 URI; use s3://bucket/prefix (at most 1024 characters).");
        }
    }

    private static void CheckDistribution(List<string> problems, HuggingFaceTrainingJobDefinition def, Version? pytorch, bool instanceTypeKnown)
    {
        switch (def.Distribution)
        {
            case null:
                return;
            case DistributionConfig.Torchrun:
                // fw_utils.validate_torch_distributed_distribution: framework_version in the list (exact string), and
                // a Python entry point.
                if (pytorch is not null && !TorchrunPytorchVersions.Contains(def.PytorchVersion))
                {
                    problems.Add($"Distribution: torchrun is not supported by the SDK for PytorchVersion '{def.PytorchVersion}' on GPU; use one of {string.Join(", ", TorchrunPytorchVersions)} (fw_utils.py TORCH_DISTRIBUTED_GPU_SUPPORTED_FRAMEWORK_VERSIONS, full versions only), or another distribution.");
                }

                if (def.EntryPoint is { } entry && !entry.EndsWith(".py", StringComparison.Ordinal))
                {
                    problems.Add($"EntryPoint: '{entry}' is not a Python file; torchrun runs *.py entry points only (the SDK's validate_torch_distributed_distribution).");
                }

                break;
            case DistributionConfig.PytorchDdp:
                break;
            case DistributionConfig.SmdDataParallel smddp:
                // fw_utils._validate_smdataparallel_args: framework_version in the list (exact string).
                if (pytorch is not null && !SmddpPytorchVersions.Contains(def.PytorchVersion))
                {
                    problems.Add($"Distribution: SMDDP (smdistributed dataparallel) is not supported by the SDK for PytorchVersion '{def.PytorchVersion}'; use one of {string.Join(", ", SmddpPytorchVersions)} (fw_utils.py SM_DATAPARALLEL_SUPPORTED_FRAMEWORK_VERSIONS), or Torchrun / PytorchDdp.");
                }

                if (instanceTypeKnown && InstanceTypeCatalog.Find(def.InstanceType)?.SmdistributedRefused == true)
                {
                    problems.Add($"Distribution: SMDDP does not support InstanceType '{def.InstanceType}'; the SDK refuses smdistributed on p5.48xlarge (\"SMModelParallel and SMDataParallel currently do not support p5 instances\"). Use Torchrun or PytorchDdp.");
                }
                else if (instanceTypeKnown && InstanceTypeCatalog.Find(def.InstanceType)?.SmdDataParallel != true)
                {
                    problems.Add($"Distribution: SMDDP does not support InstanceType '{def.InstanceType}'; use one of {string.Join(", ", InstanceTypeCatalog.SmdDataParallelTypes)}.");
                }

                CheckMpiOptions(problems, "Distribution.CustomMpiOptions", smddp.CustomMpiOptions);
                break;
            case DistributionConfig.Mpi mpi:
                if (mpi.ProcessesPerHost < 1)
                {
                    problems.Add($"Distribution.ProcessesPerHost: {mpi.ProcessesPerHost} is not allowed; use at least 1 (usually the GPU count).");
                }

                CheckMpiOptions(problems, "Distribution.CustomMpiOptions", mpi.CustomMpiOptions);
                break;
            case DistributionConfig.ModelParallel mp:
                if (mp.ProcessesPerHost is < 1)
                {
                    problems.Add($"Distribution.ProcessesPerHost: {mp.ProcessesPerHost} is not allowed; use at least 1 (usually the GPU count) or leave it unset.");
                }

                if (instanceTypeKnown && InstanceTypeCatalog.Find(def.InstanceType)?.SmdistributedRefused == true)
                {
                    problems.Add($"Distribution: model parallel does not support InstanceType '{def.InstanceType}'; the SDK refuses smdistributed on p5.48xlarge (\"SMModelParallel and SMDataParallel currently do not support p5 instances\").");
                }

                CheckMpiOptions(problems, "Distribution.CustomMpiOptions", mp.CustomMpiOptions);
                CheckModelParallelParameters(problems, mp.Parameters ?? new Dictionary<string, object?>());
                break;
        }
    }

    private static void CheckMpiOptions(List<string> problems, string field, string? options)
    {
        if (options is { Length: > MaxHyperparameterValueLength - 2 })
        {
            problems.Add($"{field}: {options.Length} characters; the encoded hyperparameter may have at most {MaxHyperparameterValueLength}.");
        }
    }

    /// <summary>The SDK's <c>fw_utils.validate_mp_config</c> rules.</summary>
    private static void CheckModelParallelParameters(List<string> problems, IReadOnlyDictionary<string, object?> config)
    {
        const string field = "Distribution.Parameters";
        if (!config.TryGetValue("partitions", out var partitions))
        {
            problems.Add($"{field}: 'partitions' is required by SageMaker model parallel (the SDK's validate_mp_config).");
        }

        foreach (var key in new[] { "microbatches", "partitions", "active_microbatches" })
        {
            if (config.TryGetValue(key, out var value) && !(IsInteger(value, out var n) && n >= 1))
            {
                problems.Add($"{field}[\"{key}\"]: {Show(value)} is not allowed; use a positive integer.");
            }
        }

        CheckIn(problems, config, "pipeline", "simple", "interleaved", "_only_forward");
        CheckIn(problems, config, "placement_strategy", "spread", "cluster");
        CheckIn(problems, config, "optimize", "speed", "memory");
        foreach (var key in new[] { "auto_partition", "contiguous", "load_partition", "horovod", "ddp", "deterministic_server" })
        {
            if (config.TryGetValue(key, out var value) && value is not bool)
            {
                problems.Add($"{field}[\"{key}\"]: {Show(value)} is not allowed; use true or false.");
            }
        }

        if (config.TryGetValue("partition_file", out var file) && file is not string)
        {
            problems.Add($"{field}[\"partition_file\"]: {Show(file)} is not allowed; use a string.");
        }

        if (config.TryGetValue("auto_partition", out var auto) && auto is false && !config.ContainsKey("default_partition"))
        {
            problems.Add($"{field}: 'default_partition' is required when 'auto_partition' is false.");
        }

        if (config.TryGetValue("default_partition", out var dp) && IsInteger(dp, out var defaultPartition)
            && IsInteger(partitions, out var partitionCount) && defaultPartition >= partitionCount)
        {
            problems.Add($"{field}[\"default_partition\"]: {defaultPartition} is not allowed; it must be less than partitions ({partitionCount}).");
        }

        if (config.TryGetValue("memory_weight", out var weight)
            && !(IsNumber(weight, out var w) && w >= 0.0 && w <= 1.0))
        {
            problems.Add($"{field}[\"memory_weight\"]: {Show(weight)} is not allowed; use a number between 0.0 and 1.0.");
        }

        foreach (var key in new[] { "ddp_port", "ddp_dist_backend" })
        {
            if (config.ContainsKey(key) && !config.ContainsKey("ddp"))
            {
                problems.Add($"{field}[\"{key}\"]: needs 'ddp' to be set as well.");
            }
        }

        if (config.TryGetValue("ddp_port", out var port) && !(IsInteger(port, out var p) && p >= 0))
        {
            problems.Add($"{field}[\"ddp_port\"]: {Show(port)} is not a port number.");
        }

        if (config.TryGetValue("horovod", out var horovod) && horovod is true && config.TryGetValue("ddp", out var ddp) && ddp is true)
        {
            problems.Add($"{field}: 'ddp' and 'horovod' cannot both be enabled.");
        }
    }

    private static void CheckIn(List<string> problems, IReadOnlyDictionary<string, object?> config, string key, params string[] allowed)
    {
        if (config.TryGetValue(key, out var value) && !(value is string s && allowed.Contains(s)))
        {
            problems.Add($"Distribution.Parameters[\"{key}\"]: {Show(value)} is not allowed; use one of {string.Join(", ", allowed)}.");
        }
    }

    private static void CheckMetrics(List<string> problems, IReadOnlyList<MetricDefinition>? metrics)
    {
        metrics ??= [];
        if (metrics.Count > MaxMetricDefinitions)
        {
            problems.Add($"MetricDefinitions: {metrics.Count} definitions is more than SageMaker's {MaxMetricDefinitions}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < metrics.Count; i++)
        {
            var metric = metrics[i];
            if (metric is null)
            {
                problems.Add($"MetricDefinitions[{i}]: null; remove it.");
                continue;
            }

            if (string.IsNullOrEmpty(metric.Name) || metric.Name.Length > 255)
            {
                problems.Add($"MetricDefinitions[{i}].Name: '{metric.Name}' is not allowed; SageMaker allows 1-255 characters.");
            }
            else if (!seen.Add(metric.Name))
            {
                problems.Add($"MetricDefinitions[{i}].Name: '{metric.Name}' is defined twice; metric names must be unique.");
            }

            if (string.IsNullOrEmpty(metric.Regex) || metric.Regex.Length > 500)
            {
                problems.Add($"MetricDefinitions[{i}].Regex: {metric.Regex?.Length ?? 0} characters is not allowed; SageMaker allows 1-500.");
            }
        }
    }

    private static void CheckEnvironment(List<string> problems, HuggingFaceTrainingJobDefinition def)
    {
        var environment = def.Environment ?? new Dictionary<string, string>();
        var count = environment.Count + (def.EnableNetworkIsolation && !environment.ContainsKey("HF_HUB_OFFLINE") ? 1 : 0);
        if (count > MaxEnvironmentVariables)
        {
            problems.Add($"Environment: {count} variables is more than SageMaker's {MaxEnvironmentVariables}.");
        }

        foreach (var (key, value) in environment)
        {
            if (key.Length > 512 || !EnvironmentKeyPattern().IsMatch(key))
            {
                problems.Add($"Environment[\"{key}\"]: not a valid variable name; SageMaker allows 1-512 characters matching [a-zA-Z_][a-zA-Z0-9_]*.");
            }

            if ((value?.Length ?? 0) > 512)
            {
                problems.Add($"Environment[\"{key}\"]: value is {value!.Length} characters; SageMaker allows at most 512.");
            }
        }

        if (def.EnableNetworkIsolation && environment.TryGetValue("HF_HUB_OFFLINE", out var offline) && offline != "1")
        {
            problems.Add($"Environment[\"HF_HUB_OFFLINE\"]: '{offline}' contradicts EnableNetworkIsolation (the Hub is unreachable); remove it or set \"1\".");
        }
    }

    public static void CheckTags(List<string> problems, IReadOnlyDictionary<string, string>? tags)
    {
        tags ??= new Dictionary<string, string>();
        if (tags.Count > MaxTags)
        {
            problems.Add($"Tags: {tags.Count} tags is more than SageMaker's {MaxTags}.");
        }

        foreach (var (key, value) in tags)
        {
            if (CdkTokens.IsUnresolved(key))
            {
                continue;
            }

            if (key.Length is 0 or > 128 || !TagPattern().IsMatch(key))
            {
                problems.Add($"Tags[\"{key}\"]: key is not allowed; SageMaker allows 1-128 letters, digits, spaces and _ . : / = + - @.");
            }
            else if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"Tags[\"{key}\"]: the 'aws:' prefix is reserved for AWS; choose another key.");
            }

            if (!CdkTokens.IsUnresolved(value) && ((value?.Length ?? 0) > 256 || !TagPattern().IsMatch(value ?? string.Empty)))
            {
                problems.Add($"Tags[\"{key}\"]: value '{value}' is not allowed; SageMaker allows 0-256 letters, digits, spaces and _ . : / = + - @.");
            }
        }
    }

    /// <summary>
    /// What the platform provides (<see cref="TrainingJobResources"/>) against the API shapes, and what the job needs of
    /// it. <paramref name="field"/> names each resource field in the caller's terms (the pipeline names its props); a
    /// null name drops the problem, for a field the caller checks itself.
    /// </summary>
    public static void CheckResources(List<string> problems, HuggingFaceTrainingJobDefinition def, TrainingJobResources res, Func<string, string?>? field = null)
    {
        var isolated = def.EnableNetworkIsolation;
        var named = new List<string>();
        CheckResourceShapes(named, res, isolated);
        if (def.Spot is not null && string.IsNullOrEmpty(res.CheckpointS3Uri))
        {
            named.Add("CheckpointS3Uri: not set, but Spot is; an interrupted spot job resumes only from checkpoints, so give TrainingJobResources.CheckpointS3Uri (s3://bucket/prefix).");
        }

        foreach (var line in named)
        {
            // Every line starts with its field name, the resource property, then ':' or '/'.
            var end = line.IndexOfAny([':', '/']);
            var name = field is null ? line[..end] : field(line[..end]);
            if (name is not null)
            {
                problems.Add(name + line[end..]);
            }
        }
    }

    private static void CheckResourceShapes(List<string> problems, TrainingJobResources res, bool isolated)
    {
        if (!CdkTokens.IsUnresolved(res.RoleArn) && (res.RoleArn is null || res.RoleArn.Length > 2048 || !RoleArnPattern().IsMatch(res.RoleArn)))
        {
            problems.Add($"RoleArn: '{res.RoleArn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/name).");
        }

        if (string.IsNullOrEmpty(res.ImageUri) || (!CdkTokens.IsUnresolved(res.ImageUri) && res.ImageUri.Length > 255))
        {
            problems.Add($"ImageUri: '{res.ImageUri}' is not allowed; SageMaker takes 1-255 characters.");
        }

        CheckS3Uri(problems, "SubmitDirectoryS3Uri", res.SubmitDirectoryS3Uri);
        // The archive's file name matters only with network isolation (it becomes part of sagemaker_submit_directory),
        // so it must be a literal there; CDK asset URIs have a token bucket but a literal "<hash>.gz" key.
        if (res.SubmitDirectoryS3Uri is { } submit)
        {
            var fileName = submit[(submit.LastIndexOf('/') + 1)..];
            if (fileName.Length == 0)
            {
                problems.Add($"SubmitDirectoryS3Uri: '{submit}' names a folder; give the S3 URI of the gzip tar archive itself (e.g. s3://bucket/code/sourcedir.tar.gz).");
            }
            else if (isolated && CdkTokens.IsUnresolved(fileName))
            {
                problems.Add($"SubmitDirectoryS3Uri: '{submit}' ends in an unresolved token; with EnableNetworkIsolation the archive's file name must be known at synthesis (it becomes /opt/ml/input/data/code/<file name>).");
            }
        }

        CheckS3Uri(problems, "OutputS3Uri", res.OutputS3Uri);
        if (res.CheckpointS3Uri is not null)
        {
            CheckS3Uri(problems, "CheckpointS3Uri", res.CheckpointS3Uri);
        }

        if (res.KmsKeyArn is { } key && (key.Length is 0 or > 2048))
        {
            problems.Add($"KmsKeyArn: {key.Length} characters is not allowed; SageMaker takes 1-2048.");
        }

        var subnets = res.SubnetIds;
        var groups = res.SecurityGroupIds;
        if ((subnets is null) != (groups is null))
        {
            problems.Add("SubnetIds/SecurityGroupIds: give both for a VPC job, or neither.");
        }

        if (subnets is not null && (subnets.Count is 0 or > 16))
        {
            problems.Add($"SubnetIds: {subnets.Count} subnets is not allowed; SageMaker takes 1-16.");
        }

        if (groups is not null && (groups.Count is 0 or > 5))
        {
            problems.Add($"SecurityGroupIds: {groups.Count} security groups is not allowed; SageMaker takes 1-5.");
        }

        foreach (var (name, ids) in new[] { ("SubnetIds", subnets), ("SecurityGroupIds", groups) })
        {
            foreach (var id in ids ?? [])
            {
                if (!CdkTokens.IsUnresolved(id) && (id is null || id.Length > 32 || !VpcIdPattern().IsMatch(id)))
                {
                    problems.Add($"{name}: '{id}' is not a VPC resource id (at most 32 letters, digits and '-').");
                }
            }
        }

        if (!CdkTokens.IsUnresolved(res.Region) && !RegionPattern().IsMatch(res.Region ?? string.Empty))
        {
            problems.Add($"Region: '{res.Region}' is not a region name such as us-east-1.");
        }
    }

    /// <summary>Checks the final hyperparameter map against the API limits (count, key and value lengths).</summary>
    public static void CheckHyperparameterLimits(List<string> problems, string field, IReadOnlyDictionary<string, string> encoded, int pending)
    {
        var total = encoded.Count + pending;
        if (total > MaxHyperparameters)
        {
            problems.Add($"{field}: {total} hyperparameters including the reserved sagemaker_* keys is more than SageMaker's {MaxHyperparameters}.");
        }

        foreach (var (key, value) in encoded)
        {
            if (key.Length > MaxHyperparameterKeyLength)
            {
                problems.Add($"{field}[\"{key[..32]}…\"]: key is {key.Length} characters; SageMaker allows at most {MaxHyperparameterKeyLength}.");
            }

            if (value.Length > MaxHyperparameterValueLength && !CdkTokens.IsUnresolved(value))
            {
                problems.Add($"{field}[\"{key}\"]: encoded value is {value.Length} characters; SageMaker allows at most {MaxHyperparameterValueLength}.");
            }
        }
    }

    public static Version? ParseVersion(string? text)
    {
        if (text is null || !VersionPattern().IsMatch(text) || !Version.TryParse(text, out var version))
        {
            return null;
        }

        return new Version(version.Major, version.Minor, Math.Max(version.Build, 0));
    }

    private static bool IsInteger(object? value, out long result)
    {
        switch (value)
        {
            case sbyte or byte or short or ushort or int or uint or long:
                result = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return true;
            default:
                result = 0;
                return false;
        }
    }

    private static bool IsNumber(object? value, out double result)
    {
        switch (value)
        {
            case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                result = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            default:
                result = 0;
                return false;
        }
    }

    private static string Show(object? value) =>
        HyperparameterEncoding.TryEncode(value, out var text, out _) ? text : value?.ToString() ?? "null";
}
