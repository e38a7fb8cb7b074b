using System.Text.Json;
using Amazon.CDK;
using Constructs;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Registry;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// A recipe: one folder <c>training-scripts/&lt;Name&gt;/</c> holding its script (<c>train.py</c>), its data
/// (<c>recipe.json</c>: DLC versions, GPU minimum, data prefixes, tuning, distribution, names), its hyperparameters
/// (<c>hyperparameters.json</c>) and its metric regexes (<c>metric_definitions.json</c>). <see cref="RecipeRegistry"/>
/// reads every such folder; an environment file names the recipes it deploys and the instance guardrails of each
/// (<c>recipes</c>); the stack adds one <see cref="HuggingFaceTrainingPipeline"/> per recipe, whose code archive also
/// carries the shared <c>training-scripts/hf_recipe</c> package.
/// </summary>
public sealed class TrainingRecipe
{
    /// <summary>The package every recipe's archive carries at its root (<see cref="TrainingSourceCodeOptions.Dependencies"/>).</summary>
    public const string SharedCodeDirectory = "training-scripts/hf_recipe";

    private readonly JsonElement _tuning;

    private TrainingRecipe(string name, JsonElement data, HyperparameterContract hyperparameters)
    {
        Name = name;
        ShortName = data.GetProperty("shortName").GetString()!;
        ConstructIdPrefix = data.GetProperty("constructIdPrefix").GetString()!;
        MonitoringConstructId = data.TryGetProperty("monitoringConstructId", out var monitoring) ? monitoring.GetString()! : ConstructIdPrefix + "Monitoring";
        Description = data.GetProperty("description").GetString()!;
        var image = data.GetProperty("image");
        TransformersVersion = image.GetProperty("transformersVersion").GetString()!;
        PytorchVersion = image.GetProperty("pytorchVersion").GetString()!;
        PythonVersion = image.GetProperty("pythonVersion").GetString()!;
        var gpu = data.GetProperty("gpu");
        MinimumGpuMemoryGiB = gpu.GetProperty("minimumMemoryGiB").GetInt32();
        MinimumGpuMemoryReason = gpu.GetProperty("reason").GetString()!;
        DataPrefixes = data.GetProperty("dataPrefixes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        TorchrunWhenMultiGpu = data.TryGetProperty("distribution", out var distribution) && distribution.GetProperty("whenMultiGpu").GetString() == "torchrun";
        _tuning = data.GetProperty("tuning").Clone();
        Inference = data.TryGetProperty("inference", out var inference) ? RecipeInference.FromJson(inference) : null;
        Contract = hyperparameters;
    }

    /// <summary>
    /// The recipe's name: its folder under <c>training-scripts/</c>, its key under <c>recipes</c> in environment files
    /// and the <c>recipe</c> tag of its jobs. Lowercase letters, digits and hyphens.
    /// </summary>
    public string Name { get; }

    /// <summary>Short name in job names (<c>hf-&lt;ShortName&gt;-&lt;execution&gt;</c>): at most 9 lowercase letters or digits.</summary>
    public string ShortName { get; }

    /// <summary>
    /// Start of the recipe's construct ids (part of the template contract): the pipeline is <c>&lt;prefix&gt;Pipeline</c>,
    /// its code asset <c>&lt;prefix&gt;SourceCode</c>, its output <c>&lt;prefix&gt;StateMachineArn</c>.
    /// </summary>
    public string ConstructIdPrefix { get; }

    /// <summary>Construct id of the recipe's monitoring (dashboard, alarms, job state rules). Default: <c>&lt;prefix&gt;Monitoring</c>.</summary>
    public string MonitoringConstructId { get; }

    /// <summary>One line for reviewers and stack outputs: what the recipe trains.</summary>
    public string Description { get; }

    /// <summary>Transformers version of the Hugging Face PyTorch training DLC (a pair the image catalog supports).</summary>
    public string TransformersVersion { get; }

    /// <summary>PyTorch version of the DLC.</summary>
    public string PytorchVersion { get; }

    /// <summary>Python version of the DLC, e.g. <c>py312</c>.</summary>
    public string PythonVersion { get; }

    /// <summary>The image catalog's entry of the DLC (its regions), or null when the catalog has no such pair.</summary>
    public HuggingFaceImageVersion? TrainingImage =>
        HuggingFaceImage.SupportedVersions.SingleOrDefault(v => v.TransformersVersion == TransformersVersion && v.PytorchVersion == PytorchVersion);

    /// <summary>
    /// The least GPU memory (GiB per GPU, <see cref="InstanceTypeFacts.GpuMemoryGiB"/> of the instance-type catalog) an instance type needs to be allowed for this recipe;
    /// environment files that allow a smaller type for it are refused.
    /// </summary>
    public int MinimumGpuMemoryGiB { get; }

    /// <summary>Why <see cref="MinimumGpuMemoryGiB"/> is what it is (shown in the environment loader's message).</summary>
    public string MinimumGpuMemoryReason { get; }

    /// <summary>Where the recipe expects its data under the datasets bucket (channel name to key prefix).</summary>
    public IReadOnlyDictionary<string, string> DataPrefixes { get; }

    /// <summary>Whether the recipe launches torchrun when a run may use more than one GPU (<c>distribution.whenMultiGpu</c>).</summary>
    public bool TorchrunWhenMultiGpu { get; }

    /// <summary>The recipe's <c>hyperparameters.json</c>.</summary>
    public HyperparameterContract Contract { get; }

    /// <summary>How the trained model is served (<c>recipe.json</c> <c>inference</c>); null: runs register nothing.</summary>
    public RecipeInference? Inference { get; }

    /// <summary>The id of the stack output holding the name of the recipe's model package group.</summary>
    public string ModelPackageGroupOutputId => ConstructIdPrefix + "ModelPackageGroupName";

    /// <summary>The script directory, relative to the repository root (archived as <c>sourcedir.tar.gz</c>).</summary>
    public string ScriptDirectory => "training-scripts/" + Name;

    /// <summary>The job name prefix of the recipe's pipeline in an environment (<see cref="JobNamePrefixes.For"/>:
    /// <c>hf-&lt;ShortName&gt;-&lt;environment&gt;</c>); IAM scopes the pipeline to <c>&lt;prefix&gt;-*</c> jobs.</summary>
    /// <param name="environmentName">The environment's name, e.g. <c>dev</c>.</param>
    /// <returns>The prefix.</returns>
    public string JobNamePrefixIn(string environmentName) => JobNamePrefixes.For(ShortName, environmentName);

    /// <summary>The construct id of the recipe's pipeline.</summary>
    public string PipelineConstructId => ConstructIdPrefix + "Pipeline";

    /// <summary>The id of the stack output holding the recipe's state machine ARN.</summary>
    public string OutputId => ConstructIdPrefix + "StateMachineArn";

    /// <summary>The recipe's default hyperparameters for an environment (<see cref="HyperparameterContract.Defaults"/>).</summary>
    /// <param name="networkIsolated">Whether jobs run without network access.</param>
    /// <returns>Name to value, in the contract's order.</returns>
    public IReadOnlyDictionary<string, object?> Hyperparameters(bool networkIsolated) => Contract.Defaults(networkIsolated);

    /// <summary>
    /// What the script accepts for each hyperparameter (<see cref="HyperparameterContract.Types"/>): embedded in the
    /// pipeline's policy, where PrepareRequest refuses an override that does not fit.
    /// </summary>
    public IReadOnlyDictionary<string, HyperparameterSpec> HyperparameterTypes => Contract.Types;

    /// <summary>Reads the recipe in <paramref name="directory"/> (<c>training-scripts/&lt;name&gt;</c>).</summary>
    /// <param name="directory">The recipe folder.</param>
    /// <param name="recipeSchema">The schema of <c>recipe.json</c>.</param>
    /// <param name="hyperparametersSchema">The schema of <c>hyperparameters.json</c>.</param>
    /// <param name="vocabularies">The vocabularies its hyperparameters may name (<see cref="RecipeFiles.ReadVocabularies"/>).</param>
    /// <param name="problems">Where problems go (file, field, what is wrong).</param>
    /// <returns>The recipe, or null when a file is missing or does not match its schema.</returns>
    internal static TrainingRecipe? Load(string directory, Json.Schema.JsonSchema recipeSchema, Json.Schema.JsonSchema hyperparametersSchema, IReadOnlyDictionary<string, HyperparameterVocabulary> vocabularies, List<string> problems)
    {
        var name = Path.GetFileName(directory);
        var shown = $"training-scripts/{name}/";
        var data = RecipeFiles.Read(Path.Combine(directory, RecipeFiles.RecipeFileName), shown + RecipeFiles.RecipeFileName, recipeSchema, problems);
        var contract = RecipeFiles.Read(Path.Combine(directory, RecipeFiles.HyperparametersFileName), shown + RecipeFiles.HyperparametersFileName, hyperparametersSchema, problems);
        if (data is not { } recipeJson || contract is not { } contractJson)
        {
            return null;
        }

        var recipe = new TrainingRecipe(name, recipeJson, HyperparameterContract.FromJson(contractJson, vocabularies, shown + RecipeFiles.HyperparametersFileName, problems));
        foreach (var range in recipe._tuning.GetProperty("ranges").EnumerateObject().Where(r => !recipe.HyperparameterTypes.ContainsKey(r.Name)))
        {
            problems.Add($"{shown}{RecipeFiles.RecipeFileName}: tuning.ranges.{range.Name}: not a hyperparameter of {RecipeFiles.HyperparametersFileName}; allowed: {string.Join(", ", recipe.HyperparameterTypes.Keys)}.");
        }

        var rules = recipe.Contract.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            foreach (var unknown in rules[i].Names().Where(n => !recipe.HyperparameterTypes.ContainsKey(n)))
            {
                problems.Add($"{shown}{RecipeFiles.HyperparametersFileName}: rules[{i}]: {unknown}: not a hyperparameter of this file; allowed: {string.Join(", ", recipe.HyperparameterTypes.Keys)}.");
            }
        }

        if (recipe.Inference is { } inference)
        {
            problems.AddRange(InferenceProblems(recipe, inference).Select(p => $"{shown}{RecipeFiles.RecipeFileName}: inference.{p}"));
        }

        return recipe;
    }

    /// <summary>
    /// What the schema cannot check of the <c>inference</c> section: every instance type is one of SageMaker's real-time
    /// (or transform) types in the instance-type catalog, and the one serving image runs on all of them (the inference
    /// DLC has a GPU and a CPU build, picked by the first real-time type; TGI is GPU only); the inference DLC nearest to
    /// the training DLC exists; <c>modelDirectory</c> only with TGI (the inference toolkit loads the archive's root);
    /// <c>servableWhen.hyperparameter</c> is one of <c>hyperparameters.json</c>.
    /// </summary>
    private static IEnumerable<string> InferenceProblems(TrainingRecipe recipe, RecipeInference inference)
    {
        var llm = inference.ServingImage == RecipeInference.HuggingFaceLlm;
        if (!llm)
        {
            string? missing = null;
            try { _ = HuggingFaceInferenceImage.Nearest(recipe.TransformersVersion, recipe.PytorchVersion, recipe.PythonVersion); }
            catch (ArgumentException e) { missing = e.Message.Split('\n').Last().Trim(' ', '-'); }
            if (missing is not null) yield return $"servingImage: \"{inference.ServingImage}\" has no image for the recipe's training DLC: {missing}";
        }

        string? expected = llm ? "gpu" : ProcessorOrNull(inference.RealtimeInstanceTypes[0]);
        foreach (var (field, api, types) in new[]
                 {
                     ("realtimeInstanceTypes", InstanceTypeCatalog.RealtimeApi, inference.RealtimeInstanceTypes),
                     ("transformInstanceTypes", InstanceTypeCatalog.TransformApi, inference.TransformInstanceTypes ?? []),
                 })
        {
            foreach (var type in types)
            {
                if (InstanceTypeCatalog.Find(type)?.Apis.Contains(api) != true)
                {
                    yield return $"{field}: \"{type}\" is not one of SageMaker's {api} instance types (constructs/Training/Catalog/instance-types.json); e.g. ml.g5.xlarge.";
                    continue;
                }

                var processor = ProcessorOrNull(type);
                if (processor is null)
                    yield return $"{field}: \"{type}\" runs no Hugging Face serving image (Inferentia, Trainium, Graviton or a GPU the CUDA images do not support); use a GPU type such as ml.g5.xlarge{(llm ? "" : " or a CPU type such as ml.m5.xlarge")}.";
                else if (processor != expected)
                    yield return $"{field}: \"{type}\" is a {processor.ToUpperInvariant()} type, but the one serving image of the package is the {expected?.ToUpperInvariant()} build "
                        + (llm ? "(TGI runs on GPUs only)." : $"(picked by realtimeInstanceTypes[0] \"{inference.RealtimeInstanceTypes[0]}\"); declare types of one kind.");
            }
        }

        if (inference.ModelDirectory is not null && !llm)
            yield return $"modelDirectory: \"{inference.ModelDirectory}\" is allowed only with servingImage \"{RecipeInference.HuggingFaceLlm}\" (the inference DLC loads the archive's root).";
        if (inference.ServableHyperparameter is { } name && !recipe.HyperparameterTypes.ContainsKey(name))
            yield return $"servableWhen.hyperparameter: \"{name}\" is not a hyperparameter of {RecipeFiles.HyperparametersFileName}; allowed: {string.Join(", ", recipe.HyperparameterTypes.Keys)}.";
    }

    private static string? ProcessorOrNull(string instanceType)
    {
        try { return HuggingFaceInferenceImage.Processor(instanceType); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>
    /// The registration of the recipe's runs (<see cref="Inference"/>), or null without one: the serving image of the
    /// stack's region (<see cref="HuggingFaceInferenceImage.ForScope"/> for the processor of the first real-time type, or
    /// <see cref="HuggingFaceLlmImage.ForScope"/> told the weights' folder), the types, and the static lineage: the
    /// recipe, and the source commit and repository when the app knows them.
    /// </summary>
    /// <param name="scope">A construct of the stack.</param>
    /// <param name="approvalStatus">The status versions are registered with (the environment's approval mode).</param>
    /// <param name="source">The source the app was synthesized from, or null.</param>
    /// <returns>The registration, or null.</returns>
    public ModelRegistration? Registration(Construct scope, ModelApprovalStatus approvalStatus, SourceRevision? source)
    {
        if (Inference is not { } inference) return null;
        var llm = inference.ServingImage == RecipeInference.HuggingFaceLlm;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["recipe"] = Name };
        if (source?.Commit is { } commit) metadata["sourceCommit"] = commit;
        return new ModelRegistration
        {
            ImageUri = llm
                ? HuggingFaceLlmImage.ForScope(scope)
                : HuggingFaceInferenceImage.ForScope(scope, TransformersVersion, PytorchVersion, PythonVersion, inference.RealtimeInstanceTypes[0]),
            ContentTypes = inference.ContentTypes,
            ResponseTypes = inference.ResponseTypes,
            RealtimeInstanceTypes = inference.RealtimeInstanceTypes,
            TransformInstanceTypes = inference.TransformInstanceTypes,
            Environment = llm ? HuggingFaceLlmImage.Environment(inference.ModelDirectory) : null,
            ApprovalStatus = approvalStatus,
            ServableWhen = inference.ServableHyperparameter is { } hyperparameter
                ? new ServableWhen(hyperparameter, inference.ServableValue!, inference.NotServableReason!)
                : null,
            CustomerMetadataProperties = metadata,
            SourceCommit = source?.Commit,
            SourceRepository = source?.Repository,
        };
    }

    /// <summary>The recipe's tuning job within an environment's limits (<c>recipe.json</c> <c>tuning</c>; its job
    /// counts are caps that the environment's <c>maxTuningJobs</c> and <c>maxParallelTuningJobs</c> lower).</summary>
    /// <param name="training">The recipe's guardrails in the environment (tuning limits).</param>
    /// <returns>The tuning definition.</returns>
    public TuningDefinition Tuning(TrainingConfig training)
    {
        ArgumentNullException.ThrowIfNull(training);
        var objective = _tuning.GetProperty("objective");
        return new TuningDefinition
        {
            Objective = new TuningObjective(objective.GetProperty("metric").GetString()!, Enum.Parse<TuningObjectiveType>(objective.GetProperty("type").GetString()!)),
            Ranges = [.. _tuning.GetProperty("ranges").EnumerateObject().Select(Range)],
            Strategy = Enum.Parse<TuningStrategy>(_tuning.GetProperty("strategy").GetString()!),
            MaxJobs = Math.Min(training.MaxTuningJobs, _tuning.GetProperty("maxJobs").GetInt32()),
            MaxParallelJobs = Math.Min(training.MaxParallelTuningJobs, _tuning.GetProperty("maxParallelJobs").GetInt32()),
        };
    }

    private static ParameterRange Range(JsonProperty range)
    {
        var json = range.Value;
        var scaling = json.TryGetProperty("scaling", out var s) ? Enum.Parse<ScalingType>(s.GetString()!) : ScalingType.Auto;
        return json.GetProperty("type").GetString() switch
        {
            "categorical" => new CategoricalRange(range.Name, [.. json.GetProperty("values").EnumerateArray().Select(HyperparameterContract.Scalar)]),
            "integer" => new IntegerRange(range.Name, json.GetProperty("min").GetInt64(), json.GetProperty("max").GetInt64(), scaling),
            _ => new ContinuousRange(range.Name, json.GetProperty("min").GetDouble(), json.GetProperty("max").GetDouble(), scaling),
        };
    }

    /// <summary>
    /// How the DLC launches the script over GPUs, for the recipe's guardrails: torchrun (one process per GPU,
    /// <c>sagemaker_torch_distributed_enabled</c>) when the recipe asks for it (<c>distribution.whenMultiGpu</c>) and a
    /// run may use more than one GPU (an allowed type with several GPUs, or more than one instance); on a one-GPU type
    /// torchrun starts one process, so a run that picks a smaller type still works. Otherwise none, as the SDK sends
    /// without a <c>distribution</c> argument.
    /// </summary>
    /// <param name="training">The recipe's guardrails in the environment.</param>
    /// <returns>Torchrun or null.</returns>
    public DistributionConfig? Distribution(TrainingConfig training)
    {
        ArgumentNullException.ThrowIfNull(training);
        var multiGpu = training.MaxInstanceCount > 1
            || training.AllowedInstanceTypes.Any(t => (InstanceTypeCatalog.Find(t)?.Gpus ?? 1) > 1);
        return TorchrunWhenMultiGpu && multiGpu ? new DistributionConfig.Torchrun() : null;
    }

    /// <summary>
    /// The most instances one job of the recipe may use in an environment
    /// (<see cref="HuggingFaceTrainingJobDefinition.MaxInstancesPerRun"/> of its job): <c>maxInstanceCount</c> when it
    /// runs a distribution there (<see cref="Distribution"/>), otherwise 1, which is all its pipeline lets a run ask for.
    /// </summary>
    /// <param name="training">The recipe's guardrails in the environment.</param>
    /// <returns>The instance count per job.</returns>
    public int MaxInstancesPerJob(TrainingConfig training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Shape(training).MaxInstancesPerRun(training.MaxInstanceCount);
    }

    /// <summary>The recipe's channels: <c>train</c>, <c>validation</c> and the <c>model</c> channel with the base weights.</summary>
    /// <param name="datasetsBucketName">Name of the datasets bucket (may be a token).</param>
    /// <returns>The channels.</returns>
    public IReadOnlyList<TrainingChannel> Channels(string datasetsBucketName) =>
    [
        new("train", $"s3://{datasetsBucketName}/{DataPrefixes["train"]}"),
        new("validation", $"s3://{datasetsBucketName}/{DataPrefixes["validation"]}"),
        TrainingChannel.Model($"s3://{datasetsBucketName}/{DataPrefixes["model"]}"),
    ];

    /// <summary>The training job of the recipe within an environment's guardrails.</summary>
    /// <param name="training">The recipe's guardrails (default instance type, spot, maximum run time).</param>
    /// <param name="networkIsolated">Whether jobs run without network access (then the model comes through the
    /// <c>model</c> channel and the Hub is never contacted).</param>
    /// <param name="datasetsBucketName">Name of the datasets bucket (may be a token).</param>
    /// <param name="scriptDirectory">Absolute path of <see cref="ScriptDirectory"/> (metric definitions are read from it).</param>
    /// <returns>The job definition.</returns>
    public HuggingFaceTrainingJobDefinition Job(TrainingConfig training, bool networkIsolated, string datasetsBucketName, string scriptDirectory)
    {
        ArgumentNullException.ThrowIfNull(training);
        var channels = Channels(datasetsBucketName);
        return Shape(training) with
        {
            MaxRuntime = Duration.Hours(Math.Min(training.MaxRuntimeHours, 24)),
            Spot = training.SpotByDefault ? new SpotTrainingOptions() : null,
            // Warm pools keep on-demand instances for the next job; SageMaker offers none for managed spot training.
            KeepAlivePeriod = !training.SpotByDefault && training.WarmPoolKeepAliveMinutes > 0
                ? Duration.Minutes(training.WarmPoolKeepAliveMinutes)
                : null,
            MaxRetryAttempts = 2,
            EnableNetworkIsolation = networkIsolated,
            Channels = channels,
            MetricDefinitions = LoadMetricDefinitions(scriptDirectory),
            Hyperparameters = Hyperparameters(networkIsolated),
            // A run may not set what the script would not use here: the model channel wins over model_name_or_path, and
            // an isolated job stays offline whatever offline says.
            HyperparameterTypes = Contract.TypesFor(networkIsolated, [.. channels.Select(c => c.Name)]),
            HyperparameterRules = Contract.Rules,
            Tags = new Dictionary<string, string> { ["recipe"] = Name },
        };
    }

    /// <summary>What decides a job's image and instances: the script, the DLC, the default type, one instance and the
    /// distribution (<see cref="Job"/> adds the rest).</summary>
    private HuggingFaceTrainingJobDefinition Shape(TrainingConfig training) => new()
    {
        EntryPoint = "train.py",
        TransformersVersion = TransformersVersion,
        PytorchVersion = PytorchVersion,
        PythonVersion = PythonVersion,
        InstanceType = training.DefaultInstanceType,
        InstanceCount = 1,
        Distribution = Distribution(training),
    };

    /// <summary>The options of the recipe's code archive: <c>train.py</c> must be in it, and the
    /// <see cref="SharedCodeDirectory"/> package lands at its root, beside <c>train.py</c>.</summary>
    /// <param name="repositoryRoot">Repository root.</param>
    /// <returns>The options.</returns>
    public static TrainingSourceCodeOptions SourceCodeOptions(string repositoryRoot) =>
        new() { EntryPoint = "train.py", Dependencies = [Path.Combine(repositoryRoot, SharedCodeDirectory)] };

    /// <summary>
    /// The script's canonical metric regexes (<c>metric_definitions.json</c>, written next to the script that prints
    /// the metric lines), so the request carries exactly what the script emits.
    /// </summary>
    /// <param name="scriptDirectory">Absolute path of the script directory.</param>
    /// <returns>The metric definitions in file order.</returns>
    public static IReadOnlyList<MetricDefinition> LoadMetricDefinitions(string scriptDirectory)
    {
        var path = Path.Combine(scriptDirectory, "metric_definitions.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray()
            .Select(e => new MetricDefinition(e.GetProperty("Name").GetString()!, e.GetProperty("Regex").GetString()!))
            .ToArray();
    }

    /// <summary>
    /// Adds the recipe's pipeline to a stack (construct id <see cref="PipelineConstructId"/>), wired to the recipe's
    /// guardrails in the environment and to the platform's shared resources. Its code archive holds the recipe folder
    /// and, at its root, the <see cref="SharedCodeDirectory"/> package. The jobs it starts carry the tag
    /// <c>recipe=&lt;Name&gt;</c> (the job definition's tags); its CloudFormation resources get no extra tag, so the
    /// environment file's tag budget is unchanged.
    /// </summary>
    /// <param name="scope">The stack.</param>
    /// <param name="config">The environment.</param>
    /// <param name="training">The recipe's guardrails in the environment (<see cref="RecipeConfig.Training"/>).</param>
    /// <param name="repositoryRoot">Repository root (the script directory is read from it).</param>
    /// <param name="platform">The platform's role, buckets, network and topic.</param>
    /// <returns>The pipeline.</returns>
    public HuggingFaceTrainingPipeline AddPipeline(Construct scope, EnvironmentConfig config, TrainingConfig training,
        string repositoryRoot, RecipePlatform platform, SourceRevision? source = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(platform);
        var scripts = Path.Combine(repositoryRoot, ScriptDirectory);
        var isolated = config.Network.Mode == NetworkMode.Isolated;
        var pipeline = new HuggingFaceTrainingPipeline(scope, PipelineConstructId, new HuggingFaceTrainingPipelineProps
        {
            Job = Job(training, isolated, platform.Buckets.Datasets.BucketName, scripts),
            Tuning = Tuning(training),
            ExecutionRole = platform.ExecutionRole,
            Buckets = platform.Buckets,
            EncryptionKey = platform.EncryptionKey,
            ImageUri = HuggingFaceImage.ForScope(scope, TransformersVersion, PytorchVersion, PythonVersion, training.DefaultInstanceType),
            SourceCode = TrainingSourceCode.FromDirectory(scope, ConstructIdPrefix + "SourceCode", scripts, SourceCodeOptions(repositoryRoot)),
            Vpc = platform.Vpc,
            VpcSubnets = platform.VpcSubnets,
            SecurityGroups = platform.SecurityGroups,
            NotificationTopic = platform.Topic,
            NotificationTopicKey = platform.TopicKey,
            AllowedInstanceTypes = training.AllowedInstanceTypes,
            MaxInstanceCount = training.MaxInstanceCount,
            MaxRuntime = Duration.Hours(training.MaxRuntimeHours),
            MaxTuningJobs = training.MaxTuningJobs,
            MaxParallelTuningJobs = training.MaxParallelTuningJobs,
            JobNamePrefix = JobNamePrefixIn(config.Name),
            LogRetention = TrainingPlatformStack.ToRetentionDays(config.Retention.LogRetentionDays),
            RemovalPolicy = config.Retention.RemovalPolicy == RemovalBehaviour.Retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
            // The model package group: the pipeline's default, named <prefix>-<stack UUID>, retained where data is.
            Registration = Registration(scope,
                config.Registry.Approval == ApprovalMode.Automatic ? ModelApprovalStatus.Approved : ModelApprovalStatus.PendingManualApproval, source),
        });
        return pipeline;
    }
}
