using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using HfSageMaker.Constructs.Network;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Studio;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>One stack that uses every non-default option of the constructs, synthesized once.</summary>
public sealed class ConstructOptionsFixture
{
    internal Template Template { get; }
    internal IsolatedNetwork Network { get; }
    internal TrainingBuckets Storage { get; }
    internal IKey BroughtKey { get; }

    public ConstructOptionsFixture()
    {
        var stack = new Stack(new App(), "Options", new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = PlatformFixtures.Account, Region = PlatformFixtures.Region },
        });
        var vpc = Vpc.FromVpcAttributes(stack, "Existing", new VpcAttributes
        {
            VpcId = "vpc-0123456789abcdef0",
            VpcCidrBlock = "172.31.0.0/16",
            AvailabilityZones = ["eu-west-1a", "eu-west-1b"],
            IsolatedSubnetIds = ["subnet-aaaa", "subnet-bbbb"],
        });
        Network = new IsolatedNetwork(stack, "Network", new IsolatedNetworkProps { Vpc = vpc });
        BroughtKey = Key.FromKeyArn(stack, "BroughtKey", "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555");
        Storage = new TrainingBuckets(stack, "Storage", new TrainingBucketsProps
        {
            EncryptionKey = BroughtKey,
            CheckpointExpiration = Duration.Days(3),
            NoncurrentVersionExpiration = Duration.Days(10),
            AccessLogExpiration = Duration.Days(30),
            IncludeCodeBucket = true,
        });
        var boundary = ManagedPolicy.FromManagedPolicyName(stack, "Boundary", "PlatformBoundary");
        var role = new SageMakerExecutionRole(stack, "Role", new SageMakerExecutionRoleProps
        {
            Buckets = Storage,
            PermissionsBoundary = boundary,
            RoleName = "hf-training-execution",
            ImageRepositories = ["huggingface-pytorch-training", "huggingface-pytorch-training-neuronx"],
            AllowDatasetUploads = true,
        });
        _ = new StudioUserRole(stack, "StudioRole", new StudioUserRoleProps
        {
            Buckets = Storage,
            PermissionsBoundary = boundary,
            RoleName = "hf-studio-users",
        });
        _ = new StudioDomain(stack, "Studio", new StudioDomainProps
        {
            Vpc = vpc,
            SecurityGroup = Network.StudioSecurityGroup,
            DefaultExecutionRole = role.Role,
            EncryptionKey = BroughtKey,
            DomainName = "ml-team",
            PropagateTags = true,
        });
        Amazon.CDK.Tags.Of(stack).Add("team", "ml");
        Template = Template.FromStack(stack);
    }
}

[Collection(PlatformCollection.Name)]
public sealed class ConstructOptionsTests(ConstructOptionsFixture fixture) : IClassFixture<ConstructOptionsFixture>
{
    private Template T => fixture.Template;

    [Fact]
    public void Bring_your_own_vpc_creates_no_vpc_flow_log_nat_or_endpoints_but_the_security_groups()
    {
        T.ResourceCountIs("AWS::EC2::VPC", 0);
        T.ResourceCountIs("AWS::EC2::FlowLog", 0);
        T.ResourceCountIs("AWS::EC2::NatGateway", 0);
        T.ResourceCountIs("AWS::EC2::VPCEndpoint", 0);
        T.ResourceCountIs("Custom::VpcRestrictDefaultSG", 0);
        T.ResourceCountIs("AWS::EC2::SecurityGroup", 2);
        Assert.All(Resources(T, "AWS::EC2::SecurityGroup").Values,
            g => Assert.Equal("vpc-0123456789abcdef0", g.GetProperty("Properties").GetProperty("VpcId").GetString()));
        Assert.Null(fixture.Network.EndpointSecurityGroup);
        Assert.Null(fixture.Network.FlowLog);
        Assert.Equal(SubnetType.PRIVATE_ISOLATED, fixture.Network.TrainingSubnets.SubnetType);
    }

    [Fact]
    public void Brought_key_encrypts_the_buckets_and_no_key_is_created()
    {
        T.ResourceCountIs("AWS::KMS::Key", 0);
        Assert.Same(fixture.BroughtKey, fixture.Storage.EncryptionKey);
        var datasets = Resources(T, "AWS::S3::Bucket").Single(kv => kv.Key.StartsWith("StorageDatasets", StringComparison.Ordinal)).Value;
        Assert.Contains("arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555", datasets.GetRawText());
    }

    [Fact]
    public void Lifecycle_durations_come_from_the_props()
    {
        var buckets = Resources(T, "AWS::S3::Bucket");
        var checkpoints = buckets.Single(kv => kv.Key.StartsWith("StorageCheckpoints", StringComparison.Ordinal)).Value
            .GetProperty("Properties").GetProperty("LifecycleConfiguration").GetProperty("Rules")[0];
        Assert.Equal(3, checkpoints.GetProperty("ExpirationInDays").GetInt32());
        var code = buckets.Single(kv => kv.Key.StartsWith("StorageCode", StringComparison.Ordinal)).Value
            .GetProperty("Properties").GetProperty("LifecycleConfiguration").GetProperty("Rules")[0];
        Assert.Equal(10, code.GetProperty("NoncurrentVersionExpiration").GetProperty("NoncurrentDays").GetInt32());
        var logs = buckets.Single(kv => kv.Key.StartsWith("StorageAccessLogs", StringComparison.Ordinal)).Value
            .GetProperty("Properties").GetProperty("LifecycleConfiguration").GetProperty("Rules")[0];
        Assert.Equal(30, logs.GetProperty("ExpirationInDays").GetInt32());
        Assert.All(buckets.Values, b => Assert.Equal("Retain", b.GetProperty("DeletionPolicy").GetString()));
    }

    [Fact]
    public void Role_has_the_permissions_boundary_and_name_and_no_network_statements_without_a_vpc()
    {
        T.HasResourceProperties("AWS::IAM::Role", Match.ObjectLike(new Dictionary<string, object>
        {
            ["RoleName"] = "hf-training-execution",
            ["PermissionsBoundary"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Fn::Join"] = Match.ArrayWith([Match.ArrayWith([":iam::123456789012:policy/PlatformBoundary"])]),
            }),
        }));
        var actions = Statements(T, "Role").SelectMany(Actions).ToList();
        Assert.DoesNotContain(actions, a => a.StartsWith("ec2:"));
    }

    [Fact]
    public void Studio_user_role_takes_the_boundary_and_name_and_without_a_vpc_gets_no_network_interface_actions()
    {
        T.HasResourceProperties("AWS::IAM::Role", Match.ObjectLike(new Dictionary<string, object>
        {
            ["RoleName"] = "hf-studio-users",
            ["PermissionsBoundary"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Fn::Join"] = Match.ArrayWith([Match.ArrayWith([":iam::123456789012:policy/PlatformBoundary"])]),
            }),
        }));
        var actions = Statements(T, "StudioRole").SelectMany(Actions).ToList();
        Assert.Contains("s3:PutObject", actions);
        Assert.DoesNotContain(actions, a => a.StartsWith("ec2:"));
        // Without AddStudioDomainPolicy there is no domain policy and no sagemaker action.
        Assert.DoesNotContain(actions, a => a.StartsWith("sagemaker:"));
    }

    [Fact]
    public void Uploads_grant_put_on_datasets_but_never_delete_and_nothing_on_the_opt_in_code_bucket()
    {
        var statements = Statements(T, "Role");
        var onDatasets = statements.Where(s => s.GetProperty("Resource").GetRawText().Contains("StorageDatasets")).SelectMany(Actions).ToList();
        Assert.Contains("s3:PutObject", onDatasets);
        Assert.DoesNotContain(onDatasets, a => a.StartsWith("s3:DeleteObject"));
        Assert.DoesNotContain(statements, s => s.GetProperty("Resource").GetRawText().Contains("StorageCode"));
        Assert.NotNull(fixture.Storage.Code);
    }

    [Fact]
    public void Each_image_repository_is_pullable_and_suppressed_by_name()
    {
        var pull = Statements(T, "Role").Single(s => Actions(s).Contains("ecr:BatchGetImage")).GetProperty("Resource").GetRawText();
        Assert.Contains("repository/huggingface-pytorch-training\"", pull);
        Assert.Contains("repository/huggingface-pytorch-training-neuronx\"", pull);
        var policy = Resources(T, "AWS::IAM::ManagedPolicy").Single(kv => kv.Key.StartsWith("Role", StringComparison.Ordinal)).Value;
        Assert.Contains("Resource::arn:<AWS::Partition>:ecr:eu-west-1:*:repository/huggingface-pytorch-training-neuronx",
            NagSuppressions(policy)["AwsSolutions-IAM5"]);
    }

    [Fact]
    public void Studio_uses_the_given_name_the_vpc_default_subnets_and_propagates_tags_when_asked()
    {
        var domain = Single(T, "AWS::SageMaker::Domain").GetProperty("Properties");
        Assert.Equal("ml-team", domain.GetProperty("DomainName").GetString());
        Assert.Equal("[\"subnet-aaaa\",\"subnet-bbbb\"]", domain.GetProperty("SubnetIds").GetRawText());
        Assert.Contains("\"team\"", domain.GetProperty("Tags").GetRawText());
        T.ResourceCountIs("AWS::SageMaker::UserProfile", 0);
    }
}
