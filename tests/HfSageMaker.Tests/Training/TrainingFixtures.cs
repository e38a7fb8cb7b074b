using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Tests.Training;

/// <summary>Realistic definitions and resources, and the dump of every request for the Node API-model check.</summary>
internal static class TrainingFixtures
{
    public const string Role = "arn:aws:iam::123456789012:role/hf-training-execution";
    public const string Image = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04";
    public const string SourceDir = "s3://hf-code-123456789012/jobs/bert/sourcedir.tar.gz";
    public const string Output = "s3://hf-artifacts-123456789012/output";
    public const string Checkpoints = "s3://hf-artifacts-123456789012/checkpoints/bert";
    public const string Key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    public static TrainingJobResources Resources(string? checkpoint = Checkpoints, string? kms = null, bool vpc = false) => new()
    {
        RoleArn = Role,
        ImageUri = Image,
        SubmitDirectoryS3Uri = SourceDir,
        OutputS3Uri = Output,
        CheckpointS3Uri = checkpoint,
        KmsKeyArn = kms,
        SubnetIds = vpc ? ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"] : null,
        SecurityGroupIds = vpc ? ["sg-0123456789abcdef0"] : null,
        Region = "eu-west-1",
    };

    public static HuggingFaceTrainingJobDefinition Definition(
        string instanceType = "ml.g5.2xlarge",
        int instanceCount = 1,
        string pytorch = "2.1.0",
        DistributionConfig? distribution = null,
        IReadOnlyDictionary<string, object?>? hyperparameters = null) => new()
    {
        EntryPoint = "train.py",
        TransformersVersion = "4.36.0",
        PytorchVersion = pytorch,
        PythonVersion = "py310",
        InstanceType = instanceType,
        InstanceCount = instanceCount,
        Distribution = distribution,
        Hyperparameters = hyperparameters ?? new Dictionary<string, object?>
        {
            ["epochs"] = 3,
            ["learning_rate"] = 5e-05,
            ["model_name_or_path"] = "distilbert-base-uncased",
            ["fp16"] = true,
        },
        Channels =
        [
            new TrainingChannel("train", "s3://hf-datasets-123456789012/imdb/train"),
            new TrainingChannel("test", "s3://hf-datasets-123456789012/imdb/test"),
        ],
        MetricDefinitions =
        [
            new MetricDefinition("eval_loss", "'eval_loss': ([0-9]+\\.[0-9]+)"),
            new MetricDefinition("eval_accuracy", "'eval_accuracy': ([0-9]+\\.[0-9]+)"),
        ],
    };

    public static string Hp(JsonObject request, string key) =>
        (request["HyperParameters"] ?? request["TrainingJobDefinition"]!["StaticHyperParameters"])![key]!.GetValue<string>();

    /// <summary>Writes <c>{ operation, request }</c> to <c>$HF_TEST_RESULTS/requests/&lt;name&gt;.json</c> (temp dir when unset).</summary>
    public static void Dump(string name, string operation, JsonObject request)
    {
        var root = Environment.GetEnvironmentVariable("HF_TEST_RESULTS");
        var directory = Path.Combine(string.IsNullOrEmpty(root) ? Path.Combine(Path.GetTempPath(), "hf-test-results") : root, "requests");
        Directory.CreateDirectory(directory);
        var document = new JsonObject { ["operation"] = operation, ["request"] = request.DeepClone() };
        File.WriteAllText(Path.Combine(directory, name + ".json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}
