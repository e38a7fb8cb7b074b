using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.CDK;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// The one place that turns a <see cref="HuggingFaceTrainingJobDefinition"/> into SageMaker API requests, field for
/// field what the Python SDK sends (<c>Framework._prepare_for_training</c>, <c>HuggingFace.hyperparameters</c>,
/// <c>_TrainingJob._get_train_args</c> / <c>Session._get_train_request</c>, <c>HyperparameterTuner</c>).
/// Every API constraint is checked here, at synthesis; all problems are reported together in one
/// <see cref="ArgumentException"/>.
/// </summary>
/// <remarks>
/// <para><b>Run-time choices.</b> When the name argument is null the request has no name and no
/// <c>sagemaker_job_name</c> hyperparameter: PrepareRequest sets both (<c>TrainingJobName</c> or
/// <c>HyperParameterTuningJobName</c>, and <c>sagemaker_job_name</c> JSON-encoded, as the SDK sets both from one name).
/// What a run-time instance type changes (the volume key, <c>sagemaker_instance_type</c>) is computed per allowed type
/// by <see cref="InstanceTypeChoice"/> and travels in PrepareRequest's policy.</para>
/// </remarks>
internal static class TrainingRequestBuilder
{
    /// <summary>The estimator class the tuner records (<c>sagemaker_estimator_class_name</c>).</summary>
    public const string EstimatorClassName = "HuggingFace";

    /// <summary>The estimator module the tuner records (<c>sagemaker_estimator_module</c>).</summary>
    public const string EstimatorModule = "sagemaker.huggingface.estimator";

    private const int DefaultVolumeGb = 30;
    private const int DefaultMaxRuntimeSeconds = 86400;

    /// <summary>Builds the <c>CreateTrainingJob</c> request.</summary>
    /// <param name="def">The job.</param>
    /// <param name="res">Role, image, code archive, buckets, key, network and region.</param>
    /// <param name="jobName">The training job name, or null to leave <c>TrainingJobName</c> and <c>sagemaker_job_name</c>
    /// for the run time (PrepareRequest).</param>
    /// <returns>The request body as SageMaker's JSON protocol takes it.</returns>
    /// <exception cref="ArgumentException">One line per problem: field, value, what is allowed.</exception>
    public static JsonObject CreateTrainingJob(HuggingFaceTrainingJobDefinition def, TrainingJobResources res, string? jobName)
    {
        ArgumentNullException.ThrowIfNull(def);
        ArgumentNullException.ThrowIfNull(res);
        var problems = new RequestProblems();
        var hyperparameters = CheckTraining(problems, def, res, jobName);
        Throw(problems, "CreateTrainingJob");

        var request = new JsonObject();
        if (jobName is not null)
        {
            request["TrainingJobName"] = jobName;
        }

        request["HyperParameters"] = ToJson(hyperparameters);
        var algorithm = new JsonObject
        {
            ["TrainingImage"] = res.ImageUri,
            ["TrainingInputMode"] = "File",
            // session.py _get_train_request (lines 1603-1606): the estimator's enable_sagemaker_metrics, True by default for
            // HuggingFace (huggingface/estimator.py lines 212-213).
            ["EnableSageMakerMetricsTimeSeries"] = def.EnableSageMakerMetrics,
        };
        if (def.MetricDefinitions is { Count: > 0 })
        {
            algorithm["MetricDefinitions"] = MetricDefinitions(def);
        }

        request["AlgorithmSpecification"] = algorithm;
        request["RoleArn"] = res.RoleArn;
        AddCommon(request, def, res, tuning: false);
        AddDebugger(request, def, res);
        AddTags(request, def.Tags);
        return request;
    }

    /// <summary>Builds the <c>CreateHyperParameterTuningJob</c> request (one training job definition).</summary>
    /// <param name="def">The training job each trial runs.</param>
    /// <param name="tuning">Ranges, objective, strategy and limits.</param>
    /// <param name="res">Role, image, code archive, buckets, key, network and region.</param>
    /// <param name="tuningJobName">The tuning job name (1-32 characters), or null to leave it and
    /// <c>sagemaker_job_name</c> for the run time (PrepareRequest).</param>
    /// <returns>The request body.</returns>
    /// <exception cref="ArgumentException">One line per problem: field, value, what is allowed.</exception>
    public static JsonObject CreateHyperParameterTuningJob(
        HuggingFaceTrainingJobDefinition def, TuningDefinition tuning, TrainingJobResources res, string? tuningJobName)
    {
        ArgumentNullException.ThrowIfNull(def);
        ArgumentNullException.ThrowIfNull(tuning);
        ArgumentNullException.ThrowIfNull(res);
        var problems = new RequestProblems();
        var (hyperparameters, ranges) = CheckTuning(problems, def, tuning, res, tuningJobName);
        Throw(problems, "CreateHyperParameterTuningJob");

        var limits = new JsonObject();
        // tuner.py lines 747-752: max_jobs stays unset for a strategy that takes none (Grid), else defaults to 1.
        var maxJobs = tuning.MaxJobs ?? (TuningRules.For(tuning.Strategy).TakesMaxJobs ? 1 : (int?)null);
        if (maxJobs is not null)
        {
            limits["MaxNumberOfTrainingJobs"] = maxJobs;
        }

        limits["MaxParallelTrainingJobs"] = tuning.MaxParallelJobs;
        if (tuning.MaxRuntime is not null)
        {
            // tuner.py _TuningJob._prepare_tuning_config -> session.py _map_tuning_config: ResourceLimits.MaxRuntimeInSeconds.
            limits["MaxRuntimeInSeconds"] = Seconds(tuning.MaxRuntime);
        }

        var config = new JsonObject
        {
            ["Strategy"] = tuning.Strategy.ToString(),
            ["HyperParameterTuningJobObjective"] = new JsonObject
            {
                ["Type"] = tuning.Objective.Type.ToString(),
                ["MetricName"] = tuning.Objective.MetricName,
            },
            ["ResourceLimits"] = limits,
            ["ParameterRanges"] = ranges.Json,
            ["TrainingJobEarlyStoppingType"] = tuning.EarlyStopping.ToString(),
        };
        if (tuning.RandomSeed is { } seed)
        {
            config["RandomSeed"] = seed;
        }

        if (tuning.Hyperband is { } hyperband)
        {
            // tuner.py HyperbandStrategyConfig.to_input_req / StrategyConfig.to_input_req.
            var bounds = new JsonObject();
            if (hyperband.MinResource is { } min)
            {
                bounds["MinResource"] = min;
            }

            if (hyperband.MaxResource is { } max)
            {
                bounds["MaxResource"] = max;
            }

            config["StrategyConfig"] = new JsonObject { ["HyperbandStrategyConfig"] = bounds };
        }

        if (tuning.CompletionCriteria is { } criteria)
        {
            config["TuningJobCompletionCriteria"] = CompletionCriteria(criteria);
        }

        var algorithm = new JsonObject
        {
            ["TrainingImage"] = res.ImageUri,
            ["TrainingInputMode"] = "File",
        };
        if (def.MetricDefinitions is { Count: > 0 })
        {
            algorithm["MetricDefinitions"] = MetricDefinitions(def);
        }

        var definition = new JsonObject
        {
            ["StaticHyperParameters"] = ToJson(hyperparameters),
            ["AlgorithmSpecification"] = algorithm,
            ["RoleArn"] = res.RoleArn,
        };
        AddCommon(definition, def, res, tuning: true);

        var request = new JsonObject();
        if (tuningJobName is not null)
        {
            request["HyperParameterTuningJobName"] = tuningJobName;
        }

        request["HyperParameterTuningJobConfig"] = config;
        request["TrainingJobDefinition"] = definition;
        if (tuning.WarmStart is { } warm)
        {
            request["WarmStartConfig"] = WarmStart(warm);
        }

        AddTags(request, def.Tags);
        return request;
    }

    /// <summary>
    /// Every problem of the requests a pipeline builds, without building them: the training request of
    /// <paramref name="def"/> and, with <paramref name="tuning"/>, the tuning request of <paramref name="tuningDef"/>.
    /// Each line names its field as in <see cref="CreateTrainingJob"/>'s message; the caller reports them in its own
    /// format (the pipeline prefixes <c>Job.</c> and <c>Tuning.</c>).
    /// </summary>
    /// <param name="def">The training job.</param>
    /// <param name="tuningDef">The job each tuning trial runs (the pipeline's has no warm pool), or null without tuning.</param>
    /// <param name="tuning">The tuning job, or null.</param>
    /// <param name="res">What the platform provides.</param>
    /// <param name="resourceField">Names a <see cref="TrainingJobResources"/> property in the caller's terms; null drops
    /// its problems (a field the caller checks itself).</param>
    /// <returns>The problems, each list without repeats.</returns>
    internal static RequestProblems Validate(HuggingFaceTrainingJobDefinition def, HuggingFaceTrainingJobDefinition? tuningDef,
        TuningDefinition? tuning, TrainingJobResources res, Func<string, string?> resourceField)
    {
        var problems = new RequestProblems(resourceField);
        CheckTraining(problems, def, res, null);
        if (tuning is not null && tuningDef is not null)
        {
            CheckTuning(problems, tuningDef, tuning, res, null);
        }

        return problems;
    }

    /// <summary>The problems of a request, by what each is about.</summary>
    internal sealed class RequestProblems(Func<string, string?>? resourceField = null)
    {
        private readonly List<string> _job = [];
        private readonly List<string> _tuning = [];
        private readonly List<string> _request = [];

        /// <summary>Rules of the job definition (its fields: <c>VolumeSize</c>, <c>Hyperparameters["lr"]</c>, ...).</summary>
        public IReadOnlyList<string> Job => [.. _job.Distinct(StringComparer.Ordinal)];

        /// <summary>Rules of the tuning definition (<c>Ranges[0]</c>, <c>MaxJobs</c>, ...).</summary>
        public IReadOnlyList<string> Tuning => [.. _tuning.Distinct(StringComparer.Ordinal)];

        /// <summary>The job names and what the platform provides (<see cref="TrainingJobResources"/>).</summary>
        public IReadOnlyList<string> Request => [.. _request.Distinct(StringComparer.Ordinal)];

        /// <summary>Every problem, request first.</summary>
        public IReadOnlyList<string> All => [.. Request, .. Job, .. Tuning];

        internal List<string> JobList => _job;

        internal List<string> TuningList => _tuning;

        internal List<string> RequestList => _request;

        internal Func<string, string?>? ResourceField => resourceField;
    }

    private static Dictionary<string, string> CheckTraining(RequestProblems problems, HuggingFaceTrainingJobDefinition def, TrainingJobResources res, string? jobName)
    {
        TrainingDefinitionValidator.CheckJobName(problems.RequestList, "jobName", jobName, tuning: false);
        TrainingDefinitionValidator.CheckDefinition(problems.JobList, def, res);
        TrainingDefinitionValidator.CheckResources(problems.RequestList, def, res, problems.ResourceField);
        var hyperparameters = BuildHyperparameters(problems.JobList, def, res, jobName);
        TrainingDefinitionValidator.CheckHyperparameterLimits(problems.JobList, "Hyperparameters", hyperparameters, jobName is null ? 1 : 0);
        DebuggerDefaults.Check(problems.JobList, def, res);
        return hyperparameters;
    }

    private static (Dictionary<string, string> Hyperparameters, TuningValidator.Result Ranges) CheckTuning(
        RequestProblems problems, HuggingFaceTrainingJobDefinition def, TuningDefinition tuning, TrainingJobResources res, string? tuningJobName)
    {
        TrainingDefinitionValidator.CheckJobName(problems.RequestList, "tuningJobName", tuningJobName, tuning: true);
        TrainingDefinitionValidator.CheckDefinition(problems.JobList, def, res);
        TrainingDefinitionValidator.CheckResources(problems.RequestList, def, res, problems.ResourceField);
        if (def.KeepAlivePeriod is not null)
        {
            problems.JobList.Add("KeepAlivePeriod: warm pools are not available to tuning jobs (SageMaker refuses KeepAlivePeriodInSeconds in a tuning job's training definition); remove it.");
        }

        var hyperparameters = BuildHyperparameters(problems.JobList, def, res, tuningJobName);
        var ranges = TuningValidator.Check(problems.TuningList, def, tuning);

        // HyperparameterTuner._prepare_static_hyperparameters (sagemaker/tuner.py): estimator.hyperparameters() in its
        // order without the tuned keys, then the estimator class metadata (always for Framework estimators) at the end.
        // A new dictionary: Dictionary.Remove would let the metadata reuse the freed slots in the middle.
        hyperparameters = hyperparameters
            .Where(kv => !ranges.TunedNames.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        hyperparameters[ReservedHyperparameters.EstimatorClassName] = HyperparameterEncoding.Encode(EstimatorClassName);
        hyperparameters[ReservedHyperparameters.EstimatorModule] = HyperparameterEncoding.Encode(EstimatorModule);
        // The static hyperparameters of the tuning request: over the limit only here when the tuner's two keys tip it.
        TrainingDefinitionValidator.CheckHyperparameterLimits(problems.TuningList, "StaticHyperParameters", hyperparameters, tuningJobName is null ? 1 : 0);
        return (hyperparameters, ranges);
    }

    /// <summary>
    /// The encoded hyperparameters in the SDK's order: the user's, then <c>Framework._prepare_for_training</c>'s
    /// reserved keys, then the distribution keys.
    /// </summary>
    private static Dictionary<string, string> BuildHyperparameters(
        List<string> problems, HuggingFaceTrainingJobDefinition def, TrainingJobResources res, string? jobName)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in def.Hyperparameters ?? new Dictionary<string, object?>())
        {
            if (string.IsNullOrEmpty(key))
            {
                problems.Add("Hyperparameters: an empty key is not allowed.");
                continue;
            }

            if (key.StartsWith(ReservedHyperparameters.ReservedPrefix, StringComparison.Ordinal) || key == ReservedHyperparameters.ModelParallelParameters)
            {
                problems.Add($"Hyperparameters[\"{key}\"]: reserved for SageMaker (keys starting with sagemaker_ and mp_parameters are set by the builder and dropped from the script's arguments by the toolkit); rename it.");
                continue;
            }

            if (!HyperparameterEncoding.TryEncode(value, out var encoded, out var error))
            {
                problems.Add($"Hyperparameters[\"{key}\"]: {error}.");
                continue;
            }

            result[key] = encoded;
        }

        var submitDirectory = def.EnableNetworkIsolation ? ReservedHyperparameters.IsolatedSubmitDirectory(res.SubmitDirectoryS3Uri) : res.SubmitDirectoryS3Uri;
        result[ReservedHyperparameters.SubmitDirectory] = HyperparameterEncoding.Encode(submitDirectory);
        result[ReservedHyperparameters.Program] = HyperparameterEncoding.Encode(def.EntryPoint);
        result[ReservedHyperparameters.ContainerLogLevel] = HyperparameterEncoding.Encode(def.ContainerLogLevel);
        if (jobName is not null)
        {
            result[ReservedHyperparameters.JobName] = HyperparameterEncoding.Encode(jobName);
        }

        result[ReservedHyperparameters.Region] = HyperparameterEncoding.Encode(res.Region);
        foreach (var (key, value) in DistributionHyperparameters(def))
        {
            if (!HyperparameterEncoding.TryEncode(value, out var encoded, out var error))
            {
                problems.Add($"Distribution.Parameters: {error}.");
                continue;
            }

            result[key] = encoded;
        }

        return result;
    }

    /// <summary>
    /// <c>HuggingFace._huggingface_distribution_configuration</c>: pytorchddp and torchrun set their flag and the instance type;
    /// everything else goes through <c>Framework._distribution_configuration</c> (MPI keys; for <c>smdistributed</c>
    /// the dataparallel flag, the instance type and the custom MPI options; <c>mp_parameters</c> with model parallel).
    /// </summary>
    private static IEnumerable<KeyValuePair<string, object?>> DistributionHyperparameters(HuggingFaceTrainingJobDefinition def)
    {
        switch (def.Distribution)
        {
            case DistributionConfig.PytorchDdp:
                // huggingface/estimator.py _huggingface_distribution_configuration: pytorchddp is checked first.
                yield return new(ReservedHyperparameters.PytorchDdpEnabled, true);
                yield return new(ReservedHyperparameters.InstanceType, def.InstanceType);
                break;
            case DistributionConfig.Torchrun:
                yield return new(ReservedHyperparameters.TorchDistributedEnabled, true);
                yield return new(ReservedHyperparameters.InstanceType, def.InstanceType);
                break;
            case DistributionConfig.SmdDataParallel smddp:
                yield return new(ReservedHyperparameters.DistributedDataParallelEnabled, true);
                yield return new(ReservedHyperparameters.InstanceType, def.InstanceType);
                yield return new(ReservedHyperparameters.DistributedDataParallelCustomMpiOptions, smddp.CustomMpiOptions ?? string.Empty);
                break;
            case DistributionConfig.Mpi mpi:
                yield return new(ReservedHyperparameters.MpiEnabled, true);
                yield return new(ReservedHyperparameters.MpiProcessesPerHost, mpi.ProcessesPerHost);
                yield return new(ReservedHyperparameters.MpiCustomMpiOptions, mpi.CustomMpiOptions ?? string.Empty);
                break;
            case DistributionConfig.ModelParallel mp:
                yield return new(ReservedHyperparameters.MpiEnabled, true);
                if (mp.ProcessesPerHost is { } processes)
                {
                    yield return new(ReservedHyperparameters.MpiProcessesPerHost, processes);
                }

                yield return new(ReservedHyperparameters.MpiCustomMpiOptions, mp.CustomMpiOptions ?? string.Empty);
                yield return new(ReservedHyperparameters.ModelParallelParameters, ToDictionary(mp.Parameters));
                // estimator.py Framework._distribution_configuration (v2.257.6, lines 4175-4180): the dataparallel flag
                // (false) and the instance type; the SMDDP MPI options only when dataparallel is enabled.
                yield return new(ReservedHyperparameters.DistributedDataParallelEnabled, false);
                yield return new(ReservedHyperparameters.InstanceType, def.InstanceType);
                break;
        }
    }

    private static System.Collections.IDictionary ToDictionary(IReadOnlyDictionary<string, object?>? parameters)
    {
        var ordered = new System.Collections.Specialized.OrderedDictionary(StringComparer.Ordinal);
        foreach (var (key, value) in parameters ?? new Dictionary<string, object?>())
        {
            ordered[key] = value;
        }

        return ordered;
    }

    /// <summary>Input channels, output, resources, stopping condition, VPC, spot, retries, environment: the members shared by both requests.</summary>
    private static void AddCommon(JsonObject target, HuggingFaceTrainingJobDefinition def, TrainingJobResources res, bool tuning)
    {
        var channels = new JsonArray();
        foreach (var channel in def.Channels ?? [])
        {
            channels.Add(Channel(channel));
        }

        if (def.EnableNetworkIsolation)
        {
            // _TrainingJob._get_train_args: the code channel, after the user's channels, with the SDK's defaults.
            channels.Add(Channel(new TrainingChannel(ReservedHyperparameters.CodeChannelName, res.SubmitDirectoryS3Uri)));
        }

        if (channels.Count > 0)
        {
            target["InputDataConfig"] = channels;
        }

        if (res.SubnetIds is not null && res.SecurityGroupIds is not null)
        {
            target["VpcConfig"] = new JsonObject
            {
                ["SecurityGroupIds"] = new JsonArray(res.SecurityGroupIds.Select(id => (JsonNode?)JsonValue.Create(id)).ToArray()),
                ["Subnets"] = new JsonArray(res.SubnetIds.Select(id => (JsonNode?)JsonValue.Create(id)).ToArray()),
            };
        }

        var output = new JsonObject { ["S3OutputPath"] = res.OutputS3Uri };
        if (res.KmsKeyArn is not null)
        {
            output["KmsKeyId"] = res.KmsKeyArn;
        }

        target["OutputDataConfig"] = output;
        var resources = new JsonObject
        {
            ["InstanceType"] = def.InstanceType,
            ["InstanceCount"] = def.InstanceCount,
            ["VolumeSizeInGB"] = def.VolumeSize is null ? DefaultVolumeGb : (int)def.VolumeSize.ToGibibytes(),
        };
        if (VolumeKey(res, def.InstanceType) is { } volumeKey)
        {
            resources["VolumeKmsKeyId"] = volumeKey;
        }

        if (!tuning && def.KeepAlivePeriod is not null)
        {
            resources["KeepAlivePeriodInSeconds"] = Seconds(def.KeepAlivePeriod);
        }

        // Training: ResourceConfig (session.py _get_train_request). Tuning: tuner.py _TuningJob._prepare_training_config
        // deletes "resource_config" and sets "hpo_resource_config" (VolumeKmsKeyId, InstanceCount, InstanceType,
        // VolumeSizeInGB), which session.py _map_training_config sends as HyperParameterTuningResourceConfig.
        target[ResourceConfigKey(tuning)] = resources;
        var stopping = new JsonObject { ["MaxRuntimeInSeconds"] = MaxRuntimeSeconds(def) };
        if (def.Spot is not null)
        {
            stopping["MaxWaitTimeInSeconds"] = MaxWaitSeconds(def);
        }

        target["StoppingCondition"] = stopping;
        if (def.EnableNetworkIsolation)
        {
            target["EnableNetworkIsolation"] = true;
        }

        if (def.EncryptInterContainerTraffic ?? (def.InstanceCount > 1 || !TrafficEncryptionFollowsInstanceCount(def)))
        {
            target["EnableInterContainerTrafficEncryption"] = true;
        }

        if (def.Spot is not null)
        {
            target["EnableManagedSpotTraining"] = true;
        }

        if (res.CheckpointS3Uri is not null)
        {
            // Session._get_train_request / _map_training_config: LocalPath only when checkpoint_local_path is given
            // (SageMaker's default is /opt/ml/checkpoints).
            var checkpoints = new JsonObject { ["S3Uri"] = res.CheckpointS3Uri };
            if (!string.IsNullOrEmpty(def.CheckpointLocalPath))
            {
                checkpoints["LocalPath"] = def.CheckpointLocalPath;
            }

            target["CheckpointConfig"] = checkpoints;
        }

        if (def.MaxRetryAttempts is { } retries)
        {
            target["RetryStrategy"] = new JsonObject { ["MaximumRetryAttempts"] = retries };
        }

        var environment = new JsonObject();
        foreach (var (key, value) in def.Environment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        if (def.EnableNetworkIsolation && !environment.ContainsKey("HF_HUB_OFFLINE"))
        {
            environment["HF_HUB_OFFLINE"] = "1";
        }

        if (environment.Count > 0)
        {
            target["Environment"] = environment;
        }
    }

    private static JsonObject Channel(TrainingChannel channel)
    {
        // sagemaker.inputs.TrainingInput defaults: S3Prefix, FullyReplicated; optional members only when given.
        var json = new JsonObject
        {
            ["ChannelName"] = channel.Name,
            ["DataSource"] = new JsonObject
            {
                ["S3DataSource"] = new JsonObject
                {
                    ["S3DataType"] = "S3Prefix",
                    ["S3Uri"] = channel.S3Uri,
                    ["S3DataDistributionType"] = channel.S3DataDistributionType.ToString(),
                },
            },
        };
        if (channel.ContentType is not null)
        {
            json["ContentType"] = channel.ContentType;
        }

        if (channel.CompressionType is { } compression)
        {
            json["CompressionType"] = compression.ToString();
        }

        if (channel.InputMode is { } mode)
        {
            json["InputMode"] = mode.ToString();
        }

        return json;
    }

    /// <summary>
    /// What choosing <paramref name="instanceType"/> at run time changes in the requests built from
    /// <paramref name="def"/> and <paramref name="res"/>: the resource configuration's volume key (present on types that
    /// take one) and, when the distribution sends it, <c>sagemaker_instance_type</c>. PrepareRequest receives this for
    /// every allowed type in its policy and applies it as it is.
    /// </summary>
    /// <param name="def">The job.</param>
    /// <param name="res">The job's resources (keys).</param>
    /// <param name="instanceType">A GPU training instance type.</param>
    /// <returns><c>{"resources": {"VolumeKmsKeyId"}?, "hyperParameters": {"sagemaker_instance_type"}?}</c>.</returns>
    internal static JsonObject InstanceTypeChoice(HuggingFaceTrainingJobDefinition def, TrainingJobResources res, string instanceType)
    {
        var choice = new JsonObject();
        if (VolumeKey(res, instanceType) is { } volumeKey)
        {
            choice["resources"] = new JsonObject { ["VolumeKmsKeyId"] = volumeKey };
        }

        if (DistributionHyperparameters(def).Any(kv => kv.Key == ReservedHyperparameters.InstanceType))
        {
            choice["hyperParameters"] = new JsonObject { [ReservedHyperparameters.InstanceType] = HyperparameterEncoding.Encode(instanceType) };
        }

        return choice;
    }

    /// <summary>The volume key of a job on <paramref name="instanceType"/>: the volume key, else the output key, on types
    /// without local storage (<see cref="InstanceTypeFacts.AcceptsVolumeKmsKey"/>); null otherwise.</summary>
    private static string? VolumeKey(TrainingJobResources res, string instanceType)
    {
        var key = res.VolumeKmsKeyArn ?? res.KmsKeyArn;
        return key is not null && !CdkTokens.IsUnresolved(instanceType) && InstanceTypeCatalog.Find(instanceType)?.AcceptsVolumeKmsKey == true
            ? key
            : null;
    }

    /// <summary><c>StoppingCondition.MaxRuntimeInSeconds</c>: the job's, else the SDK's default of one day.</summary>
    internal static int MaxRuntimeSeconds(HuggingFaceTrainingJobDefinition def) =>
        def.MaxRuntime is null ? DefaultMaxRuntimeSeconds : Seconds(def.MaxRuntime);

    /// <summary>
    /// <c>StoppingCondition.MaxWaitTimeInSeconds</c> of the job with spot: <see cref="SpotTrainingOptions.MaxWait"/>, else
    /// twice the run time, at most 28 days and never below the run time. (The SDK has no default: it sends
    /// <c>max_wait</c> only when given, and SageMaker refuses spot without it; README divergence table.) PrepareRequest's
    /// policy carries this value as the wait a run keeps when it changes only the run time.
    /// </summary>
    /// <param name="def">The job (with or without <see cref="HuggingFaceTrainingJobDefinition.Spot"/>).</param>
    /// <returns>Seconds.</returns>
    internal static int MaxWaitSeconds(HuggingFaceTrainingJobDefinition def)
    {
        var maxRuntime = MaxRuntimeSeconds(def);
        return def.Spot?.MaxWait is { } wait
            ? Seconds(wait)
            : Math.Max(maxRuntime, Math.Min(2 * maxRuntime, TrainingDefinitionValidator.MaxRuntimeSeconds));
    }

    /// <summary>
    /// True when <c>EnableInterContainerTrafficEncryption</c> is decided by the instance count alone (no explicit
    /// <see cref="HuggingFaceTrainingJobDefinition.EncryptInterContainerTraffic"/>, no distribution): then it is sent
    /// exactly when more than one instance runs, also when the count changes at run time (PrepareRequest's
    /// <c>policy.encryptTrafficWhenMultiInstance</c>).
    /// </summary>
    /// <param name="def">The job.</param>
    /// <returns>Whether a run-time instance count must recompute the flag.</returns>
    internal static bool TrafficEncryptionFollowsInstanceCount(HuggingFaceTrainingJobDefinition def)
    {
        ArgumentNullException.ThrowIfNull(def);
        return def.EncryptInterContainerTraffic is null && def.Distribution is null;
    }

    /// <summary>The member of a training request (or a tuning job's training definition) that holds the instances.</summary>
    /// <param name="tuning">True for <c>TrainingJobDefinition</c> of a tuning request.</param>
    /// <returns><c>HyperParameterTuningResourceConfig</c> for tuning, <c>ResourceConfig</c> for training.</returns>
    public static string ResourceConfigKey(bool tuning) => tuning ? "HyperParameterTuningResourceConfig" : "ResourceConfig";

    private static JsonObject CompletionCriteria(TuningCompletionCriteria criteria)
    {
        // tuner.py TuningJobCompletionCriteriaConfig.to_input_req: only the members that are set, in this order.
        var json = new JsonObject();
        if (criteria.MaxNumberOfTrainingJobsNotImproving is { } notImproving)
        {
            json["BestObjectiveNotImproving"] = new JsonObject { ["MaxNumberOfTrainingJobsNotImproving"] = notImproving };
        }

        if (criteria.TargetObjectiveMetricValue is { } target)
        {
            json["TargetObjectiveMetricValue"] = target;
        }

        if (criteria.CompleteOnConvergence is { } convergence)
        {
            json["ConvergenceDetected"] = new JsonObject { ["CompleteOnConvergence"] = convergence ? "Enabled" : "Disabled" };
        }

        return json;
    }

    /// <summary><c>tuner.py</c> <c>WarmStartConfig.to_input_req</c>.</summary>
    internal static JsonObject WarmStart(TuningWarmStart warm) => new()
    {
        ["WarmStartType"] = warm.Type.ToString(),
        ["ParentHyperParameterTuningJobs"] = new JsonArray(warm.Parents
            .Select(p => (JsonNode?)new JsonObject { ["HyperParameterTuningJobName"] = p }).ToArray()),
    };

    private static void AddDebugger(JsonObject request, HuggingFaceTrainingJobDefinition def, TrainingJobResources res)
    {
        if (DebuggerDefaults.HookEnabled(def, res))
        {
            // debugger.py DebuggerHookConfig._to_request_dict: S3OutputPath (the estimator's output_path) and the
            // de-duplicated collection configurations (none without rules).
            request["DebugHookConfig"] = new JsonObject { ["S3OutputPath"] = res.OutputS3Uri, ["CollectionConfigurations"] = new JsonArray() };
        }

        // profiler_config.py ProfilerConfig._to_request_dict: S3OutputPath only while the profiler is on.
        request["ProfilerConfig"] = DebuggerDefaults.ProfilerEnabled(def, res)
            ? new JsonObject { ["S3OutputPath"] = res.OutputS3Uri, ["DisableProfiler"] = false }
            : new JsonObject { ["DisableProfiler"] = true };
    }

    private static JsonArray MetricDefinitions(HuggingFaceTrainingJobDefinition def) =>
        new(def.MetricDefinitions.Select(m => (JsonNode?)new JsonObject { ["Name"] = m.Name, ["Regex"] = m.Regex }).ToArray());

    private static void AddTags(JsonObject request, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is { Count: > 0 })
        {
            request["Tags"] = new JsonArray(tags.Select(t => (JsonNode?)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray());
        }
    }

    private static JsonObject ToJson(Dictionary<string, string> hyperparameters)
    {
        var json = new JsonObject();
        foreach (var (key, value) in hyperparameters)
        {
            json[key] = value;
        }

        return json;
    }

    private static int Seconds(Duration duration) =>
        (int)duration.ToSeconds(new TimeConversionOptions { Integral = false });

    private static void Throw(List<string> problems, string operation)
    {
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{operation}: {problems.Count} problem(s):\n") +
                string.Join("\n", problems));
        }
    }

    private static void Throw(RequestProblems problems, string operation) => Throw([.. problems.All], operation);
}
