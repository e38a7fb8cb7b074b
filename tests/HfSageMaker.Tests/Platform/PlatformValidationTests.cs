using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using HfSageMaker.Constructs.Network;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Infra;
using Xunit;

namespace HfSageMaker.Tests.Platform;

/// <summary>Props are validated eagerly: one ArgumentException lists every problem with prop, value and fix. No synthesis.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PlatformValidationTests
{
    private static Stack NewStack() => new(new App(), "V", new StackProps
    {
        Env = new Amazon.CDK.Environment { Account = PlatformFixtures.Account, Region = PlatformFixtures.Region },
    });

    private static IVpc ExistingVpc(Stack stack) => Vpc.FromVpcAttributes(stack, "Existing", new VpcAttributes
    {
        VpcId = "vpc-1", AvailabilityZones = ["eu-west-1a"], IsolatedSubnetIds = ["subnet-1"],
    });

    [Theory]
    [InlineData("10.0.0.0/8", "Cidr is '10.0.0.0/8'; give an IPv4 CIDR block from /16 to /24")]
    [InlineData("10.0.0.0/25", "Cidr is '10.0.0.0/25'")]
    [InlineData("300.0.0.0/16", "Cidr is '300.0.0.0/16'")]
    [InlineData("not-a-cidr", "Cidr is 'not-a-cidr'")]
    public void Network_rejects_a_cidr_outside_16_to_24(string cidr, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new IsolatedNetwork(NewStack(), "Network", new IsolatedNetworkProps { Cidr = cidr }));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("Invalid IsolatedNetworkProps for 'V/Network'", ex.Message);
    }

    [Fact]
    public void Network_with_an_existing_vpc_lists_every_conflicting_prop_in_one_message()
    {
        var stack = NewStack();
        var ex = Assert.Throws<ArgumentException>(() => new IsolatedNetwork(stack, "Network", new IsolatedNetworkProps
        {
            Vpc = ExistingVpc(stack), Cidr = "10.0.0.0/16", ControlledEgress = true, MaxAzs = 3,
        }));
        Assert.Contains("Cidr is '10.0.0.0/16'; a bring-your-own Vpc keeps its own CIDR", ex.Message);
        Assert.Contains("ControlledEgress is 'True'; egress of a bring-your-own Vpc is its owner's", ex.Message);
        Assert.Contains("MaxAzs is '3'", ex.Message);
    }

    [Fact]
    public void Network_with_an_existing_vpc_rejects_a_flow_log_key_because_it_creates_no_flow_log()
    {
        var stack = NewStack();
        var ex = Assert.Throws<ArgumentException>(() => new IsolatedNetwork(stack, "Network", new IsolatedNetworkProps
        {
            Vpc = ExistingVpc(stack), FlowLogEncryptionKey = new Key(stack, "K"),
        }));
        Assert.Contains("FlowLogEncryptionKey is '(set)'; a bring-your-own Vpc gets no flow log from this construct", ex.Message);
    }

    [Fact]
    public void Network_rejects_zones_of_another_region_duplicates_and_both_zone_props()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IsolatedNetwork(NewStack(), "Network", new IsolatedNetworkProps
        {
            AvailabilityZones = ["us-east-1a", "eu-west-1b", "eu-west-1b"], MaxAzs = 2,
        }));
        Assert.Contains("AvailabilityZones is 'us-east-1a'; give zones of the stack's region 'eu-west-1'", ex.Message);
        Assert.Contains("each zone may appear only once", ex.Message);
        Assert.Contains("MaxAzs is '2'; set either MaxAzs or AvailabilityZones, not both", ex.Message);
    }

    [Fact]
    public void Network_rejects_subnets_without_an_existing_vpc()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IsolatedNetwork(NewStack(), "Network", new IsolatedNetworkProps
        {
            Subnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED },
        }));
        Assert.Contains("Subnets selects subnets of a bring-your-own Vpc only", ex.Message);
    }

    [Fact]
    public void Storage_rejects_durations_that_are_not_whole_days_from_1_to_3650()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingBuckets(NewStack(), "Storage", new TrainingBucketsProps
        {
            CheckpointExpiration = Duration.Hours(36),
            NoncurrentVersionExpiration = Duration.Days(4000),
            AccessLogExpiration = Duration.Days(0),
        }));
        Assert.Contains("CheckpointExpiration is '1 day 12 hours'; give a whole number of days from 1 to 3650", ex.Message);
        Assert.Contains("NoncurrentVersionExpiration is '4000 days'", ex.Message);
        Assert.Contains("AccessLogExpiration is '0 days'", ex.Message);
    }

    [Fact]
    public void Role_rejects_an_invalid_role_name_and_repository_names()
    {
        var stack = NewStack();
        var buckets = new TrainingBuckets(stack, "Storage");
        var ex = Assert.Throws<ArgumentException>(() => new SageMakerExecutionRole(stack, "Role", new SageMakerExecutionRoleProps
        {
            Buckets = buckets, RoleName = "bad name!", ImageRepositories = ["HuggingFace_Training", "ok-repo"],
        }));
        Assert.Contains("RoleName is 'bad name!'; give 1 to 64 characters", ex.Message);
        // IAM takes ASCII only: a letter of another script is refused too (.NET's \w would have let it through).
        var accented = Assert.Throws<ArgumentException>(() => new SageMakerExecutionRole(stack, "Role3", new SageMakerExecutionRoleProps
        {
            Buckets = buckets, RoleName = "rôle",
        }));
        Assert.Contains("RoleName is 'rôle'; give 1 to 64 characters of ASCII letters", accented.Message);
        Assert.Contains("ImageRepositories is 'HuggingFace_Training'; give an ECR repository name", ex.Message);
        Assert.DoesNotContain("'ok-repo'", ex.Message);

        var empty = Assert.Throws<ArgumentException>(() => new SageMakerExecutionRole(stack, "Role2", new SageMakerExecutionRoleProps
        {
            Buckets = buckets, ImageRepositories = [],
        }));
        Assert.Contains("ImageRepositories is '[]'; give at least one repository", empty.Message);
    }

    [Fact]
    public void Studio_user_role_rejects_missing_buckets_and_an_invalid_role_name_in_one_message()
    {
        var stack = NewStack();
        var ex = Assert.Throws<ArgumentException>(() => new StudioUserRole(stack, "StudioRole", new StudioUserRoleProps
        {
            Buckets = null!, RoleName = "studio role",
        }));
        Assert.Contains("Invalid StudioUserRoleProps for 'V/StudioRole'", ex.Message);
        Assert.Contains("Buckets is '(not set)'; pass the platform's TrainingBuckets.", ex.Message);
        Assert.Contains("RoleName is 'studio role'; give 1 to 64 characters of ASCII letters, digits and +=,.@_-", ex.Message);

        var tooLong = Assert.Throws<ArgumentException>(() => new StudioUserRole(stack, "StudioRole2", new StudioUserRoleProps
        {
            Buckets = new TrainingBuckets(stack, "Storage"), RoleName = new string('r', 65),
        }));
        Assert.Contains($"RoleName is '{new string('r', 65)}'", tooLong.Message);
    }

    [Fact]
    public void Studio_user_role_accepts_a_token_role_name_and_is_allowed_into_one_domain_only()
    {
        var stack = NewStack();
        var name = new CfnParameter(stack, "RoleNameParam").ValueAsString;
        var role = new StudioUserRole(stack, "StudioRole", new StudioUserRoleProps { Buckets = new TrainingBuckets(stack, "Storage"), RoleName = name });
        var domain = new StudioDomain(stack, "Studio", StudioProps(stack) with { DefaultExecutionRole = role.Role });
        Assert.Null(role.DomainPolicy);
        var policy = role.AddStudioDomainPolicy(domain);
        Assert.Same(policy, role.DomainPolicy);
        Assert.Equal("StudioDomainAccess", policy.Node.Id);
        var twice = Assert.Throws<InvalidOperationException>(() => role.AddStudioDomainPolicy(domain));
        Assert.Contains("'V/StudioRole' is already allowed into a Studio domain", twice.Message);
        Assert.Throws<ArgumentNullException>(() => role.AddStudioDomainPolicy(null!));
        Assert.Throws<ArgumentNullException>(() => role.GrantExecutions(null!));
    }

    private static StudioDomainProps StudioProps(Stack stack) => new()
    {
        Vpc = ExistingVpc(stack),
        SecurityGroup = SecurityGroup.FromSecurityGroupId(stack, "Sg", "sg-1"),
        DefaultExecutionRole = Role.FromRoleArn(stack, "Exec", "arn:aws:iam::123456789012:role/exec"),
        EncryptionKey = Key.FromKeyArn(stack, "Key", "arn:aws:kms:eu-west-1:123456789012:key/k"),
    };

    [Theory]
    [InlineData(59, "IdleTimeout is '59 minutes'; give whole minutes from 60 to 525600")]
    [InlineData(525_601, "IdleTimeout is '365 days 1 minute'")]
    public void Studio_rejects_an_idle_timeout_outside_60_to_525600_minutes(int minutes, string expected)
    {
        var stack = NewStack();
        var ex = Assert.Throws<ArgumentException>(() => new StudioDomain(stack, "Studio", StudioProps(stack) with { IdleTimeout = Duration.Minutes(minutes) }));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Studio_rejects_invalid_and_duplicate_user_profile_names_and_domain_name_in_one_message()
    {
        var stack = NewStack();
        var ex = Assert.Throws<ArgumentException>(() => new StudioDomain(stack, "Studio", StudioProps(stack) with
        {
            UserProfiles = ["-leading", "under_score", "alice", "Alice", new string('a', 64)],
            DomainName = "team_domain",
        }));
        Assert.Contains("UserProfiles is '-leading'; give 1 to 63 letters, digits and hyphens", ex.Message);
        Assert.Contains("UserProfiles is 'under_score'", ex.Message);
        // compared without case, as the environment loader compares them
        Assert.Contains("UserProfiles is 'alice'; each user profile name may appear only once", ex.Message);
        Assert.Contains($"UserProfiles is '{new string('a', 64)}'", ex.Message);
        Assert.Contains("DomainName is 'team_domain'", ex.Message);
        Assert.Contains("Invalid StudioDomainProps for 'V/Studio'", ex.Message);
    }

    [Fact]
    public void Studio_skips_unresolved_tokens_and_accepts_the_boundaries()
    {
        var stack = NewStack();
        var studio = new StudioDomain(stack, "Studio", StudioProps(stack) with
        {
            DomainName = Fn.ImportValue("DomainName"),
            IdleTimeout = Duration.Minutes(525_600),
            UserProfiles = ["a", "a-b--c9"],
        });
        Assert.Equal(2, studio.UserProfiles.Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Stack_rejects_a_log_retention_that_is_not_a_cloudwatch_logs_value(int days)
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainingPlatformStack.ToRetentionDays(days));
        Assert.Contains($"Retention.LogRetentionDays is '{days}'", ex.Message);
        Assert.Contains("365", ex.Message);
    }
}
