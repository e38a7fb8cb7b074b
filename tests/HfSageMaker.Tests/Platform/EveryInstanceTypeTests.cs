using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Tests.Configuration;
using HfSageMaker.Tests.Orchestration;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;
using static HfSageMaker.Tests.Training.TrainingFixtures;

namespace HfSageMaker.Tests.Platform;

/// <summary>
/// An environment file that allows every GPU training type of the instance-type catalog, with notebook jobs, loaded and
/// synthesized once: translation on every type, llm-sft (torchrun on multi-GPU types) on every type with 24 GiB per
/// GPU or more. The template goes to <c>$HF_TEST_RESULTS/state-machines/every-instance-type.template.json</c>, where
/// tests/node/state-machine/instance-types.test.mjs runs PrepareRequest for every type.
/// </summary>
public sealed class EveryInstanceTypeFixture
{
    internal static IReadOnlyList<string> Types => InstanceTypeCatalog.GpuTrainingTypes;

    internal static IReadOnlyList<string> LlmTypes => [.. Types.Where(t => InstanceTypeCatalog.Find(t)!.GpuMemoryGiB >= 24)];

    internal EnvironmentConfig Config { get; }
    internal TrainingPlatformStack Stack { get; }
    internal Template Template { get; }

    public EveryInstanceTypeFixture()
    {
        using var temp = new TempEnvironments();
        var json = TempEnvironments.Valid();
        json["training"]!["allowedInstanceTypes"] = new JsonArray([.. Types.Select(t => (JsonNode?)t)]);
        json["training"]!["defaultInstanceType"] = "ml.p6-b200.48xlarge";
        json["studio"]!["notebookJobs"] = true;
        json["recipes"] = new JsonObject
        {
            ["translation"] = new JsonObject(),
            ["llm-sft"] = new JsonObject
            {
                ["allowedInstanceTypes"] = new JsonArray([.. LlmTypes.Select(t => (JsonNode?)t)]),
                ["defaultInstanceType"] = "ml.g5.2xlarge",
                ["maxInstanceCount"] = 2,
            },
        };
        temp.Write("dev.json", json);
        Config = EnvironmentLoader.LoadAll(temp.Directory).Single();
        (Stack, Template, _) = PlatformFixtures.Synth(Config);

        var machines = Path.Combine(PipelineFixture.ResultsDirectory, "state-machines");
        Directory.CreateDirectory(machines);
        File.WriteAllText(Path.Combine(machines, "every-instance-type.template.json"), JsonSerializer.Serialize(Template.ToJSON()));
    }
}

[Collection(PlatformCollection.Name)]
public sealed class EveryInstanceTypeTests(EveryInstanceTypeFixture fixture) : IClassFixture<EveryInstanceTypeFixture>
{
    private static readonly IReadOnlyList<string> EbsOnly = [.. EveryInstanceTypeFixture.Types.Where(InstanceTypeCatalog.AcceptsVolumeKmsKey)];

    [Fact]
    public void The_environment_file_allows_every_type_and_synthesizes()
    {
        Assert.Equal(41, EveryInstanceTypeFixture.Types.Count);
        Assert.Equal(EveryInstanceTypeFixture.Types, fixture.Config.Training.AllowedInstanceTypes);
        Assert.Equal(EveryInstanceTypeFixture.LlmTypes, fixture.Config.DeployedRecipes.Single(r => r.Name == "llm-sft").Training.AllowedInstanceTypes);
        Assert.Equal(2, Resources(fixture.Template, "AWS::StepFunctions::StateMachine").Count);
        // Only ml.p3 sizes have EBS storage only (AWS: no instance store; the SDK's rule agrees).
        Assert.Equal(["ml.p3.2xlarge", "ml.p3.8xlarge", "ml.p3.16xlarge"], EbsOnly);
    }

    [Fact]
    public void Every_type_gets_a_request_whose_volume_key_follows_its_storage()
    {
        foreach (var type in EveryInstanceTypeFixture.Types)
        {
            var request = TrainingRequestBuilder.CreateTrainingJob(Definition(type), Resources(kms: Key), "job");
            Assert.Equal(EbsOnly.Contains(type), request["ResourceConfig"]!.AsObject().ContainsKey("VolumeKmsKeyId"));
        }
    }

    [Fact]
    public void Every_type_is_in_every_iam_instance_type_condition_and_only_ebs_types_must_send_the_volume_key()
    {
        var conditions = new List<string[]>();
        var deny = new List<string[]>();
        foreach (var policy in Resources(fixture.Template, "AWS::IAM::ManagedPolicy").Values.Concat(Resources(fixture.Template, "AWS::IAM::Policy").Values))
        {
            foreach (var statement in policy.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            {
                if (!statement.TryGetProperty("Condition", out var condition)) continue;
                foreach (var op in condition.EnumerateObject())
                {
                    // (The Null test on the key carries "false", not a list.)
                    if (!op.Value.TryGetProperty("sagemaker:InstanceTypes", out var types) || types.ValueKind != JsonValueKind.Array) continue;
                    var values = types.EnumerateArray().Select(v => v.GetString()!).ToArray();
                    (op.Name == "ForAnyValue:StringEquals" ? deny : conditions).Add(values);
                }
            }
        }

        // The notebook policy (training, tuning, @remote) and the two pipelines' roles (training and tuning each).
        Assert.True(conditions.Count >= 5, $"{conditions.Count} instance-type conditions");
        Assert.Contains(conditions, c => c.SequenceEqual(EveryInstanceTypeFixture.Types));
        Assert.Contains(conditions, c => c.SequenceEqual(EveryInstanceTypeFixture.LlmTypes));
        Assert.All(conditions, c => Assert.True(c.SequenceEqual(EveryInstanceTypeFixture.Types) || c.SequenceEqual(EveryInstanceTypeFixture.LlmTypes)));
        // The notebook policy's deny and the pipeline's with EBS-only types (SageMakerJobGuardrails.DenyVolumesWithoutKey).
        Assert.True(deny.Count >= 2, $"{deny.Count} volume-key denies");
        Assert.All(deny, denied => Assert.Equal(EbsOnly, denied));
        Assert.All(deny, denied => Assert.DoesNotContain("ml.p6-b200.48xlarge", denied));
    }

    [Fact]
    public void Every_type_as_the_notebook_default_gets_a_remote_function_volume_key_only_with_ebs_storage()
    {
        var stack = new Stack(new App(), "NotebookDefaults", new StackProps { Env = new Amazon.CDK.Environment { Account = "123456789012", Region = "eu-west-1" } });
        var vpc = new Vpc(stack, "Vpc", new VpcProps { MaxAzs = 1, NatGateways = 0, SubnetConfiguration = [new SubnetConfiguration { Name = "p", SubnetType = SubnetType.PRIVATE_ISOLATED }] });
        var key = new Amazon.CDK.AWS.KMS.Key(stack, "Key");
        var bucket = new Bucket(stack, "Bucket");
        var role = new Role(stack, "Role", new RoleProps { AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com") });
        var group = new SecurityGroup(stack, "Sg", new SecurityGroupProps { Vpc = vpc });
        var i = 0;
        foreach (var type in EveryInstanceTypeFixture.Types)
        {
            var defaults = new SageMakerSdkDefaults(stack, $"Defaults{i++}", new SageMakerSdkDefaultsProps
            {
                ExecutionRole = role, Vpc = vpc, SecurityGroups = [group], EncryptionKey = key, Bucket = bucket, KeyPrefix = "notebook",
                AllowedInstanceTypes = EveryInstanceTypeFixture.Types, DefaultInstanceType = type, MaxRuntime = Duration.Hours(24),
                AllowRemoteFunctions = true,
            });
            var modules = (Dictionary<string, object>)((Dictionary<string, object>)((Dictionary<string, object>)defaults.Document["SageMaker"])["PythonSDK"])["Modules"];
            var remote = (Dictionary<string, object>)modules["RemoteFunction"];
            Assert.Equal(type, remote["InstanceType"]);
            Assert.Equal(EbsOnly.Contains(type), remote.ContainsKey("VolumeKmsKeyId"));
        }

        // The SDK's estimator keeps the configured volume key on ml.p6-b200.48xlarge (its rule lacks the family): warned.
        var warnings = Amazon.CDK.Assertions.Annotations.FromStack(stack).FindWarning("*", Match.StringLikeRegexp("@hfsagemaker/studio:sdkVolumeKey|ml.p6-b200.48xlarge"));
        Assert.NotEmpty(warnings);
    }
}
