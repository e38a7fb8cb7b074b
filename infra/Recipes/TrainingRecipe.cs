using System.Text.Json;
using Amazon.CDK;
using Constructs;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// A recipe: a training script directory (<c>training-scripts/&lt;Name&gt;/</c>, its <c>metric_definitions.json</c>
/// beside it), its job definition (DLC versions, channels, hyperparameters, tuning ranges and objective) and its
/// guardrail (<see cref="MinimumGpuMemoryGiB"/>). An environment file names the recipes it deploys and the instance
/// guardrails of each (<c>recipes</c>); the stack adds one <see cref="HuggingFaceTrainingPipeline"/> per recipe.
/// A new recipe is a folder under <c>training-scripts/</c> plus one sealed subclass of this class (found by
/// <see cref="RecipeRegistry"/>), and its name in <c>environments/environment.schema.json</c>.
/// </summary>
public abstract class TrainingRecipe
{
    /// <summary>
    /// The <c>bf16</c> setting both recipes' scripts read: "auto", "true" or "false", in any case with blanks around it
    /// dropped, and also yes/no/1/0 (<c>toolkit_args.normalize_bf16</c>, shared by the scripts).
    /// </summary>
    protected static HyperparameterSpec Bf16Setting { get; } = HyperparameterSpec.String(
        pattern: @"^\s*([Aa][Uu][Tt][Oo]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|1|0)\s*(?![\s\S])",
        patternMeaning: "\"auto\", \"true\" or \"false\"");

    /// <summary>
    /// The recipe's name: its key under <c>recipes</c> in environment files, its folder under <c>training-scripts/</c>
    /// and the <c>recipe</c> tag of its jobs and pipeline resources. Lowercase letters, digits and hyphens.
    /// </summary>
    public abstract string Name { get; }

    /// <summary>Short name in job names (<c>hf-&lt;ShortName&gt;-&lt;execution&gt;</c>): at most 9 lowercase letters or digits.</summary>
    public abstract string ShortName { get; }

    /// <summary>
    /// Start of the recipe's construct ids (a literal, part of the template contract): the pipeline is
    /// <c>&lt;prefix&gt;Pipeline</c>, its code asset <c>&lt;prefix&gt;SourceCode</c>, its output
    /// <c>&lt;prefix&gt;StateMachineArn</c>.
    /// </summary>
    public abstract string ConstructIdPrefix { get; }

    /// <summary>Construct id of the recipe's monitoring (dashboard, alarms, job state rules). Default: <c>&lt;prefix&gt;Monitoring</c>.</summary>
    public virtual string MonitoringConstructId => ConstructIdPrefix + "Monitoring";

    /// <summary>One line for reviewers and stack outputs: what the recipe trains.</summary>
    public abstract string Description { get; }

    /// <summary>Transformers version of the Hugging Face PyTorch training DLC (a pair the image catalog supports).</summary>
    public abstract string TransformersVersion { get; }

    /// <summary>PyTorch version of the DLC.</summary>
    public abstract string PytorchVersion { get; }

    /// <summary>Python version of the DLC, e.g. <c>py312</c>.</summary>
    public abstract string PythonVersion { get; }

    /// <summary>
    /// The least GPU memory (GiB per GPU, <see cref="InstanceTypeFacts.GpuMemoryGiB"/> of the instance-type catalog) an instance type needs to be allowed for this recipe;
    /// environment files that allow a smaller type for it are refused.
    /// </summary>
    public abstract int MinimumGpuMemoryGiB { get; }

    /// <summary>Why <see cref="MinimumGpuMemoryGiB"/> is what it is (shown in the environment loader's message).</summary>
    public abstract string MinimumGpuMemoryReason { get; }

    /// <summary>Where the recipe expects its data under the datasets bucket (channel name to key prefix).</summary>
    public abstract IReadOnlyDictionary<string, string> DataPrefixes { get; }

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

    /// <summary>The recipe's hyperparameters (every key a run may override), for an environment.</summary>
    /// <param name="networkIsolated">Whether jobs run without network access.</param>
    /// <returns>Name to value, in the order the script documents them.</returns>
    public abstract IReadOnlyDictionary<string, object?> Hyperparameters(bool networkIsolated);

    /// <summary>
    /// What the script accepts for each hyperparameter (every key of <see cref="Hyperparameters"/> and any other the
    /// script reads): embedded in the pipeline's policy, where PrepareRequest refuses an override that does not fit.
    /// </summary>
    public abstract IReadOnlyDictionary<string, HyperparameterSpec> HyperparameterTypes { get; }

    /// <summary>The recipe's tuning job for an environment's guardrails.</summary>
    /// <param name="training">The recipe's guardrails in the environment (tuning limits).</param>
    /// <returns>The tuning definition.</returns>
    public abstract TuningDefinition Tuning(TrainingConfig training);

    /// <summary>
    /// How the DLC launches the script over GPUs, for the recipe's guardrails. Default: none (one process), as the SDK
    /// sends without a <c>distribution</c> argument.
    /// </summary>
    /// <param name="training">The recipe's guardrails in the environment.</param>
    /// <returns>The distribution, or null.</returns>
    public virtual DistributionConfig? Distribution(TrainingConfig training) => null;

    /// <summary>The recipe's channels: <c>train</c>, <c>validation</c> and the <c>model</c> channel with the base weights.</summary>
    /// <param name="datasetsBucketName">Name of the datasets bucket (may be a token).</param>
    /// <returns>The channels.</returns>
    public virtual IReadOnlyList<TrainingChannel> Channels(string datasetsBucketName) =>
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
        return new HuggingFaceTrainingJobDefinition
        {
            EntryPoint = "train.py",
            TransformersVersion = TransformersVersion,
            PytorchVersion = PytorchVersion,
            PythonVersion = PythonVersion,
            InstanceType = training.DefaultInstanceType,
            InstanceCount = 1,
            MaxRuntime = Duration.Hours(Math.Min(training.MaxRuntimeHours, 24)),
            Spot = training.SpotByDefault ? new SpotTrainingOptions() : null,
            // Warm pools keep on-demand instances for the next job; SageMaker offers none for managed spot training.
            KeepAlivePeriod = !training.SpotByDefault && training.WarmPoolKeepAliveMinutes > 0
                ? Duration.Minutes(training.WarmPoolKeepAliveMinutes)
                : null,
            MaxRetryAttempts = 2,
            EnableNetworkIsolation = networkIsolated,
            Channels = Channels(datasetsBucketName),
            Distribution = Distribution(training),
            MetricDefinitions = LoadMetricDefinitions(scriptDirectory),
            Hyperparameters = Hyperparameters(networkIsolated),
            HyperparameterTypes = HyperparameterTypes,
            Tags = new Dictionary<string, string> { ["recipe"] = Name },
        };
    }

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
    /// guardrails in the environment and to the platform's shared resources. The jobs it starts carry the tag
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
            SourceCode = TrainingSourceCode.FromDirectory(scope, ConstructIdPrefix + "SourceCode", scripts),
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
