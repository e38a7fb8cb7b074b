using System.Text.Json;
using Amazon.CDK;
using Constructs;
using HfSageMaker.Constructs.Orchestration;
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
    /// <param name="problems">Where problems go (file, field, what is wrong).</param>
    /// <returns>The recipe, or null when a file is missing or does not match its schema.</returns>
    internal static TrainingRecipe? Load(string directory, Json.Schema.JsonSchema recipeSchema, Json.Schema.JsonSchema hyperparametersSchema, List<string> problems)
    {
        var name = Path.GetFileName(directory);
        var shown = $"training-scripts/{name}/";
        var data = RecipeFiles.Read(Path.Combine(directory, RecipeFiles.RecipeFileName), shown + RecipeFiles.RecipeFileName, recipeSchema, problems);
        var contract = RecipeFiles.Read(Path.Combine(directory, RecipeFiles.HyperparametersFileName), shown + RecipeFiles.HyperparametersFileName, hyperparametersSchema, problems);
        if (data is not { } recipeJson || contract is not { } contractJson)
        {
            return null;
        }

        var recipe = new TrainingRecipe(name, recipeJson, HyperparameterContract.FromJson(contractJson));
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

        return recipe;
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
        string repositoryRoot, RecipePlatform platform)
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
        });
        return pipeline;
    }
}
