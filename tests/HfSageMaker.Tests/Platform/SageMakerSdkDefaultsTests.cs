using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Tests.Configuration;
using Xunit;

namespace HfSageMaker.Tests.Platform;

/// <summary>
/// <see cref="SageMakerSdkDefaults"/> props validation, the SDK's volume-key rule, lifecycle configuration names, and the
/// <c>studio.notebookJobs</c> flag. The defaults file itself is validated against the SDK's schema by
/// tests/python/test_sdk_defaults_schema.py and compared with the stack's values and IAM by tests/node/notebook-jobs.test.mjs.
/// </summary>
public sealed partial class SageMakerSdkDefaultsTests
{
    private static SageMakerSdkDefaultsProps Props(Stack stack, Action<Dictionary<string, string>>? tags = null, string[]? types = null)
    {
        var vpc = Vpc.FromVpcAttributes(stack, "Vpc", new VpcAttributes
        {
            VpcId = "vpc-0123456789abcdef0",
            AvailabilityZones = ["eu-west-1a", "eu-west-1b"],
            IsolatedSubnetIds = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
        });
        var tagMap = new Dictionary<string, string> { ["owner"] = "ml-platform" };
        tags?.Invoke(tagMap);
        return new SageMakerSdkDefaultsProps
        {
            ExecutionRole = Role.FromRoleArn(stack, "JobRole", "arn:aws:iam::123456789012:role/jobs"),
            Vpc = vpc,
            Subnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED },
            SecurityGroups = [SecurityGroup.FromSecurityGroupId(stack, "Sg", "sg-0123456789abcdef0")],
            EncryptionKey = Key.FromKeyArn(stack, "Key", "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"),
            Bucket = Bucket.FromBucketName(stack, "Bucket", "platform-artifacts"),
            AllowedInstanceTypes = types ?? ["ml.g5.xlarge", "ml.g5.2xlarge"],
            MaxRuntime = Duration.Hours(24),
            AllowRemoteFunctions = true,
            Tags = tagMap,
        };
    }

    private static Stack NewStack() => new(new App(), "Test", new StackProps
    {
        Env = new Amazon.CDK.Environment { Account = PlatformFixtures.Account, Region = PlatformFixtures.Region },
    });

    [Fact]
    public void InvalidProps_OneErrorNamesThePathEveryPropTheValueAndTheFix()
    {
        var stack = NewStack();
        var props = Props(stack, t => t["team"] = "it's") with
        {
            SecurityGroups = [],
            KeyPrefix = "note/book",
            DefaultInstanceType = "ml.p4d.24xlarge",
            MaxRuntime = Duration.Days(30),
        };

        var ex = Assert.Throws<ArgumentException>(() => new SageMakerSdkDefaults(stack, "Defaults", props));

        Assert.Contains("Invalid SageMakerSdkDefaultsProps for 'Test/Defaults'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SecurityGroups is '(0 groups)'; give 1 to 5 security groups", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyPrefix is 'note/book'; give 1 to 64 letters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultInstanceType is 'ml.p4d.24xlarge'; give one of AllowedInstanceTypes (ml.g5.xlarge, ml.g5.2xlarge)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRuntime is '30 days'; give whole seconds from 1 second to 28 days", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Tags is 'team=it's'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReservedRemoteFunctionTag_IsRejected()
    {
        var stack = NewStack();
        var ex = Assert.Throws<ArgumentException>(() =>
            new SageMakerSdkDefaults(stack, "Defaults", Props(stack, t => t[SageMakerSdkDefaults.RemoteFunctionTagKey] = "false")));
        Assert.Contains($"Tags is '{SageMakerSdkDefaults.RemoteFunctionTagKey}'; '{SageMakerSdkDefaults.RemoteFunctionTagKey}' is reserved", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "ml.p3.2xlarge", "ml.m5.xlarge" }, true)]
    [InlineData(new[] { "ml.p3.2xlarge", "ml.g5.xlarge" }, true)]
    [InlineData(new[] { "ml.g5.xlarge", "ml.p3.2xlarge" }, false)]
    public void RemoteFunctionVolumeKey_IsSetOnlyWhenTheRemoteInstanceTypeTakesOne(string[] types, bool expected)
    {
        // @remote sends the configured volume key whatever the instance type (remote_function/job.py lines 1025-1026).
        var stack = NewStack();
        var defaults = new SageMakerSdkDefaults(stack, "Defaults", Props(stack, types: types));
        var modules = (Dictionary<string, object>)((Dictionary<string, object>)((Dictionary<string, object>)defaults.Document["SageMaker"])["PythonSDK"])["Modules"];
        Assert.Equal(expected, ((Dictionary<string, object>)modules["RemoteFunction"]).ContainsKey("VolumeKmsKeyId"));
    }

    [Fact]
    public void LifecycleConfigurationNames_FitSageMakersPattern_AreStable_AndChangeWithTheContent()
    {
        static string[] Names(Action<Dictionary<string, string>>? tags)
        {
            var stack = NewStack();
            _ = new SageMakerSdkDefaults(stack, "Defaults", Props(stack, tags));
            var template = Template.FromStack(stack);
            return template.FindResources("AWS::SageMaker::StudioLifecycleConfig").Values
                .Select(r => JsonSerializer.SerializeToElement(r).GetProperty("Properties").GetProperty("StudioLifecycleConfigName").GetString()!)
                .Order(StringComparer.Ordinal).ToArray();
        }

        var first = Names(null);
        Assert.Equal(2, first.Length);
        // StudioLifecycleConfigName: max 63, pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62} (SageMaker API reference).
        Assert.All(first, n => Assert.Matches(LifecycleConfigNamePattern(), n));
        Assert.Equal(first, Names(null));
        Assert.NotEqual(first, Names(t => t["owner"] = "someone-else"));
    }

    [Fact]
    public void AddNotebookJobsPolicy_Twice_Throws()
    {
        var stack = NewStack();
        var storage = new TrainingBuckets(stack, "Storage", new TrainingBucketsProps());
        var studioRole = new StudioUserRole(stack, "StudioRole", new StudioUserRoleProps { Buckets = storage });
        var defaults = new SageMakerSdkDefaults(stack, "Defaults", Props(stack));
        studioRole.AddNotebookJobsPolicy(defaults);

        var ex = Assert.Throws<InvalidOperationException>(() => studioRole.AddNotebookJobsPolicy(defaults));
        Assert.Contains("already allows notebook jobs", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Instance types with EBS volumes (ml.p3) and with local storage (ml.g5) in one environment: jobs on the first
    /// without a volume key are denied. The template goes to
    /// <c>$HF_TEST_RESULTS/notebook/mixed-instance-types.template.json</c>, where
    /// tests/node/csharp-output/notebook-jobs-volume-key.test.mjs evaluates it with the offline IAM simulator.
    /// </summary>
    [Fact]
    public void MixedInstanceTypes_DenyEbsVolumesWithoutThePlatformKey_AndTheTemplateGoesToTheSimulator()
    {
        var stack = NewStack();
        var storage = new TrainingBuckets(stack, "Storage", new TrainingBucketsProps());
        var studioRole = new StudioUserRole(stack, "StudioRole", new StudioUserRoleProps { Buckets = storage });
        var defaults = new SageMakerSdkDefaults(stack, "Defaults", Props(stack, types: ["ml.g5.xlarge", "ml.p3.2xlarge"]));
        studioRole.AddNotebookJobsPolicy(defaults);

        var template = Template.FromStack(stack);
        var policy = Assert.Single(template.FindResources("AWS::IAM::ManagedPolicy"), kv => kv.Key.StartsWith("StudioRoleNotebookJobs", StringComparison.Ordinal) && !kv.Key.Contains("Control", StringComparison.Ordinal)).Value;
        var sids = JsonSerializer.SerializeToElement(policy).GetProperty("Properties").GetProperty("PolicyDocument")
            .GetProperty("Statement").EnumerateArray().Select(st => st.GetProperty("Sid").GetString()!).ToArray();
        Assert.Contains("CreateJobsWithinGuardrails", sids);
        Assert.Contains("DenyEbsVolumesWithoutPlatformKey", sids);

        var root = System.Environment.GetEnvironmentVariable("HF_TEST_RESULTS");
        var directory = Path.Combine(string.IsNullOrEmpty(root) ? Path.Combine(Path.GetTempPath(), "hf-test-results") : root, "notebook");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "mixed-instance-types.template.json"), JsonSerializer.Serialize(template.ToJSON()));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void NotebookJobsFlag_IsReadFromTheStudioSection_AndDefaultsToOff(bool? value, bool expected)
    {
        using var temp = new TempEnvironments();
        var json = TempEnvironments.Valid();
        if (value is { } v) json["studio"]!.AsObject()["notebookJobs"] = v;
        temp.Write("dev.json", json.ToJsonString());

        var config = Assert.Single(EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Equal(expected, config.Studio.NotebookJobs);
    }

    [GeneratedRegex(@"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\z")]
    private static partial Regex LifecycleConfigNamePattern();
}
