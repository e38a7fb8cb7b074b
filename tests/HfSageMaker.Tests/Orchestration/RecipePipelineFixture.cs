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
using HfSageMaker.Constructs.Registry;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>
/// Synthesizes one recipe's pipeline once (isolated VPC, KMS, spot by default, tuning) and writes what the Node tests
/// execute and validate: the template (<c>state-machines/&lt;recipe&gt;-pipeline.template.json</c>), the recipe's
/// requests with literal names and ARNs (<c>requests/&lt;recipe&gt;-train.json</c>, <c>-tune.json</c>) and its default
/// registration request (<c>registration/&lt;recipe&gt;-default.json</c>).
/// </summary>
public abstract class RecipePipelineFixture
{
    public const string Account = "111122223333";
    public const string Region = "eu-west-1";

    public TrainingRecipe Recipe { get; }
    public TrainingConfig Guardrails { get; }
    public Stack Stack { get; }
    public HuggingFaceTrainingPipeline Pipeline { get; }
    public Template Template { get; }
    public JsonObject TemplateJson { get; }

    protected RecipePipelineFixture(TrainingRecipe recipe, TrainingConfig guardrails)
    {
        Recipe = recipe;
        Guardrails = guardrails;
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
        var scripts = ScriptDirectoryOf(recipe);
        var code = TrainingSourceCode.FromDirectory(Stack, recipe.ConstructIdPrefix + "Code", scripts);

        Pipeline = new HuggingFaceTrainingPipeline(Stack, recipe.PipelineConstructId, new HuggingFaceTrainingPipelineProps
        {
            Job = recipe.Job(guardrails, networkIsolated: true, datasets.BucketName, scripts),
            Tuning = recipe.Tuning(guardrails),
            ExecutionRole = role,
            Buckets = TestBuckets.Import(Stack, datasets, NewBucket("Artifacts"), NewBucket("Checkpoints"), key),
            EncryptionKey = key,
            ImageUri = HuggingFaceImage.Uri(recipe.TransformersVersion, recipe.PytorchVersion, recipe.PythonVersion, guardrails.DefaultInstanceType, Region),
            SourceCode = code,
            Vpc = vpc,
            SecurityGroups = [sg],
            NotificationTopic = notifications.Topic,
            NotificationTopicKey = notifications.Key,
            AllowedInstanceTypes = guardrails.AllowedInstanceTypes,
            MaxInstanceCount = guardrails.MaxInstanceCount,
            MaxRuntime = Duration.Hours(guardrails.MaxRuntimeHours),
            MaxTuningJobs = guardrails.MaxTuningJobs,
            MaxParallelTuningJobs = guardrails.MaxParallelTuningJobs,
            JobNamePrefix = JobNamePrefixOf(recipe),
            Registration = recipe.Registration(Stack, ModelApprovalStatus.PendingManualApproval, null),
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

    /// <summary>The fixtures' job name prefix: the recipe's without an environment (the Node tests expect <c>hf-translate-</c>).</summary>
    public static string JobNamePrefixOf(TrainingRecipe recipe) => "hf-" + recipe.ShortName;

    public static string ScriptDirectoryOf(TrainingRecipe recipe) => Path.Combine(RepositoryRoot, recipe.ScriptDirectory);

    public static string ResultsDirectory =>
        System.Environment.GetEnvironmentVariable("HF_TEST_RESULTS") is { Length: > 0 } r ? r : Path.Combine(RepositoryRoot, ".test-results");

    /// <summary>A recipe's requests with literal values (what SageMaker would receive for a named job).</summary>
    public static (JsonObject Train, JsonObject Tune) LiteralRequests(TrainingRecipe recipe, TrainingConfig guardrails)
    {
        const string datasets = "hf-datasets-111122223333-eu-west-1";
        var name = JobNamePrefixOf(recipe) + "-example";
        var resources = new TrainingJobResources
        {
            RoleArn = $"arn:aws:iam::{Account}:role/HfSageMaker-dev-SageMakerExecutionRole",
            ImageUri = HuggingFaceImage.Uri(recipe.TransformersVersion, recipe.PytorchVersion, recipe.PythonVersion, guardrails.DefaultInstanceType, Region),
            SubmitDirectoryS3Uri = $"s3://cdk-hnb659fds-assets-{Account}-{Region}/0123456789abcdef.tar.gz",
            OutputS3Uri = $"s3://hf-artifacts-{Account}-{Region}/{JobNamePrefixOf(recipe)}/",
            CheckpointS3Uri = $"s3://hf-checkpoints-{Account}-{Region}/{JobNamePrefixOf(recipe)}/{name}",
            KmsKeyArn = $"arn:aws:kms:{Region}:{Account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            SubnetIds = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            SecurityGroupIds = ["sg-0123456789abcdef0"],
            Region = Region,
        };
        var job = recipe.Job(guardrails, networkIsolated: true, datasets, ScriptDirectoryOf(recipe));
        return (TrainingRequestBuilder.CreateTrainingJob(job, resources, name),
            TrainingRequestBuilder.CreateHyperParameterTuningJob(job, recipe.Tuning(guardrails), resources, name));
    }

    /// <summary>The group name of the literal registration request: the SDK captures' <c>&lt;job prefix&gt;-dev</c>.</summary>
    public static string LiteralGroupName(TrainingRecipe recipe) => JobNamePrefixOf(recipe) + "-dev";

    /// <summary>
    /// A recipe's default registration request (<c>CreateModelPackage</c> before the run adds its artifact and lineage)
    /// with literal values: the serving image of <see cref="Region"/> and <see cref="LiteralGroupName"/>.
    /// </summary>
    public static JsonObject LiteralRegistrationRequest(TrainingRecipe recipe, TrainingConfig guardrails) =>
        LiteralRegistration(recipe, guardrails).Request;

    /// <summary><see cref="LiteralRegistrationRequest"/> and the policy the pipeline embeds with it.</summary>
    public static (JsonObject Request, JsonNode Policy) LiteralRegistration(TrainingRecipe recipe, TrainingConfig guardrails)
    {
        var stack = new Stack(new App(), "Literal", new StackProps { Env = new Amazon.CDK.Environment { Account = Account, Region = Region } });
        var registration = recipe.Registration(stack, ModelApprovalStatus.PendingManualApproval, null)
            ?? throw new InvalidOperationException($"recipe {recipe.Name} declares no inference section");
        var job = recipe.Job(guardrails, networkIsolated: true, "hf-datasets-111122223333-eu-west-1", ScriptDirectoryOf(recipe));
        return (ModelRegistrationRequest.Default(registration, LiteralGroupName(recipe), job, Region),
            JsonNode.Parse(JsonSerializer.Serialize(ModelRegistrationRequest.Policy(registration)))!);
    }

    private void WriteResults()
    {
        var machines = Path.Combine(ResultsDirectory, "state-machines");
        Directory.CreateDirectory(machines);
        File.WriteAllText(Path.Combine(machines, $"{Recipe.Name}-pipeline.template.json"), TemplateJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var requests = Path.Combine(ResultsDirectory, "requests");
        Directory.CreateDirectory(requests);
        var (train, tune) = LiteralRequests(Recipe, Guardrails);
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(requests, $"{Recipe.Name}-train.json"),
            new JsonObject { ["operation"] = "CreateTrainingJob", ["request"] = train }.ToJsonString(indented));
        File.WriteAllText(Path.Combine(requests, $"{Recipe.Name}-tune.json"),
            new JsonObject { ["operation"] = "CreateHyperParameterTuningJob", ["request"] = tune }.ToJsonString(indented));
        if (Recipe.Inference is not null)
        {
            // Not a whole request: the run's artifact, lineage, model card and token are added by registration.mjs
            // (tests/node/csharp-output/registration-requests.test.mjs completes and validates it).
            var registration = Path.Combine(ResultsDirectory, "registration");
            Directory.CreateDirectory(registration);
            File.WriteAllText(Path.Combine(registration, $"{Recipe.Name}-default.json"),
                new JsonObject
                {
                    ["operation"] = "CreateModelPackage",
                    ["defaultRequest"] = LiteralRegistration(Recipe, Guardrails).Request,
                    ["policy"] = LiteralRegistration(Recipe, Guardrails).Policy,
                }.ToJsonString(indented));
        }
    }
}
