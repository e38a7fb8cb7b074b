using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using HfSageMaker.Constructs.Operations;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>
/// Synthesizes the translation pipeline once (isolated VPC, KMS, spot by default, tuning) and writes what the Node tests
/// execute: the template, and the translation recipe's requests with literal names and ARNs.
/// </summary>
public sealed class PipelineFixture
{
    public const string Account = "111122223333";
    public const string Region = "eu-west-1";

    public static TrainingConfig Training { get; } = new()
    {
        AllowedInstanceTypes = ["ml.g5.2xlarge", "ml.g5.12xlarge", "ml.p3.2xlarge"],
        DefaultInstanceType = "ml.g5.2xlarge",
        MaxInstanceCount = 2,
        SpotByDefault = true,
        MaxRuntimeHours = 8,
        MaxTuningJobs = 10,
        MaxParallelTuningJobs = 2,
    };

    public Stack Stack { get; }
    public HuggingFaceTrainingPipeline Pipeline { get; }
    public Template Template { get; }
    public JsonObject TemplateJson { get; }

    public PipelineFixture()
    {
        var app = new App();
        // Environment-agnostic on purpose: with a concrete account the code asset's URL is a literal ending in
        // '<hash>.gz', which TrainingRequestBuilder rejects (it must end in .tar.gz for the isolated code channel);
        // see the pipeline branch report. The Node tests render the tokens with realistic placeholders.
        Stack = new Stack(app, "PipelineTest");
        var key = new Key(Stack, "Key", new KeyProps { EnableKeyRotation = true });
        var vpc = new Vpc(Stack, "Vpc", new VpcProps
        {
            MaxAzs = 2, NatGateways = 0,
            SubnetConfiguration = [new SubnetConfiguration { Name = "isolated", SubnetType = SubnetType.PRIVATE_ISOLATED }],
        });
        var sg = new SecurityGroup(Stack, "TrainingSg", new SecurityGroupProps { Vpc = vpc, AllowAllOutbound = false });
        Bucket NewBucket(string id) => new(Stack, id, new BucketProps { EncryptionKey = key, Encryption = BucketEncryption.KMS });
        var datasets = NewBucket("Datasets");
        var role = new Role(Stack, "ExecutionRole", new RoleProps { AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com") });
        var notifications = new PlatformNotifications(Stack, "Notifications", new PlatformNotificationsProps { EncryptionKey = key });
        var code = TrainingSourceCode.FromDirectory(Stack, "TranslationCode", ScriptDirectory);

        Pipeline = new HuggingFaceTrainingPipeline(Stack, "TranslationPipeline", new HuggingFaceTrainingPipelineProps
        {
            Job = TranslationRecipe.Job(Training, networkIsolated: true, datasets.BucketName, ScriptDirectory),
            Tuning = TranslationRecipe.Tuning(Training),
            ExecutionRole = role,
            DatasetsBucket = datasets,
            ArtifactsBucket = NewBucket("Artifacts"),
            CheckpointsBucket = NewBucket("Checkpoints"),
            EncryptionKey = key,
            ImageUri = HuggingFaceImage.Uri(TranslationRecipe.TransformersVersion, TranslationRecipe.PytorchVersion, TranslationRecipe.PythonVersion, "ml.g5.2xlarge", Region),
            SourceCode = code,
            Vpc = vpc,
            SecurityGroups = [sg],
            NotificationTopic = notifications.Topic,
            NotificationTopicKey = notifications.Key,
            AllowedInstanceTypes = Training.AllowedInstanceTypes,
            MaxInstanceCount = Training.MaxInstanceCount,
            MaxRuntime = Duration.Hours(Training.MaxRuntimeHours),
            MaxTuningJobs = Training.MaxTuningJobs,
            MaxParallelTuningJobs = Training.MaxParallelTuningJobs,
            JobNamePrefix = "hf-translate",
        });
        Template = Template.FromStack(Stack);
        TemplateJson = JsonNode.Parse(JsonSerializer.Serialize(Template.ToJSON()))!.AsObject();
        WriteResults();
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Infra.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root (Infra.sln) not found");
        }
    }

    public static string ScriptDirectory => Path.Combine(RepositoryRoot, TranslationRecipe.ScriptDirectory);

    public static string ResultsDirectory =>
        System.Environment.GetEnvironmentVariable("HF_TEST_RESULTS") is { Length: > 0 } r ? r : Path.Combine(RepositoryRoot, ".test-results");

    /// <summary>The recipe's requests with literal values (what SageMaker would receive for a named job).</summary>
    public static (JsonObject Train, JsonObject Tune) LiteralRequests()
    {
        const string datasets = "hf-datasets-111122223333-eu-west-1";
        var resources = new TrainingJobResources
        {
            RoleArn = $"arn:aws:iam::{Account}:role/HfSageMaker-dev-SageMakerExecutionRole",
            ImageUri = HuggingFaceImage.Uri(TranslationRecipe.TransformersVersion, TranslationRecipe.PytorchVersion, TranslationRecipe.PythonVersion, "ml.g5.2xlarge", Region),
            SubmitDirectoryS3Uri = $"s3://cdk-hnb659fds-assets-{Account}-{Region}/0123456789abcdef.tar.gz",
            OutputS3Uri = $"s3://hf-artifacts-{Account}-{Region}/hf-translate/",
            CheckpointS3Uri = $"s3://hf-checkpoints-{Account}-{Region}/hf-translate/hf-translate-example",
            KmsKeyArn = $"arn:aws:kms:{Region}:{Account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            SubnetIds = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            SecurityGroupIds = ["sg-0123456789abcdef0"],
            Region = Region,
        };
        var job = TranslationRecipe.Job(Training, networkIsolated: true, datasets, ScriptDirectory);
        return (TrainingRequestBuilder.CreateTrainingJob(job, resources, "hf-translate-example"),
            TrainingRequestBuilder.CreateHyperParameterTuningJob(job, TranslationRecipe.Tuning(Training), resources, "hf-translate-example"));
    }

    private void WriteResults()
    {
        var machines = Path.Combine(ResultsDirectory, "state-machines");
        Directory.CreateDirectory(machines);
        File.WriteAllText(Path.Combine(machines, "translation-pipeline.template.json"), TemplateJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var requests = Path.Combine(ResultsDirectory, "requests");
        Directory.CreateDirectory(requests);
        var (train, tune) = LiteralRequests();
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(requests, "translation-train.json"),
            new JsonObject { ["operation"] = "CreateTrainingJob", ["request"] = train }.ToJsonString(indented));
        File.WriteAllText(Path.Combine(requests, "translation-tune.json"),
            new JsonObject { ["operation"] = "CreateHyperParameterTuningJob", ["request"] = tune }.ToJsonString(indented));
    }
}
