using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using Constructs;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// The translation recipe: fine-tune a sequence-to-sequence model (T5 by default) with
/// <c>training-scripts/translation/train.py</c> on the Hugging Face PyTorch DLC, within an environment's guardrails.
/// Data scientists change runs through the state machine input; the recipe changes through a pull request.
/// </summary>
public static class TranslationRecipe
{
    /// <summary>The script directory, relative to the repository root (archived as <c>sourcedir.tar.gz</c>).</summary>
    public const string ScriptDirectory = "training-scripts/translation";

    /// <summary>The recipe's short name, in its job name prefix (<see cref="JobNamePrefixes.For"/>: <c>hf-translate-&lt;environment&gt;</c>).</summary>
    public const string ShortName = "translate";

    /// <summary>DLC versions: a pair the Hugging Face training image catalog supports.</summary>
    public const string TransformersVersion = "4.36.0";

    /// <summary>PyTorch version of the DLC.</summary>
    public const string PytorchVersion = "2.1.0";

    /// <summary>Python version of the DLC.</summary>
    public const string PythonVersion = "py310";

    /// <summary>Where the recipe expects its data under the datasets bucket (channel name to key prefix).</summary>
    public static IReadOnlyDictionary<string, string> DataPrefixes { get; } = new Dictionary<string, string>
    {
        ["train"] = "translation/wmt16-de-en/train/",
        ["validation"] = "translation/wmt16-de-en/validation/",
        ["model"] = "models/t5-small/",
    };

    /// <summary>
    /// The training job of the recipe for an environment.
    /// </summary>
    /// <param name="training">The environment's training guardrails (default instance type, spot, maximum run time).</param>
    /// <param name="networkIsolated">Whether jobs run without network access (then the model comes through the
    /// <c>model</c> channel and the Hub is never contacted).</param>
    /// <param name="datasetsBucketName">Name of the datasets bucket (may be a token).</param>
    /// <param name="scriptDirectory">Absolute path of <see cref="ScriptDirectory"/> (metric definitions are read from it).</param>
    /// <returns>The job definition.</returns>
    public static HuggingFaceTrainingJobDefinition Job(TrainingConfig training, bool networkIsolated, string datasetsBucketName, string scriptDirectory)
    {
        ArgumentNullException.ThrowIfNull(training);
        var channels = new List<TrainingChannel>
        {
            new("train", $"s3://{datasetsBucketName}/{DataPrefixes["train"]}"),
            new("validation", $"s3://{datasetsBucketName}/{DataPrefixes["validation"]}"),
            TrainingChannel.Model($"s3://{datasetsBucketName}/{DataPrefixes["model"]}"),
        };
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
            Channels = channels,
            MetricDefinitions = LoadMetricDefinitions(scriptDirectory),
            Hyperparameters = new Dictionary<string, object?>
            {
                ["model_name_or_path"] = "t5-small",
                ["source_lang"] = "en",
                ["target_lang"] = "de",
                ["source_prefix"] = "translate English to German: ",
                ["max_source_length"] = 128,
                ["max_target_length"] = 128,
                ["num_train_epochs"] = 3,
                ["learning_rate"] = 5e-5,
                ["lr_scheduler_type"] = "linear",
                ["per_device_train_batch_size"] = 16,
                ["per_device_eval_batch_size"] = 16,
                ["gradient_accumulation_steps"] = 1,
                ["warmup_steps"] = 0,
                ["weight_decay"] = 0.0,
                ["fp16"] = false,
                ["bf16"] = false,
                ["seed"] = 42,
                ["max_train_samples"] = null,
                ["offline"] = networkIsolated,
            },
            HyperparameterTypes = HyperparameterTypes,
            Tags = new Dictionary<string, string> { ["recipe"] = "translation" },
        };
    }

    /// <summary>
    /// What <c>train.py</c> accepts for each hyperparameter (<c>args.py</c>'s <c>HYPERPARAMETERS</c> and its checks), so
    /// PrepareRequest refuses an override the script would refuse before any job starts. A contract test runs the
    /// script's parser over the same probe values (tests/node/state-machine/hyperparameter-contract.test.mjs).
    /// </summary>
    public static IReadOnlyDictionary<string, HyperparameterSpec> HyperparameterTypes { get; } = new Dictionary<string, HyperparameterSpec>
    {
        ["model_name_or_path"] = HyperparameterSpec.String(),
        ["source_lang"] = HyperparameterSpec.String(minLength: 1),
        ["target_lang"] = HyperparameterSpec.String(minLength: 1),
        ["source_prefix"] = HyperparameterSpec.String(),
        ["max_source_length"] = HyperparameterSpec.Integer(minimum: 1),
        ["max_target_length"] = HyperparameterSpec.Integer(minimum: 1),
        ["num_train_epochs"] = HyperparameterSpec.Float(exclusiveMinimum: 0),
        ["max_steps"] = HyperparameterSpec.Integer(),
        ["per_device_train_batch_size"] = HyperparameterSpec.Integer(minimum: 1),
        ["per_device_eval_batch_size"] = HyperparameterSpec.Integer(minimum: 1),
        ["gradient_accumulation_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["learning_rate"] = HyperparameterSpec.Float(),
        ["weight_decay"] = HyperparameterSpec.Float(),
        ["warmup_steps"] = HyperparameterSpec.Integer(),
        ["lr_scheduler_type"] = HyperparameterSpec.String(),
        ["fp16"] = HyperparameterSpec.Boolean(),
        ["bf16"] = HyperparameterSpec.Boolean(),
        ["seed"] = HyperparameterSpec.Integer(),
        ["eval_strategy"] = HyperparameterSpec.String(choices: ["no", "steps", "epoch"]),
        ["eval_steps"] = HyperparameterSpec.Integer(nullable: true),
        ["save_strategy"] = HyperparameterSpec.String(choices: ["no", "steps", "epoch"]),
        ["save_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["save_total_limit"] = HyperparameterSpec.Integer(nullable: true),
        ["logging_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["generation_max_length"] = HyperparameterSpec.Integer(nullable: true),
        ["num_beams"] = HyperparameterSpec.Integer(nullable: true),
        ["max_train_samples"] = HyperparameterSpec.Integer(minimum: 1, nullable: true),
        ["max_eval_samples"] = HyperparameterSpec.Integer(minimum: 1, nullable: true),
        ["offline"] = HyperparameterSpec.Boolean(),
        ["checkpoint_dir"] = HyperparameterSpec.String(),
    };

    /// <summary>The recipe's tuning job: maximise BLEU over the learning rate and warm-up.</summary>
    /// <param name="training">The environment's tuning limits.</param>
    /// <returns>The tuning definition.</returns>
    public static TuningDefinition Tuning(TrainingConfig training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new TuningDefinition
        {
            Objective = new TuningObjective("eval_bleu", TuningObjectiveType.Maximize),
            Ranges =
            [
                new ContinuousRange("learning_rate", 1e-5, 1e-4, ScalingType.Logarithmic),
                new IntegerRange("warmup_steps", 0, 500),
            ],
            Strategy = TuningStrategy.Bayesian,
            MaxJobs = Math.Min(training.MaxTuningJobs, 8),
            MaxParallelJobs = Math.Min(training.MaxParallelTuningJobs, 2),
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
    /// Adds the recipe's pipeline to a stack, wired to the environment's guardrails (the one call
    /// <c>TrainingPlatformStack</c> makes, construct id <c>TranslationPipeline</c>).
    /// </summary>
    /// <param name="scope">The stack.</param>
    /// <param name="id">Construct id (<c>TranslationPipeline</c>).</param>
    /// <param name="config">The environment.</param>
    /// <param name="repositoryRoot">Repository root (the script directory is read from it).</param>
    /// <param name="executionRole">SageMaker execution role.</param>
    /// <param name="datasets">Datasets bucket.</param>
    /// <param name="artifacts">Model artefacts bucket.</param>
    /// <param name="checkpoints">Checkpoints bucket.</param>
    /// <param name="encryptionKey">Key of the buckets and job volumes.</param>
    /// <param name="vpc">Training VPC.</param>
    /// <param name="vpcSubnets">Subnets of the training jobs (the network's private subnets, isolated or with egress).</param>
    /// <param name="securityGroups">Training security groups.</param>
    /// <param name="topic">Notification topic.</param>
    /// <param name="topicKey">Key of the notification topic.</param>
    /// <returns>The pipeline.</returns>
    public static HuggingFaceTrainingPipeline AddPipeline(Construct scope, string id, EnvironmentConfig config, string repositoryRoot,
        IRole executionRole, IBucket datasets, IBucket artifacts, IBucket checkpoints, IKey? encryptionKey,
        IVpc? vpc, SubnetSelection? vpcSubnets, IReadOnlyList<ISecurityGroup>? securityGroups, ITopic topic, IKey? topicKey)
    {
        ArgumentNullException.ThrowIfNull(config);
        var scripts = Path.Combine(repositoryRoot, ScriptDirectory);
        var isolated = config.Network.Mode == NetworkMode.Isolated;
        var training = config.Training;
        return new HuggingFaceTrainingPipeline(scope, id, new HuggingFaceTrainingPipelineProps
        {
            Job = Job(training, isolated, datasets.BucketName, scripts),
            Tuning = Tuning(training),
            ExecutionRole = executionRole,
            DatasetsBucket = datasets,
            ArtifactsBucket = artifacts,
            CheckpointsBucket = checkpoints,
            EncryptionKey = encryptionKey,
            ImageUri = HuggingFaceImage.ForScope(scope, TransformersVersion, PytorchVersion, PythonVersion, training.DefaultInstanceType),
            SourceCode = TrainingSourceCode.FromDirectory(scope, "TranslationSourceCode", scripts),
            Vpc = vpc,
            VpcSubnets = vpcSubnets,
            SecurityGroups = securityGroups,
            NotificationTopic = topic,
            NotificationTopicKey = topicKey,
            AllowedInstanceTypes = training.AllowedInstanceTypes,
            MaxInstanceCount = training.MaxInstanceCount,
            MaxRuntime = Duration.Hours(training.MaxRuntimeHours),
            MaxTuningJobs = training.MaxTuningJobs,
            MaxParallelTuningJobs = training.MaxParallelTuningJobs,
            JobNamePrefix = JobNamePrefixes.For(ShortName, config.Name),
            LogRetention = TrainingPlatformStack.ToRetentionDays(config.Retention.LogRetentionDays),
            RemovalPolicy = config.Retention.RemovalPolicy == RemovalBehaviour.Retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        });
    }
}
