using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Recipes;
using Xunit;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>A volume key separate from the output key (the SDK's <c>volume_kms_key</c> next to <c>output_kms_key</c>).</summary>
public sealed class PipelineVolumeKeyTests
{
    [Fact]
    public void A_separate_volume_key_reaches_the_run_time_policy_and_the_execution_role_may_create_grants_for_aws_resources()
    {
        var stack = new Stack(new App(), "VolumeKey");
        var output = new Key(stack, "OutputKey", new KeyProps { EnableKeyRotation = true });
        var volume = new Key(stack, "VolumeKey", new KeyProps { EnableKeyRotation = true });
        var bucket = new Bucket(stack, "B");
        var role = new Role(stack, "R", new RoleProps { AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com") });
        var pipeline = new HuggingFaceTrainingPipeline(stack, "P", new HuggingFaceTrainingPipelineProps
        {
            Job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, false, "hf-datasets-bucket", PipelineFixture.ScriptDirectory),
            ExecutionRole = role,
            Buckets = TestBuckets.Import(stack, bucket),
            EncryptionKey = output,
            VolumeEncryptionKey = volume,
            ImageUri = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04",
            SourceCode = TrainingSourceCode.FromDirectory(stack, "Code", PipelineFixture.ScriptDirectory),
            NotificationTopic = new Topic(stack, "T"),
            AllowedInstanceTypes = PipelineFixture.Training.AllowedInstanceTypes,
            MaxInstanceCount = PipelineFixture.Training.MaxInstanceCount,
            MaxRuntime = Duration.Hours(PipelineFixture.Training.MaxRuntimeHours),
            JobNamePrefix = "hf-translate",
        });

        // The recipe's default type (g5) has local NVMe storage: no volume key in the request. The run time gets it in
        // the policy entry of the allowed type with EBS storage only (ml.p3.2xlarge), the one place it appears.
        Assert.False(pipeline.DefaultTrainingRequest["ResourceConfig"]!.AsObject().ContainsKey("VolumeKmsKeyId"));
        Assert.Contains("ml.p3.2xlarge", PipelineFixture.Training.AllowedInstanceTypes);
        var template = Template.FromStack(stack);
        var definition = JsonSerializer.Serialize(template.FindResources("AWS::StepFunctions::StateMachine"));
        var at = definition.IndexOf("VolumeKmsKeyId", StringComparison.Ordinal);
        Assert.True(at > 0, "the PrepareRequest policy names no VolumeKmsKeyId");
        Assert.Equal(at, definition.LastIndexOf("VolumeKmsKeyId", StringComparison.Ordinal));
        Assert.Contains("ml.p3.2xlarge", definition.Substring(Math.Max(0, at - 80), 80), StringComparison.Ordinal);
        var volumeId = stack.GetLogicalId((CfnElement)volume.Node.DefaultChild!);
        var outputId = stack.GetLogicalId((CfnElement)output.Node.DefaultChild!);
        var next = definition.Substring(at, Math.Min(300, definition.Length - at));
        Assert.Contains(volumeId, next);
        Assert.DoesNotContain(outputId, next.Substring(0, next.IndexOf(volumeId, StringComparison.Ordinal)));

        template.HasResourceProperties("AWS::IAM::Policy", Match.ObjectLike(new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Sid"] = "UseVolumeKeyForAwsResources",
                    ["Action"] = "kms:CreateGrant",
                    ["Condition"] = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = "true" } },
                    ["Resource"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { stack.GetLogicalId((CfnElement)volume.Node.DefaultChild!), "Arn" } },
                })]),
            }),
        }));
    }
}
