using System.Text.Json;
using Amazon.CDK;
using HfSageMaker.Constructs.Security;
using Xunit;

namespace HfSageMaker.Tests.Security;

/// <summary>
/// The one builder of the job-creating conditions (used by the pipeline's state machine role and the Studio role's
/// notebook policy): per action only the keys the Service Authorization Reference lists for it, the VPC required with
/// Null = false, traffic encryption strict or IfExists as the requests send it. Over the synthesized policies the
/// offline simulations (tests/node/pipeline-iam.test.mjs, notebook-jobs.test.mjs) and the key check against the
/// reference data (iam-condition-keys.test.mjs) hold the rest.
/// </summary>
public sealed class SageMakerJobGuardrailsTests
{
    private static SageMakerJobGuardrails Guardrails => new()
    {
        AllowedInstanceTypes = ["ml.g5.2xlarge", "ml.p3.2xlarge"],
        MaxRuntime = Duration.Hours(8),
        SubnetIds = ["subnet-0aaaaaaaaaaaaaaa1"],
        SecurityGroupIds = ["sg-0aaaaaaaaaaaaaaa1"],
        OutputKmsKeyArn = "arn:aws:kms:eu-west-1:111122223333:key/k",
        VolumeKmsKeyArn = "arn:aws:kms:eu-west-1:111122223333:key/k",
        MaxWarmPoolKeepAlive = Duration.Minutes(30),
    };

    private static Dictionary<string, Dictionary<string, JsonElement>> Json(IDictionary<string, object> conditions) =>
        JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, JsonElement>>>(JsonSerializer.Serialize(conditions))!;

    [Fact]
    public void Training_requires_the_vpc_isolation_encryption_and_keys_and_caps_warm_pools()
    {
        var c = Json(Guardrails.ConditionsFor(SageMakerJobGuardrails.CreateTrainingJob));
        Assert.Equal("""["subnet-0aaaaaaaaaaaaaaa1"]""", c["ForAllValues:StringEquals"]["sagemaker:VpcSubnets"].GetRawText());
        Assert.Equal("false", c["Null"]["sagemaker:VpcSubnets"].GetString());
        Assert.Equal("false", c["Null"]["sagemaker:VpcSecurityGroupIds"].GetString());
        Assert.Equal("true", c["Null"]["sagemaker:FileSystemId"].GetString());
        Assert.Equal("true", c["Bool"]["sagemaker:NetworkIsolation"].GetString());
        Assert.Equal("true", c["Bool"]["sagemaker:InterContainerTrafficEncryption"].GetString());
        Assert.Equal("false", c["Null"]["sagemaker:OutputKmsKeyArn"].GetString());
        Assert.Equal("arn:aws:kms:eu-west-1:111122223333:key/k", c["ArnEqualsIfExists"]["sagemaker:VolumeKmsKeyArn"].GetString());
        Assert.Equal("1800", c["NumericLessThanEqualsIfExists"]["sagemaker:KeepAlivePeriod"].GetString());
        Assert.Equal("false", c["BoolIfExists"]["sagemaker:EnableRemoteDebug"].GetString());
        Assert.Equal("28800", c["NumericLessThanEquals"]["sagemaker:MaxRuntimeInSeconds"].GetString());
    }

    [Fact]
    public void Tuning_carries_no_training_only_key_and_caps_the_run_time_if_the_key_exists()
    {
        var c = Json(Guardrails.ConditionsFor(SageMakerJobGuardrails.CreateHyperParameterTuningJob));
        var keys = c.Values.SelectMany(block => block.Keys).ToList();
        Assert.DoesNotContain("sagemaker:KeepAlivePeriod", keys);
        Assert.DoesNotContain("sagemaker:EnableRemoteDebug", keys);
        Assert.Equal("28800", c["NumericLessThanEqualsIfExists"]["sagemaker:MaxRuntimeInSeconds"].GetString());
        Assert.False(c.ContainsKey("NumericLessThanEquals"));
        Assert.Equal("false", c["Null"]["sagemaker:VpcSubnets"].GetString());
    }

    [Fact]
    public void Encryption_sent_only_with_several_instances_is_refused_only_when_false()
    {
        var c = Json((Guardrails with { InterContainerTrafficEncryptionWhenSent = true }).ConditionsFor(SageMakerJobGuardrails.CreateTrainingJob));
        Assert.Equal("true", c["BoolIfExists"]["sagemaker:InterContainerTrafficEncryption"].GetString());
        Assert.False(c["Bool"].ContainsKey("sagemaker:InterContainerTrafficEncryption"));
    }

    [Fact]
    public void Unconstrained_invariants_write_no_condition()
    {
        var c = Json((Guardrails with { SubnetIds = null, SecurityGroupIds = null, OutputKmsKeyArn = null, VolumeKmsKeyArn = null, NetworkIsolation = null })
            .ConditionsFor(SageMakerJobGuardrails.CreateTrainingJob));
        var keys = c.Values.SelectMany(block => block.Keys).ToList();
        foreach (var key in new[] { "sagemaker:VpcSubnets", "sagemaker:VpcSecurityGroupIds", "sagemaker:OutputKmsKeyArn", "sagemaker:VolumeKmsKeyArn", "sagemaker:NetworkIsolation" })
            Assert.DoesNotContain(key, keys);
    }

    [Fact]
    public void Another_action_or_half_a_vpc_is_refused_with_the_fix()
    {
        var action = Assert.Throws<ArgumentException>(() => Guardrails.ConditionsFor("sagemaker:CreateModel"));
        Assert.Contains("'sagemaker:CreateModel' is not one of [sagemaker:CreateTrainingJob, sagemaker:CreateHyperParameterTuningJob]", action.Message);
        var vpc = Assert.Throws<ArgumentException>(() => (Guardrails with { SecurityGroupIds = null }).ConditionsFor(SageMakerJobGuardrails.CreateTrainingJob));
        Assert.Contains("give SubnetIds and SecurityGroupIds together", vpc.Message);
    }

    [Fact]
    public void Ebs_only_types_must_carry_the_volume_key()
    {
        var deny = Guardrails.DenyVolumesWithoutKey("Deny", [SageMakerJobGuardrails.CreateTrainingJob], ["*"], t => t == "ml.p3.2xlarge");
        Assert.NotNull(deny);
        var json = JsonSerializer.Serialize(deny!.ToStatementJson());
        Assert.Contains("\"Effect\":\"Deny\"", json);
        Assert.Matches("\"sagemaker:InstanceTypes\":\\[?\"ml\\.p3\\.2xlarge\"\\]?", json);
        Assert.Null(Guardrails.DenyVolumesWithoutKey("Deny", [SageMakerJobGuardrails.CreateTrainingJob], ["*"], _ => false));
        Assert.Null((Guardrails with { VolumeKmsKeyArn = null }).DenyVolumesWithoutKey("Deny", [SageMakerJobGuardrails.CreateTrainingJob], ["*"], _ => true));
    }
}
