using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>
/// The pipeline's defaults (image from the job, guardrails from the job, the notification topic) and its synthesis
/// cross-checks (image vs the job's versions and the role's repositories and region, entry point vs the archive,
/// subnets vs the VPC), each reported in the library's one error format.
/// </summary>
public sealed class PipelineDefaultsAndCrossChecksTests : IDisposable
{
    private const string Region = "eu-west-1";
    private const string KeyArn = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    // sagemaker-python-sdk v2.257.x src/sagemaker/image_uri_config/huggingface.json, training scope: transformers
    // 4.36.0 -> pytorch 2.1.0, py310, cu121-ubuntu20.04; 4.28.1 -> pytorch 2.0.0, py310, cu118-ubuntu20.04; eu-west-1
    // and us-east-1 registry 763104351884. URI shape: image_uris.retrieve(...) with the Hugging Face tag format.
    private const string Dlc436 = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04";
    private const string Dlc428 = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04";
    private const string Dlc436UsEast1 = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04";

    private readonly string _scripts = Directory.CreateTempSubdirectory("hf-consumable-").FullName;

    public PipelineDefaultsAndCrossChecksTests() => File.WriteAllText(Path.Combine(_scripts, "train.py"), "print('train')\n");

    public void Dispose() => Directory.Delete(_scripts, recursive: true);

    private static HuggingFaceTrainingJobDefinition Job(string entryPoint = "train.py") => new()
    {
        EntryPoint = entryPoint,
        TransformersVersion = "4.36.0",
        PytorchVersion = "2.1.0",
        PythonVersion = "py310",
        InstanceType = "ml.g5.xlarge",
        InstanceCount = 2,
        MaxRuntime = Duration.Hours(6),
    };

    private sealed record Setup(Stack Stack, ITrainingBuckets Buckets, SageMakerExecutionRole Role, TrainingSourceCode Code);

    private Setup NewSetup(string name)
    {
        var stack = new Stack(new App(), name, new StackProps { Env = new Amazon.CDK.Environment { Account = "111122223333", Region = Region } });
        var buckets = TrainingBuckets.FromAttributes(stack, "Buckets", new TrainingBucketsAttributes
        {
            Datasets = Bucket.FromBucketName(stack, "Datasets", "team-datasets"),
            Artifacts = Bucket.FromBucketName(stack, "Artifacts", "team-artifacts"),
            Checkpoints = Bucket.FromBucketName(stack, "Checkpoints", "team-checkpoints"),
            EncryptionKey = Key.FromKeyArn(stack, "Key", KeyArn),
        });
        var role = new SageMakerExecutionRole(stack, "ExecutionRole", new SageMakerExecutionRoleProps { Buckets = buckets });
        return new Setup(stack, buckets, role, TrainingSourceCode.FromDirectory(stack, "Code", _scripts));
    }

    private static HuggingFaceTrainingPipelineProps Props(Setup s, HuggingFaceTrainingJobDefinition? job = null) => new()
    {
        Job = job ?? Job(),
        SourceCode = s.Code,
        ExecutionRole = s.Role.Role,
        Buckets = s.Buckets,
        JobNamePrefix = "team",
    };

    private static string Rejection(Setup s, HuggingFaceTrainingPipelineProps props, string id = "Pipeline")
    {
        var error = Assert.Throws<ArgumentException>(() => new HuggingFaceTrainingPipeline(s.Stack, id, props));
        // The one format: the construct path first, then '<prop> is '<value>'; <allowed and fix>' per problem.
        Assert.StartsWith($"Invalid HuggingFaceTrainingPipelineProps for '{s.Stack.StackName}/{id}':\n - ", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
        return error.Message;
    }

    [Fact]
    public void Without_image_guardrails_or_topic_the_job_decides_and_a_topic_is_created()
    {
        var s = NewSetup("Defaults");
        var pipeline = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s) with { EncryptionKey = s.Buckets.EncryptionKey });
        var template = Template.FromStack(s.Stack);

        Assert.Equal(Dlc436, pipeline.DefaultTrainingRequest["AlgorithmSpecification"]!["TrainingImage"]!.GetValue<string>());
        template.ResourceCountIs("AWS::SNS::Topic", 1);
        template.HasResourceProperties("AWS::SNS::Topic", new Dictionary<string, object> { ["KmsMasterKeyId"] = KeyArn });
        template.HasResourceProperties("AWS::SNS::TopicPolicy", Match.ObjectLike(new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Effect"] = "Deny",
                    ["Condition"] = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" } },
                })]),
            }),
        }));
        Assert.NotNull(pipeline.NotificationTopic);

        // The guardrails (IAM conditions and the PrepareRequest policy) are the job's own instance type, count, run time.
        var create = StateMachinePolicy(template).Single(st => st.TryGetProperty("Sid", out var sid) && sid.GetString() == "CreateJobsWithinGuardrails");
        Assert.Equal("""["ml.g5.xlarge"]""", create.GetProperty("Condition").GetProperty("ForAllValues:StringEquals").GetProperty("sagemaker:InstanceTypes").GetRawText());
        Assert.Equal("21600", create.GetProperty("Condition").GetProperty("NumericLessThanEquals").GetProperty("sagemaker:MaxRuntimeInSeconds").GetString());
        var definition = JsonSerializer.Serialize(template.FindResources("AWS::StepFunctions::StateMachine"));
        Assert.Matches(@"instanceCount(\\u0022|\\|"")+:\{(\\u0022|\\|"")+max(\\u0022|\\|"")+:2[,}]", definition);
    }

    [Fact]
    public void Without_an_execution_role_one_is_created_over_the_buckets_key_and_vpc_and_only_it_may_be_passed()
    {
        var s = NewSetup("DefaultRole");
        var vpc = EgressOnlyVpc(s.Stack);
        var jobs = new SecurityGroup(s.Stack, "Jobs", new SecurityGroupProps { Vpc = vpc });
        var pipeline = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s) with
        {
            ExecutionRole = null, EncryptionKey = s.Buckets.EncryptionKey, Vpc = vpc, SecurityGroups = [jobs],
        });
        var template = Template.FromStack(s.Stack);

        // One more role than the setup's own, trusted by SageMaker, at the documented construct id.
        var created = SageMakerExecutionRole.Of(pipeline.ExecutionRole);
        Assert.NotNull(created);
        Assert.Equal("DefaultRole/Pipeline/ExecutionRole", created.Node.Path);
        Assert.Equal([SageMakerExecutionRole.DefaultImageRepository], created.ImageRepositories);
        var roleId = s.Stack.GetLogicalId((CfnElement)created.Role.Node.DefaultChild!);
        Assert.StartsWith("PipelineExecutionRole", roleId, StringComparison.Ordinal);
        template.HasResourceProperties("AWS::IAM::Role", Match.ObjectLike(new Dictionary<string, object>
        {
            ["AssumeRolePolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Principal"] = new Dictionary<string, object> { ["Service"] = "sagemaker.amazonaws.com" },
                })]),
            }),
        }));

        // Least privilege over what was given: the three imported buckets, their key, the VPC's network interfaces.
        var policies = JsonSerializer.SerializeToElement(template.FindResources("AWS::IAM::ManagedPolicy"));
        var rolePolicy = policies.EnumerateObject().Single(p => p.Name.StartsWith("PipelineExecutionRoleDefaultPolicy", StringComparison.Ordinal)).Value.GetRawText();
        foreach (var bucket in new[] { "team-datasets", "team-artifacts", "team-checkpoints" })
        {
            Assert.Contains($":s3:::{bucket}/*", rolePolicy, StringComparison.Ordinal);
        }
        Assert.Contains(KeyArn, rolePolicy, StringComparison.Ordinal);
        Assert.Contains("ec2:CreateNetworkInterface", rolePolicy, StringComparison.Ordinal);
        Assert.Contains("repository/huggingface-pytorch-training", rolePolicy, StringComparison.Ordinal);

        // The state machine passes exactly this role, and the request names it.
        var passRole = StateMachinePolicy(template).Single(st => st.TryGetProperty("Sid", out var sid) && sid.GetString() == "PassOnlyTheExecutionRoleToSageMaker");
        Assert.Contains(roleId, passRole.GetProperty("Resource").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(pipeline.ExecutionRole.RoleArn, pipeline.DefaultTrainingRequest["RoleArn"]!.GetValue<string>());
    }

    [Fact]
    public void The_default_role_pulls_the_repository_of_a_literal_image_uri()
    {
        const string custom = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/trainer:1.0";
        var s = NewSetup("DefaultRoleImage");
        var pipeline = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s) with { ExecutionRole = null, ImageUri = custom });
        Assert.Equal(["team/trainer"], SageMakerExecutionRole.Of(pipeline.ExecutionRole)!.ImageRepositories);
    }

    [Fact]
    public void The_default_role_refuses_an_output_key_other_than_the_buckets_key()
    {
        var s = NewSetup("DefaultRoleKey");
        var other = Key.FromKeyArn(s.Stack, "OtherKey", "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555");
        var message = Rejection(s, Props(s) with { ExecutionRole = null, EncryptionKey = other });
        Assert.Contains("EncryptionKey is 'DefaultRoleKey/OtherKey'; it is not Buckets.EncryptionKey, and the execution role created by default may use only the buckets' key", message);
        // The same key by another import of its ARN is the buckets' key.
        var same = Key.FromKeyArn(s.Stack, "SameKey", KeyArn);
        _ = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline2", Props(s) with { ExecutionRole = null, EncryptionKey = same });
    }

    [Fact]
    public void One_pass_reports_the_props_the_job_and_the_tuning_job_together_in_the_one_format()
    {
        // Before: the props were reported first and the job's problems only after the props were fixed, as
        // "CreateTrainingJob: 1 problem(s):" without the construct path or the Job. prefix.
        var s = NewSetup("OnePass");
        var job = Job() with
        {
            VolumeSize = Size.Mebibytes(512),
            MetricDefinitions = [new MetricDefinition("eval_loss", "eval_loss: ([0-9.]+)")],
            Hyperparameters = new Dictionary<string, object?> { ["sagemaker_program"] = "other.py", ["epochs"] = 1 },
        };
        var tuning = new TuningDefinition
        {
            Objective = new TuningObjective("f1", TuningObjectiveType.Maximize),
            Ranges = [new ContinuousRange("lr", 0, 0.1, ScalingType.Logarithmic)],
            MaxParallelJobs = 1,
        };
        var message = Rejection(s, Props(s, job) with { JobNamePrefix = "-bad-prefix", Tuning = tuning });
        var lines = message.Split('\n')[1..];
        Assert.Contains(lines, l => l.StartsWith(" - JobNamePrefix is '-bad-prefix'; give 1 to 20 characters", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(" - Job.VolumeSize: 0.5 GiB is not allowed; SageMaker takes a whole number of GB, 1-16384.", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(" - Job.Hyperparameters[\"sagemaker_program\"]: reserved for SageMaker", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(" - Tuning.Objective.MetricName: 'f1' is not one of the MetricDefinitions (eval_loss)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(" - Tuning.Ranges[0]: 'lr' uses Logarithmic scaling with Min 0.0; Logarithmic scaling needs Min > 0.", StringComparison.Ordinal));
        // Each job problem once, although the training and the tuning request both check the job.
        Assert.Single(lines, l => l.Contains("Job.VolumeSize", StringComparison.Ordinal));
        Assert.DoesNotContain("problem(s)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_topic_without_a_key_uses_the_aws_managed_sns_key()
    {
        var s = NewSetup("DefaultTopicKey");
        _ = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s));
        var topic = JsonSerializer.Serialize(Template.FromStack(s.Stack).FindResources("AWS::SNS::Topic"));
        Assert.Contains(":kms:eu-west-1:111122223333:alias/aws/sns", topic);
    }

    [Fact]
    public void Given_topic_is_used_and_none_is_created()
    {
        var s = NewSetup("GivenTopic");
        var topic = Amazon.CDK.AWS.SNS.Topic.FromTopicArn(s.Stack, "Topic", "arn:aws:sns:eu-west-1:111122223333:team");
        var pipeline = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s) with { NotificationTopic = topic });
        Template.FromStack(s.Stack).ResourceCountIs("AWS::SNS::Topic", 0);
        Assert.Same(topic, pipeline.NotificationTopic);
    }

    [Fact]
    public void Image_with_other_transformers_version_than_the_job_is_rejected()
    {
        var s = NewSetup("ImageVersions");
        var message = Rejection(s, Props(s) with { ImageUri = Dlc428 });
        Assert.Contains($"ImageUri is '{Dlc428}'; its tag is transformers 4.28.1, PyTorch 2.0.0, py310 but Job asks for transformers 4.36.0, PyTorch 2.1.0, py310; leave ImageUri unset", message);
    }

    [Fact]
    public void Image_matching_the_job_passes_and_a_version_alias_matches_the_full_version()
    {
        var s = NewSetup("ImageAlias");
        var pipeline = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s, Job() with { TransformersVersion = "4.36" }) with { ImageUri = Dlc436 });
        Assert.Equal(Dlc436, pipeline.DefaultTrainingRequest["AlgorithmSpecification"]!["TrainingImage"]!.GetValue<string>());
    }

    [Fact]
    public void Custom_image_the_execution_role_cannot_pull_is_rejected()
    {
        const string custom = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/trainer:1.0";
        var s = NewSetup("ImageRepository");
        var message = Rejection(s, Props(s) with { ImageUri = custom, ExecutionRole = s.Role.Role });
        Assert.Contains($"ImageUri is '{custom}'; ExecutionRole 'ImageRepository/ExecutionRole' may pull only from huggingface-pytorch-training; add 'team/trainer' to SageMakerExecutionRoleProps.ImageRepositories", message);
    }

    [Fact]
    public void Custom_image_is_accepted_when_the_role_may_pull_it_or_its_policy_is_unknown()
    {
        const string custom = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/trainer:1.0";
        var s = NewSetup("ImageRepositoryAllowed");
        var allowed = new SageMakerExecutionRole(s.Stack, "CustomRole", new SageMakerExecutionRoleProps { Buckets = s.Buckets, ImageRepositories = ["team/trainer"] });
        _ = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s) with { ImageUri = custom, ExecutionRole = allowed.Role });
        var imported = SageMakerExecutionRole.FromRoleArn(s.Stack, "Imported", "arn:aws:iam::111122223333:role/team-sagemaker");
        _ = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline2", Props(s) with { ImageUri = custom, ExecutionRole = imported, JobNamePrefix = "team2" });
    }

    [Fact]
    public void Default_image_needs_a_role_that_may_pull_the_dlc_repository()
    {
        var s = NewSetup("DefaultImageRepository");
        var other = new SageMakerExecutionRole(s.Stack, "OtherRole", new SageMakerExecutionRoleProps { Buckets = s.Buckets, ImageRepositories = ["team/trainer"] });
        var message = Rejection(s, Props(s) with { ExecutionRole = other.Role });
        Assert.Contains("ImageUri is '(not set: the Hugging Face DLC of the job)'; ExecutionRole 'DefaultImageRepository/OtherRole' may pull only from team/trainer; add 'huggingface-pytorch-training'", message);
    }

    [Fact]
    public void Image_from_another_region_than_the_role_may_pull_in_is_rejected()
    {
        var s = NewSetup("ImageRegion");
        var message = Rejection(s, Props(s) with { ImageUri = Dlc436UsEast1 });
        Assert.Contains($"ImageUri is '{Dlc436UsEast1}'; the image is in us-east-1 but ExecutionRole 'ImageRegion/ExecutionRole' may pull only in the stack's region eu-west-1", message);
    }

    [Fact]
    public void Entry_point_missing_from_the_source_code_is_rejected_with_the_files_it_has()
    {
        var s = NewSetup("EntryPoint");
        var message = Rejection(s, Props(s, Job("src/train.py")));
        Assert.Contains("Job.EntryPoint is 'src/train.py'; SourceCode has no such file (its Python files: train.py)", message);
    }

    [Fact]
    public void Subnets_the_vpc_does_not_have_are_reported_on_VpcSubnets_not_as_a_jsii_error()
    {
        var s = NewSetup("Subnets");
        var vpc = EgressOnlyVpc(s.Stack);
        var sg = SecurityGroup.FromSecurityGroupId(s.Stack, "Sg", "sg-0123456789abcdef0");
        var message = Rejection(s, Props(s) with
        {
            Vpc = vpc, SecurityGroups = [sg], VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED },
        });
        Assert.Contains("VpcSubnets is 'SubnetType PRIVATE_ISOLATED'; the Vpc 'Subnets/Vpc' cannot provide it (", message);
        Assert.Contains("e.g. new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS }, or leave VpcSubnets unset.", message);
    }

    [Fact]
    public void Without_VpcSubnets_a_vpc_without_isolated_subnets_uses_its_private_subnets_with_egress()
    {
        var s = NewSetup("EgressSubnets");
        var vpc = EgressOnlyVpc(s.Stack);
        var sg = SecurityGroup.FromSecurityGroupId(s.Stack, "Sg", "sg-0123456789abcdef0");
        var pipeline = new HuggingFaceTrainingPipeline(s.Stack, "Pipeline", Props(s) with { Vpc = vpc, SecurityGroups = [sg] });
        Assert.Equal("""["subnet-0aaa","subnet-0bbb"]""", pipeline.DefaultTrainingRequest["VpcConfig"]!["Subnets"]!.ToJsonString());
        Template.FromStack(s.Stack).HasResourceProperties("AWS::Lambda::Function", Match.ObjectLike(new Dictionary<string, object>
        {
            ["VpcConfig"] = Match.ObjectLike(new Dictionary<string, object> { ["SubnetIds"] = new[] { "subnet-0aaa", "subnet-0bbb" } }),
        }));
    }

    [Fact]
    public void VpcSubnets_without_a_vpc_is_rejected()
    {
        var s = NewSetup("SubnetsWithoutVpc");
        var message = Rejection(s, Props(s) with { VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED } });
        Assert.Contains("VpcSubnets is 'SubnetType PRIVATE_ISOLATED'; give the Vpc too, or drop VpcSubnets", message);
    }

    [Fact]
    public void Execution_role_construct_is_grantable_and_hands_out_its_role_instead_of_being_one()
    {
        // Newer aws-cdk versions add required members to IRole (IRoleRef's roleRef, 'mutable'), which a class compiled
        // against 2.160.0 cannot implement; the construct therefore exposes its Role and implements IGrantable.
        Assert.False(typeof(IRole).IsAssignableFrom(typeof(SageMakerExecutionRole)));
        Assert.True(typeof(IGrantable).IsAssignableFrom(typeof(SageMakerExecutionRole)));
        var s = NewSetup("RoleAsGrantable");
        var topic = new Amazon.CDK.AWS.SNS.Topic(s.Stack, "Topic");
        topic.GrantPublish(s.Role);
        _ = new Policy(s.Stack, "Extra", new PolicyProps
        {
            Roles = [s.Role.Role],
            Statements = [new PolicyStatement(new PolicyStatementProps { Actions = ["sagemaker:ListTags"], Resources = ["*"] })],
        });
        var template = Template.FromStack(s.Stack);
        // The role's own policy is customer managed (CustomerManagedPolicies); the app's extra Policy stays inline.
        var roleDefault = JsonSerializer.SerializeToElement(template.FindResources("AWS::IAM::ManagedPolicy")).EnumerateObject()
            .Single(p => p.Name.StartsWith("ExecutionRoleDefaultPolicy", StringComparison.Ordinal));
        var policies = JsonSerializer.SerializeToElement(template.FindResources("AWS::IAM::Policy"));
        Assert.Contains("sns:Publish", roleDefault.Value.GetRawText(), StringComparison.Ordinal);
        var extra = policies.EnumerateObject().Single(p => p.Name.StartsWith("Extra", StringComparison.Ordinal));
        Assert.Contains("""{"Ref":"ExecutionRoleFAA49FA6"}""", extra.Value.GetRawText(), StringComparison.Ordinal);
    }

    private static IVpc EgressOnlyVpc(Stack stack) => Vpc.FromVpcAttributes(stack, "Vpc", new VpcAttributes
    {
        VpcId = "vpc-0123456789abcdef0",
        AvailabilityZones = ["eu-west-1a", "eu-west-1b"],
        PrivateSubnetIds = ["subnet-0aaa", "subnet-0bbb"],
    });

    private static IEnumerable<JsonElement> StateMachinePolicy(Template template)
    {
        var policies = JsonSerializer.SerializeToElement(template.FindResources("AWS::IAM::ManagedPolicy"));
        return policies.EnumerateObject().Where(p => p.Name.StartsWith("PipelineRoleDefaultPolicy", StringComparison.Ordinal)
                || p.Name.StartsWith("PipelineJobGuardrails", StringComparison.Ordinal))
            .SelectMany(p => p.Value.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray());
    }
}

/// <summary>Existing buckets as <see cref="ITrainingBuckets"/>, and a brought access-log bucket.</summary>
public sealed class TrainingBucketsImportTests
{
    private const string KeyArn = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    [Fact]
    public void FromAttributes_creates_nothing_and_its_grants_bring_the_key()
    {
        var stack = new Stack(new App(), "Imported");
        var buckets = TrainingBuckets.FromAttributes(stack, "Buckets", new TrainingBucketsAttributes
        {
            Datasets = Bucket.FromBucketName(stack, "Datasets", "team-datasets"),
            Artifacts = Bucket.FromBucketName(stack, "Artifacts", "team-artifacts"),
            Checkpoints = Bucket.FromBucketName(stack, "Checkpoints", "team-checkpoints"),
            EncryptionKey = Key.FromKeyArn(stack, "Key", KeyArn),
        });
        var role = new Role(stack, "Reader", new RoleProps { AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com") });
        buckets.GrantReadDatasets(role);
        buckets.GrantReadWriteCheckpoints(role);
        var template = Template.FromStack(stack);
        template.ResourceCountIs("AWS::S3::Bucket", 0);
        template.ResourceCountIs("AWS::KMS::Key", 0);
        var policy = JsonSerializer.Serialize(template.FindResources("AWS::IAM::Policy"));
        Assert.Contains("arn:\",{\"Ref\":\"AWS::Partition\"},\":s3:::team-datasets/*", policy);
        Assert.Contains("\"kms:Decrypt\"", policy);
        Assert.Contains("\"kms:GenerateDataKey*\"", policy); // read/write checkpoints encrypts with the key
        Assert.Contains(KeyArn, policy);
    }

    [Fact]
    public void FromAttributes_without_a_key_is_rejected_in_the_library_format()
    {
        var stack = new Stack(new App(), "ImportedNoKey");
        var error = Assert.Throws<ArgumentException>(() => TrainingBuckets.FromAttributes(stack, "Buckets", new TrainingBucketsAttributes
        {
            Datasets = Bucket.FromBucketName(stack, "Datasets", "team-datasets"),
            Artifacts = Bucket.FromBucketName(stack, "Artifacts", "team-artifacts"),
            Checkpoints = Bucket.FromBucketName(stack, "Checkpoints", "team-checkpoints"),
            EncryptionKey = null!,
        }));
        Assert.StartsWith("Invalid TrainingBucketsAttributes for 'ImportedNoKey/Buckets':\n - EncryptionKey is '(not set)'; give the buckets' KMS key", error.Message);
    }

    [Fact]
    public void Brought_access_log_bucket_receives_the_logs_and_none_is_created()
    {
        var stack = new Stack(new App(), "BroughtLogs");
        var logs = Bucket.FromBucketName(stack, "Logs", "team-access-logs");
        var buckets = new TrainingBuckets(stack, "Storage", new TrainingBucketsProps { AccessLogsBucket = logs });
        var template = Template.FromStack(stack);
        Assert.Same(logs, buckets.AccessLogs);
        template.ResourceCountIs("AWS::S3::Bucket", 3);
        var all = JsonSerializer.SerializeToElement(template.FindResources("AWS::S3::Bucket"));
        Assert.All(all.EnumerateObject(), b => Assert.Equal("team-access-logs",
            b.Value.GetProperty("Properties").GetProperty("LoggingConfiguration").GetProperty("DestinationBucketName").GetString()));
        Assert.Null(buckets.Code);
    }
}
