using System.Text.Json;
using Amazon.CDK.Assertions;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>The default (isolated, retaining) environment: every platform default, asserted on the template.</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class IsolatedPlatformStackTests(IsolatedRetainStackFixture fixture) : IClassFixture<IsolatedRetainStackFixture>
{
    private Template T => fixture.Template;

    // ---- Network ----

    [Fact]
    public void Isolated_vpc_has_only_private_isolated_subnets_and_no_internet_or_nat_gateway()
    {
        T.ResourceCountIs("AWS::EC2::VPC", 1);
        T.HasResourceProperties("AWS::EC2::VPC", Match.ObjectLike(new Dictionary<string, object>
        {
            ["CidrBlock"] = "10.20.0.0/16", ["EnableDnsHostnames"] = true, ["EnableDnsSupport"] = true,
        }));
        T.ResourceCountIs("AWS::EC2::NatGateway", 0);
        T.ResourceCountIs("AWS::EC2::InternetGateway", 0);
        T.ResourceCountIs("AWS::EC2::EIP", 0);
        T.ResourceCountIs("AWS::EC2::Route", 0);
        var subnets = Resources(T, "AWS::EC2::Subnet").Values.ToList();
        Assert.Equal(2, subnets.Count);
        Assert.All(subnets, s => Assert.False(s.GetProperty("Properties").GetProperty("MapPublicIpOnLaunch").GetBoolean()));
        Assert.Equal(new[] { "eu-west-1a", "eu-west-1b" },
            subnets.Select(s => s.GetProperty("Properties").GetProperty("AvailabilityZone").GetString()).Order());
    }

    [Fact]
    public void Synthesis_needs_no_context_lookup_because_the_zones_are_fixed()
    {
        Assert.Null(fixture.Assembly.Manifest.Missing);
        Assert.Equal(new[] { "eu-west-1a", "eu-west-1b" }, fixture.Stack.AvailabilityZones);
    }

    [Fact]
    public void Vpc_flow_log_captures_all_traffic_into_a_retained_log_group_with_the_environment_retention()
    {
        T.HasResourceProperties("AWS::EC2::FlowLog", Match.ObjectLike(new Dictionary<string, object>
        {
            ["ResourceType"] = "VPC",
            ["TrafficType"] = "ALL",
            ["ResourceId"] = new Dictionary<string, object> { ["Ref"] = "NetworkVpc7FB7348F" },
            ["LogDestinationType"] = "cloud-watch-logs",
        }));
        T.HasResource("AWS::Logs::LogGroup", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Properties"] = new Dictionary<string, object> { ["RetentionInDays"] = 90 },
            ["DeletionPolicy"] = "Retain",
        }));
    }

    [Fact]
    public void Default_security_group_is_restricted()
    {
        T.HasResourceProperties("Custom::VpcRestrictDefaultSG", Match.ObjectLike(new Dictionary<string, object>
        {
            ["DefaultSecurityGroupId"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "NetworkVpc7FB7348F", "DefaultSecurityGroup" } },
        }));
        // The CDK provider's managed policy and runtime are accepted on the provider's own resources, with a reason.
        var role = Resources(T, "AWS::IAM::Role").Single(kv => kv.Key.StartsWith("CustomVpcRestrictDefaultSG", StringComparison.Ordinal)).Value;
        Assert.Equal(["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"], NagSuppressions(role)["AwsSolutions-IAM4"]);
    }

    /// <summary>
    /// aws-cdk-lib 2.160 puts the provider on nodejs20.x, whose creation AWS blocked on 2026-06-01 (cfn-lint E2533):
    /// it runs on nodejs24.x, the newest Node.js runtime of CloudFormation's schema as cfn-lint 1.51.0 bundles it, as
    /// our own function does, with the same AwsSolutions-L1 suppression (cdk-nag's newest aws-cdk-lib already lists
    /// nodejs26.x; cdk-nag and cfn-lint over cdk.out judge both in scripts/test.sh).
    /// </summary>
    [Fact]
    public void Default_security_group_provider_runs_on_nodejs24_as_our_own_function_does()
    {
        var functions = Resources(T, "AWS::Lambda::Function");
        var provider = functions.Single(kv => kv.Key.StartsWith("CustomVpcRestrictDefaultSG", StringComparison.Ordinal)).Value;
        var ours = functions.Single(kv => kv.Key.Contains("PrepareRequestFunction", StringComparison.Ordinal)).Value;
        Assert.Equal("nodejs24.x", provider.GetProperty("Properties").GetProperty("Runtime").GetString());
        Assert.Equal("nodejs24.x", ours.GetProperty("Properties").GetProperty("Runtime").GetString());
        Assert.Equal(NagSuppressions(ours)["AwsSolutions-L1"], NagSuppressions(provider)["AwsSolutions-L1"]);
    }

    /// <summary>
    /// AWS Budgets checks at creation that it may publish to its SNS subscriber; the budget only references the topic, so
    /// it must depend on the topic policy that allows budgets.amazonaws.com.
    /// </summary>
    [Fact]
    public void Budget_is_created_after_the_topic_policy_that_lets_budgets_publish()
    {
        var policy = Resources(T, "AWS::SNS::TopicPolicy").Single(kv => kv.Value.GetRawText().Contains("budgets.amazonaws.com")).Key;
        var budget = Single(T, "AWS::Budgets::Budget");
        Assert.True(budget.TryGetProperty("DependsOn", out var dependsOn), "the budget has no DependsOn");
        Assert.Contains(policy, List(dependsOn));
    }

    /// <summary>The quota preflight's first-deployment values are what the synthesized stack creates.</summary>
    [Fact]
    public void Quota_preflight_counts_the_vpc_and_endpoints_the_stack_creates()
    {
        var quotas = HfSageMaker.Infra.Quotas.AccountQuotas.For(PlatformFixtures.Config()).ToDictionary(q => q.QuotaCode, q => q.Value);
        var endpoints = Resources(T, "AWS::EC2::VPCEndpoint").Values.Select(e => e.GetProperty("Properties").GetProperty("VpcEndpointType").GetString()).ToList();
        Assert.Equal(endpoints.Count(t => t == "Interface"), quotas["L-29B6F2EB"]);
        Assert.Equal(endpoints.Count(t => t == "Gateway"), quotas["L-1B52E74A"]);
        Assert.Equal(Resources(T, "AWS::EC2::VPC").Count, quotas["L-F678F1CE"]);
        Assert.False(quotas.ContainsKey("L-FE5A380F"));
        T.ResourceCountIs("AWS::EC2::NatGateway", 0);
    }

    [Fact]
    public void Training_security_group_allows_all_traffic_from_itself_only()
    {
        T.HasResourceProperties("AWS::EC2::SecurityGroupIngress", new Dictionary<string, object>
        {
            ["IpProtocol"] = "-1",
            ["GroupId"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "NetworkTrainingSecurityGroup874C6F97", "GroupId" } },
            ["SourceSecurityGroupId"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "NetworkTrainingSecurityGroup874C6F97", "GroupId" } },
            ["Description"] = Match.AnyValue(),
        });
        var sg = Resources(T, "AWS::EC2::SecurityGroup")["NetworkTrainingSecurityGroup874C6F97"].GetProperty("Properties");
        Assert.False(sg.TryGetProperty("SecurityGroupIngress", out _));
    }

    /// <summary>
    /// The self rules AWS documents for a VpcOnly Studio domain, and nothing else: NFS (TCP 2049) to the home EFS and
    /// TCP 8192-65535 between the apps ("Connect Amazon SageMaker Studio in a VPC to External Resources",
    /// https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html).
    /// </summary>
    [Fact]
    public void Studio_security_group_allows_from_itself_exactly_nfs_and_the_documented_app_ports()
    {
        const string group = "NetworkStudioSecurityGroup973FB21A";
        var rules = Resources(T, "AWS::EC2::SecurityGroupIngress").Values.Select(r => r.GetProperty("Properties"))
            .Where(p => p.GetProperty("GroupId").GetRawText().Contains(group, StringComparison.Ordinal)).ToList();
        Assert.All(rules, p => Assert.Equal($"{{\"Fn::GetAtt\":[\"{group}\",\"GroupId\"]}}", p.GetProperty("SourceSecurityGroupId").GetRawText()));
        Assert.Equal(["tcp 2049-2049", "tcp 8192-65535"], rules
            .Select(p => $"{p.GetProperty("IpProtocol").GetString()} {p.GetProperty("FromPort").GetInt32()}-{p.GetProperty("ToPort").GetInt32()}")
            .Order(StringComparer.Ordinal));
        Assert.False(Resources(T, "AWS::EC2::SecurityGroup")[group].GetProperty("Properties").TryGetProperty("SecurityGroupIngress", out _));
    }

    [Fact]
    public void No_security_group_allows_ingress_from_anywhere()
    {
        Assert.All(Resources(T, "AWS::EC2::SecurityGroupIngress").Values,
            r => Assert.True(r.GetProperty("Properties").TryGetProperty("SourceSecurityGroupId", out _)));
        foreach (var g in Resources(T, "AWS::EC2::SecurityGroup").Values)
            if (g.GetProperty("Properties").TryGetProperty("SecurityGroupIngress", out var ingress))
                Assert.All(ingress.EnumerateArray(), r => Assert.NotEqual("0.0.0.0/0", r.GetProperty("CidrIp").GetString()));
    }

    [Fact]
    public void Endpoint_security_group_allows_https_from_the_vpc_cidr_only_and_no_egress()
    {
        var sg = Resources(T, "AWS::EC2::SecurityGroup").Values.Single(g =>
            g.GetProperty("Properties").GetProperty("GroupDescription").GetString()!.Contains("endpoints"));
        var ingress = sg.GetProperty("Properties").GetProperty("SecurityGroupIngress").EnumerateArray().Single();
        Assert.Equal("10.20.0.0/16", ingress.GetProperty("CidrIp").GetString());
        Assert.Equal(443, ingress.GetProperty("FromPort").GetInt32());
        Assert.Equal(443, ingress.GetProperty("ToPort").GetInt32());
        var egress = sg.GetProperty("Properties").GetProperty("SecurityGroupEgress").EnumerateArray().Single();
        Assert.Equal("255.255.255.255/32", egress.GetProperty("CidrIp").GetString()); // CDK's "disallow all" marker
    }

    [Fact]
    public void Interface_endpoints_for_sagemaker_studio_sts_logs_and_step_functions_and_an_s3_gateway_endpoint_exist()
    {
        var endpoints = Resources(T, "AWS::EC2::VPCEndpoint").Values.Select(e => e.GetProperty("Properties")).ToList();
        var interfaceServices = endpoints.Where(e => e.GetProperty("VpcEndpointType").GetString() == "Interface")
            .Select(e => e.GetProperty("ServiceName").GetString()).Order().ToArray();
        Assert.Equal(new[]
        {
            "aws.sagemaker.eu-west-1.studio",
            "com.amazonaws.eu-west-1.logs",
            "com.amazonaws.eu-west-1.sagemaker.api",
            "com.amazonaws.eu-west-1.sagemaker.runtime",
            "com.amazonaws.eu-west-1.states",
            "com.amazonaws.eu-west-1.sts",
        }, interfaceServices);
        Assert.All(endpoints.Where(e => e.GetProperty("VpcEndpointType").GetString() == "Interface"),
            e => Assert.True(e.GetProperty("PrivateDnsEnabled").GetBoolean()));
        var gateway = endpoints.Single(e => e.GetProperty("VpcEndpointType").GetString() == "Gateway");
        Assert.Contains("\".s3\"", gateway.GetProperty("ServiceName").GetRawText());
        Assert.Equal(2, gateway.GetProperty("RouteTableIds").GetArrayLength());
    }

    // ---- Storage ----

    private static readonly string[] DataBuckets = ["StorageDatasets615E7AC1", "StorageArtifacts08431D1F", "StorageCheckpoints2CDBDF43"];

    [Fact]
    public void Key_is_customer_managed_with_rotation_and_retained()
    {
        T.HasResource("AWS::KMS::Key", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Properties"] = Match.ObjectLike(new Dictionary<string, object> { ["EnableKeyRotation"] = true }),
            ["DeletionPolicy"] = "Retain",
            ["UpdateReplacePolicy"] = "Retain",
        }));
    }

    [Fact]
    public void Every_log_group_is_encrypted_with_the_platform_key()
    {
        var groups = Resources(T, "AWS::Logs::LogGroup");
        Assert.Contains("NetworkFlowLogGroup4F8CEEEF", groups.Keys);
        Assert.True(groups.Count >= 3, $"expected the flow log and the pipeline's two log groups, found {groups.Count}");
        Assert.All(groups, kv => Assert.Equal("[\"StorageKeyBAA9457B\",\"Arn\"]",
            kv.Value.GetProperty("Properties").GetProperty("KmsKeyId").GetProperty("Fn::GetAtt").GetRawText()));
    }

    [Fact]
    public void Platform_key_lets_cloudwatch_logs_use_it_only_for_log_groups_of_this_account_and_region()
    {
        // Without this statement CloudFormation cannot create a log group with KmsKeyId (CloudWatch Logs user guide).
        var key = Resources(T, "AWS::KMS::Key")["StorageKeyBAA9457B"].GetProperty("Properties");
        var logs = key.GetProperty("KeyPolicy").GetProperty("Statement").EnumerateArray()
            .Where(s => s.GetProperty("Principal").TryGetProperty("Service", out _)).ToList();
        var statement = Assert.Single(logs);
        Assert.Equal("logs.eu-west-1.amazonaws.com", statement.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal(["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"], Actions(statement).Order());
        var condition = statement.GetProperty("Condition");
        Assert.Equal(["ArnLike"], condition.EnumerateObject().Select(c => c.Name));
        // arn:${AWS::Partition}:logs:eu-west-1:123456789012:log-group:*
        Assert.Equal("""{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":logs:eu-west-1:123456789012:log-group:*"]]}""",
            condition.GetProperty("ArnLike").GetProperty("kms:EncryptionContext:aws:logs:arn").GetRawText());
    }

    /// <summary>
    /// Both keys the platform creates (data and notifications) deny kms:CreateGrant to every principal unless an AWS
    /// service creates the grant for an AWS resource; BoolIfExists also denies a request without the key. The offline
    /// simulation of the key policies is in tests/node/key-policies.test.mjs.
    /// </summary>
    [Fact]
    public void Both_keys_deny_grants_that_are_not_for_aws_resources()
    {
        var keys = Resources(T, "AWS::KMS::Key");
        Assert.Equal(["NotificationsKeyADCFA950", "StorageKeyBAA9457B"], keys.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, key) in keys)
        {
            var deny = key.GetProperty("Properties").GetProperty("KeyPolicy").GetProperty("Statement").EnumerateArray()
                .Where(s => s.GetProperty("Effect").GetString() == "Deny").ToList();
            var statement = Assert.Single(deny);
            Assert.Equal("DenyGrantsNotForAwsResources", statement.GetProperty("Sid").GetString());
            Assert.Equal("""{"AWS":"*"}""", statement.GetProperty("Principal").GetRawText());
            Assert.Equal(["kms:CreateGrant"], Actions(statement));
            Assert.Equal("""{"BoolIfExists":{"kms:GrantIsForAWSResource":"false"}}""", statement.GetProperty("Condition").GetRawText());
        }
    }

    [Theory]
    [InlineData("StorageDatasets615E7AC1", "datasets/")]
    [InlineData("StorageArtifacts08431D1F", "artifacts/")]
    [InlineData("StorageCheckpoints2CDBDF43", "checkpoints/")]
    public void Data_bucket_is_kms_encrypted_versioned_logged_private_and_retained(string logicalId, string logPrefix)
    {
        var bucket = Resources(T, "AWS::S3::Bucket")[logicalId];
        Assert.Equal("Retain", bucket.GetProperty("DeletionPolicy").GetString());
        var p = bucket.GetProperty("Properties");
        var sse = p.GetProperty("BucketEncryption").GetProperty("ServerSideEncryptionConfiguration")[0];
        Assert.True(sse.GetProperty("BucketKeyEnabled").GetBoolean());
        Assert.Equal("aws:kms", sse.GetProperty("ServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        Assert.Equal("[\"StorageKeyBAA9457B\",\"Arn\"]",
            sse.GetProperty("ServerSideEncryptionByDefault").GetProperty("KMSMasterKeyID").GetProperty("Fn::GetAtt").GetRawText());
        Assert.Equal("Enabled", p.GetProperty("VersioningConfiguration").GetProperty("Status").GetString());
        Assert.Equal("StorageAccessLogs96FB524C", p.GetProperty("LoggingConfiguration").GetProperty("DestinationBucketName").GetProperty("Ref").GetString());
        Assert.Equal(logPrefix, p.GetProperty("LoggingConfiguration").GetProperty("LogFilePrefix").GetString());
        var block = p.GetProperty("PublicAccessBlockConfiguration");
        foreach (var flag in new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" })
            Assert.True(block.GetProperty(flag).GetBoolean(), flag);
        Assert.Equal("BucketOwnerEnforced", p.GetProperty("OwnershipControls").GetProperty("Rules")[0].GetProperty("ObjectOwnership").GetString());
    }

    [Fact]
    public void Every_bucket_policy_denies_requests_without_tls_and_below_tls_1_2()
    {
        var policies = Resources(T, "AWS::S3::BucketPolicy").Values.ToList();
        Assert.Equal(4, policies.Count);
        foreach (var policy in policies)
        {
            var statements = policy.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray().ToList();
            Assert.Contains(statements, s => s.GetProperty("Effect").GetString() == "Deny"
                && s.GetProperty("Condition").TryGetProperty("Bool", out var b) && b.GetProperty("aws:SecureTransport").GetString() == "false");
            Assert.Contains(statements, s => s.GetProperty("Effect").GetString() == "Deny"
                && s.GetProperty("Condition").TryGetProperty("NumericLessThan", out var n) && n.GetProperty("s3:TlsVersion").GetRawText().Contains("1.2"));
        }
    }

    [Fact]
    public void Access_log_bucket_uses_sse_s3_accepts_log_delivery_by_policy_and_needs_no_s1_suppression()
    {
        var logs = Resources(T, "AWS::S3::Bucket")["StorageAccessLogs96FB524C"];
        var p = logs.GetProperty("Properties");
        Assert.Equal("AES256", p.GetProperty("BucketEncryption").GetProperty("ServerSideEncryptionConfiguration")[0]
            .GetProperty("ServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        Assert.False(p.TryGetProperty("AccessControl", out _)); // no LogDeliveryWrite ACL: delivery through the bucket policy
        // cdk-nag passes S1 and the packs' S3BucketLoggingEnabled for a log-destination bucket; a suppression here would
        // be stale (tests/node/policy.test.mjs). SSE-S3 is suppressed with its reason.
        Assert.DoesNotContain("AwsSolutions-S1", NagSuppressions(logs).Keys);
        Assert.DoesNotContain("NIST.800.53.R5-S3BucketLoggingEnabled", NagSuppressions(logs).Keys);
        Assert.Contains("NIST.800.53.R5-S3DefaultEncryptionKMS", NagSuppressions(logs).Keys);
        var policy = Resources(T, "AWS::S3::BucketPolicy")["StorageAccessLogsPolicyB327A790"];
        Assert.Contains("logging.s3.amazonaws.com", policy.GetRawText());
    }

    [Fact]
    public void Checkpoints_expire_after_the_configured_days_and_other_buckets_keep_current_objects()
    {
        var buckets = Resources(T, "AWS::S3::Bucket");
        var rule = buckets["StorageCheckpoints2CDBDF43"].GetProperty("Properties").GetProperty("LifecycleConfiguration").GetProperty("Rules")[0];
        Assert.Equal(14, rule.GetProperty("ExpirationInDays").GetInt32());
        Assert.Equal("Enabled", rule.GetProperty("Status").GetString());
        foreach (var id in DataBuckets.Where(b => b != "StorageCheckpoints2CDBDF43"))
        {
            var r = buckets[id].GetProperty("Properties").GetProperty("LifecycleConfiguration").GetProperty("Rules")[0];
            Assert.False(r.TryGetProperty("ExpirationInDays", out _), id);
            Assert.Equal(90, r.GetProperty("NoncurrentVersionExpiration").GetProperty("NoncurrentDays").GetInt32());
            Assert.Equal(7, r.GetProperty("AbortIncompleteMultipartUpload").GetProperty("DaysAfterInitiation").GetInt32());
        }
    }

    // ---- Execution role ----

    private List<JsonElement> RoleStatements => Statements(T, "ExecutionRole");

    /// <summary>
    /// The platform's permissions are customer managed policies (versioned, each with its own 6,144-character quota),
    /// not inline ones (cdk-nag HIPAA.Security/NIST.800.53.R5 IAMNoInlinePolicy): the only inline policy left is the
    /// one aws-cdk-lib renders for its own default-security-group provider role, suppressed with a reason.
    /// </summary>
    [Fact]
    public void Every_policy_of_ours_is_customer_managed_and_the_only_inline_one_is_the_cdk_providers()
    {
        T.ResourceCountIs("AWS::IAM::Policy", 0);
        var inline = Resources(T, "AWS::IAM::Role").Where(kv => kv.Value.GetProperty("Properties").TryGetProperty("Policies", out _)).ToList();
        var provider = Assert.Single(inline);
        Assert.StartsWith("CustomVpcRestrictDefaultSG", provider.Key, StringComparison.Ordinal);
        Assert.Contains("NIST.800.53.R5-IAMNoInlinePolicy", NagSuppressions(provider.Value).Keys);
        Assert.Contains("HIPAA.Security-IAMNoInlinePolicy", NagSuppressions(provider.Value).Keys);
        Assert.Equal(
            ["ExecutionRoleDefaultPolicy", "NetworkFlowLogDelivery", "StudioUserRoleDefaultPolicy",
             "StudioUserRoleStudioDomainAccess", "TranslationPipelineJobGuardrails", "TranslationPipelinePrepareRequestRoleDefaultPolicy",
             "TranslationPipelineRoleDefaultPolicy"],
            Resources(T, "AWS::IAM::ManagedPolicy").Keys.Select(k => k[..^8]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Execution_role_is_trusted_by_sagemaker_only_and_has_no_managed_policies()
    {
        var role = Resources(T, "AWS::IAM::Role")["ExecutionRoleFAA49FA6"].GetProperty("Properties");
        var trust = role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray().Single();
        Assert.Equal("sagemaker.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("sts:AssumeRole", trust.GetProperty("Action").GetString());
        // Confused-deputy protection: only on behalf of this account; no aws:SourceArn (jobs and Studio apps differ).
        Assert.Equal("""{"StringEquals":{"aws:SourceAccount":"123456789012"}}""", trust.GetProperty("Condition").GetRawText());
        Assert.False(role.TryGetProperty("ManagedPolicyArns", out _));
        Assert.False(role.TryGetProperty("PermissionsBoundary", out _));
        Assert.False(role.TryGetProperty("RoleName", out _));
        Assert.DoesNotContain("FullAccess", JsonSerializer.Serialize(T.ToJSON()));
    }

    [Fact]
    public void State_machine_role_may_be_assumed_by_step_functions_only_for_state_machines_of_this_account_and_region()
    {
        var role = Resources(T, "AWS::IAM::Role").Single(kv => kv.Key.StartsWith("TranslationPipelineRole", StringComparison.Ordinal)).Value;
        var trust = role.GetProperty("Properties").GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray().Single();
        Assert.Equal("states.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        var condition = trust.GetProperty("Condition");
        Assert.Equal("123456789012", condition.GetProperty("StringEquals").GetProperty("aws:SourceAccount").GetString());
        Assert.Equal("""{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":states:eu-west-1:123456789012:stateMachine:*"]]}""",
            condition.GetProperty("ArnLike").GetProperty("aws:SourceArn").GetRawText());
    }

    [Fact]
    public void Execution_role_reads_datasets_and_writes_artifacts_and_checkpoints_only()
    {
        string? ActionsOn(string bucket) => RoleStatements
            .Where(s => s.GetProperty("Resource").GetRawText().Contains($"\"{bucket}\""))
            .Select(s => string.Join(",", Actions(s).Order())).SingleOrDefault();
        Assert.Equal("s3:GetBucket*,s3:GetObject*,s3:List*", ActionsOn("StorageDatasets615E7AC1"));
        Assert.Contains("s3:PutObject", ActionsOn("StorageArtifacts08431D1F"));
        Assert.Contains("s3:PutObject", ActionsOn("StorageCheckpoints2CDBDF43"));
        Assert.Null(ActionsOn("StorageAccessLogs96FB524C"));
        // Every S3 statement names a platform bucket: no account-wide S3 access.
        Assert.All(RoleStatements.Where(s => Actions(s).Any(a => a.StartsWith("s3:"))),
            s => Assert.DoesNotContain("\"*\"", s.GetProperty("Resource").GetRawText()));
    }

    [Fact]
    public void Execution_role_uses_the_key_and_creates_grants_only_for_aws_resources()
    {
        var createGrant = RoleStatements.Single(s => Actions(s).Contains("kms:CreateGrant"));
        Assert.Equal("true", createGrant.GetProperty("Condition").GetProperty("Bool").GetProperty("kms:GrantIsForAWSResource").GetString());
        Assert.Contains("StorageKeyBAA9457B", createGrant.GetProperty("Resource").GetRawText());
        Assert.Contains(RoleStatements, s => Actions(s).Contains("kms:GenerateDataKey*") && s.GetProperty("Resource").GetRawText().Contains("StorageKeyBAA9457B"));
    }

    [Fact]
    public void Execution_role_writes_only_sagemaker_log_groups_and_metrics_in_sagemaker_namespaces()
    {
        // Jobs only: the Studio apps' log group belongs to the Studio user role.
        var logs = RoleStatements.Single(s => Actions(s).Contains("logs:PutLogEvents"));
        var resources = List(logs.GetProperty("Resource")).Select(RenderArn).Order().ToList();
        Assert.Equal(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs",
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*"], resources);
        Assert.DoesNotContain(RoleStatements, s => s.GetRawText().Contains("/aws/sagemaker/studio"));
        var metrics = RoleStatements.Single(s => Actions(s).Contains("cloudwatch:PutMetricData"));
        Assert.Equal(["/aws/sagemaker/*"], List(metrics.GetProperty("Condition").GetProperty("StringLike").GetProperty("cloudwatch:namespace")));
    }

    /// <summary>
    /// Each logs action is allowed on the resource IAM authorizes it on. Resource ARN formats from the Service
    /// Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html):
    /// CreateLogGroup on log-group (arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}); CreateLogStream,
    /// PutLogEvents and DescribeLogStreams on log-stream / log-group streams (…:log-group:${LogGroupName}:log-stream:${LogStreamName}).
    /// IAM matches '*' across any characters, ':' included.
    /// </summary>
    [Theory]
    [InlineData("logs:CreateLogGroup", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs")]
    [InlineData("logs:CreateLogStream", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:job-1/algo-1-1700000000")]
    [InlineData("logs:PutLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:job-1/algo-1-1700000000")]
    public void Execution_role_may_perform_each_logs_action_on_the_arn_iam_authorizes_it_on(string action, string requestArn)
    {
        var allowed = RoleStatements.Where(s => Actions(s).Contains(action))
            .SelectMany(s => List(s.GetProperty("Resource")).Select(RenderArn)).ToList();
        Assert.Contains(allowed, pattern => System.Text.RegularExpressions.Regex.IsMatch(requestArn,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + @"\z"));
    }

    /// <summary>Renders a resource written as a string or {"Fn::Join": ["", [...]]} with Ref AWS::Partition = aws.</summary>
    private static string RenderArn(string raw)
    {
        if (!raw.StartsWith('{')) return raw;
        var parts = JsonDocument.Parse(raw).RootElement.GetProperty("Fn::Join")[1].EnumerateArray();
        return string.Concat(parts.Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()
            : p.GetProperty("Ref").GetString() == "AWS::Partition" ? "aws" : throw new InvalidOperationException(p.GetRawText())));
    }

    [Fact]
    public void Execution_role_pulls_only_the_dlc_training_repository_of_its_region()
    {
        var pull = RoleStatements.Single(s => Actions(s).Contains("ecr:BatchGetImage"));
        Assert.Contains(":ecr:eu-west-1:*:repository/huggingface-pytorch-training", pull.GetProperty("Resource").GetRawText());
        var token = RoleStatements.Single(s => Actions(s).Contains("ecr:GetAuthorizationToken"));
        Assert.Equal(["ecr:GetAuthorizationToken"], Actions(token));
    }

    [Fact]
    public void Execution_role_manages_network_interfaces_only_in_the_platform_vpc()
    {
        foreach (var action in new[] { "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface" })
        {
            var s = RoleStatements.Single(st => Actions(st).Contains(action));
            var vpc = s.GetProperty("Condition").GetProperty("ArnEquals").GetProperty("ec2:Vpc").GetRawText();
            Assert.Contains("NetworkVpc7FB7348F", vpc);
            Assert.DoesNotContain("\"*\"", s.GetProperty("Resource").GetRawText());
        }
        var describe = RoleStatements.Single(s => Actions(s).Contains("ec2:DescribeVpcs"));
        Assert.Equal(["ec2:DeleteNetworkInterfacePermission", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], Actions(describe).Order());
    }

    [Fact]
    public void Execution_role_is_not_granted_pass_role_or_any_wildcard_action_beyond_the_cdk_grant_sets()
    {
        var actions = RoleStatements.SelectMany(Actions).ToList();
        Assert.DoesNotContain(actions, a => a.StartsWith("iam:"));
        Assert.DoesNotContain(actions, a => a.StartsWith("sagemaker:"));
        Assert.Empty(actions.Where(a => a.Contains('*')).Except(
            ["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*", "kms:ReEncrypt*", "kms:GenerateDataKey*"]));
    }

    [Fact]
    public void Every_wildcard_of_the_execution_role_policy_is_suppressed_for_cdk_nag_by_name()
    {
        var policy = Resources(T, "AWS::IAM::ManagedPolicy").Single(kv => kv.Key.StartsWith("ExecutionRole", StringComparison.Ordinal)).Value;
        var suppressed = NagSuppressions(policy)["AwsSolutions-IAM5"];
        Assert.Contains("Resource::*", suppressed);
        Assert.Contains("Resource::<StorageDatasets615E7AC1.Arn>/*", suppressed);
        Assert.Contains("Resource::<StorageCheckpoints2CDBDF43.Arn>/*", suppressed);
        Assert.Contains("Resource::arn:<AWS::Partition>:ecr:eu-west-1:*:repository/huggingface-pytorch-training", suppressed);
        Assert.Contains("Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*", suppressed);
        Assert.Contains("Resource::arn:<AWS::Partition>:ec2:eu-west-1:123456789012:network-interface/*", suppressed);
        Assert.Contains("Action::s3:GetObject*", suppressed);
    }

    // ---- Studio ----

    [Fact]
    public void Studio_domain_is_vpc_only_with_iam_auth_the_platform_key_and_private_subnets()
    {
        T.HasResourceProperties("AWS::SageMaker::Domain", Match.ObjectLike(new Dictionary<string, object>
        {
            ["AppNetworkAccessType"] = "VpcOnly",
            ["AuthMode"] = "IAM",
            ["KmsKeyId"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "StorageKeyBAA9457B", "Arn" } },
            ["VpcId"] = new Dictionary<string, object> { ["Ref"] = "NetworkVpc7FB7348F" },
            ["SubnetIds"] = new object[]
            {
                new Dictionary<string, object> { ["Ref"] = "NetworkVpcPrivateSubnet1Subnet6DD86AE6" },
                new Dictionary<string, object> { ["Ref"] = "NetworkVpcPrivateSubnet2Subnet1BDBE877" },
            },
            ["DefaultUserSettings"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["ExecutionRole"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "StudioUserRole64C806F9", "Arn" } },
                ["SecurityGroups"] = new object[] { new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "NetworkStudioSecurityGroup973FB21A", "GroupId" } } },
                ["SharingSettings"] = new Dictionary<string, object> { ["NotebookOutputOption"] = "Disabled" },
            }),
            ["DefaultSpaceSettings"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["ExecutionRole"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "StudioUserRole64C806F9", "Arn" } },
            }),
        }));
        var name = Single(T, "AWS::SageMaker::Domain").GetProperty("Properties").GetProperty("DomainName").GetString()!;
        Assert.Matches("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", name);
    }

    [Fact]
    public void Jupyterlab_code_editor_and_shared_spaces_shut_down_after_the_configured_idle_time()
    {
        var expected = new Dictionary<string, object>
        {
            ["AppLifecycleManagement"] = new Dictionary<string, object>
            {
                ["IdleSettings"] = new Dictionary<string, object>
                {
                    ["LifecycleManagement"] = "ENABLED", ["IdleTimeoutInMinutes"] = 120,
                    ["MinIdleTimeoutInMinutes"] = 60, ["MaxIdleTimeoutInMinutes"] = 120,
                },
            },
        };
        T.HasResourceProperties("AWS::SageMaker::Domain", Match.ObjectLike(new Dictionary<string, object>
        {
            ["DefaultUserSettings"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["JupyterLabAppSettings"] = expected, ["CodeEditorAppSettings"] = expected,
            }),
            ["DefaultSpaceSettings"] = Match.ObjectLike(new Dictionary<string, object> { ["JupyterLabAppSettings"] = expected }),
        }));
    }

    [Fact]
    public void One_user_profile_per_configured_user_in_the_domain_and_no_tags_that_would_replace_them()
    {
        var profiles = Resources(T, "AWS::SageMaker::UserProfile").Values.Select(p => p.GetProperty("Properties")).ToList();
        Assert.Equal(new[] { "alice", "bob-ml" }, profiles.Select(p => p.GetProperty("UserProfileName").GetString()).Order());
        Assert.All(profiles, p => Assert.Equal("[\"Studio43727D10\",\"DomainId\"]", p.GetProperty("DomainId").GetProperty("Fn::GetAtt").GetRawText()));
        Assert.False(Single(T, "AWS::SageMaker::Domain").GetProperty("Properties").TryGetProperty("Tags", out _));
        Assert.Equal(2, fixture.Stack.Studio.UserProfiles.Count);
    }

    [Fact]
    public void Stack_outputs_the_domain_and_its_home_efs_and_is_termination_protected_when_retaining()
    {
        T.HasOutput("StudioHomeEfsFileSystemId", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Value"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "Studio43727D10", "HomeEfsFileSystemId" } },
        }));
        T.HasOutput("StudioDomainId", Match.AnyValue());
        Assert.True(fixture.Stack.TerminationProtection);
    }

    // ---- Logical-ID stability: renaming a construct replaces these stateful resources ----

    [Theory]
    [InlineData("AWS::KMS::Key", "StorageKeyBAA9457B")]
    [InlineData("AWS::S3::Bucket", "StorageAccessLogs96FB524C")]
    [InlineData("AWS::S3::Bucket", "StorageDatasets615E7AC1")]
    [InlineData("AWS::S3::Bucket", "StorageArtifacts08431D1F")]
    [InlineData("AWS::S3::Bucket", "StorageCheckpoints2CDBDF43")]
    [InlineData("AWS::SageMaker::Domain", "Studio43727D10")]
    [InlineData("AWS::SageMaker::UserProfile", "StudioUsersalice7F322E54")]
    [InlineData("AWS::SageMaker::UserProfile", "StudioUsersbobmlD9B003B6")]
    [InlineData("AWS::Logs::LogGroup", "NetworkFlowLogGroup4F8CEEEF")]
    [InlineData("AWS::EC2::VPC", "NetworkVpc7FB7348F")]
    [InlineData("AWS::IAM::Role", "ExecutionRoleFAA49FA6")]
    [InlineData("AWS::IAM::Role", "StudioUserRole64C806F9")]
    public void Stateful_resource_keeps_its_logical_id(string type, string logicalId) =>
        Assert.Contains(logicalId, Resources(T, type).Keys);

    [Fact]
    public void Unused_code_bucket_is_not_created()
    {
        // The pipeline's sourcedir.tar.gz is a CDK file asset, so the stack has no code bucket of its own (an earlier
        // StorageCodeEBE9F578 was created and never written to).
        Assert.Equal(["StorageAccessLogs96FB524C", "StorageArtifacts08431D1F", "StorageCheckpoints2CDBDF43", "StorageDatasets615E7AC1"],
            Resources(T, "AWS::S3::Bucket").Keys.Order(StringComparer.Ordinal));
        Assert.Null(fixture.Stack.Storage.Code);
    }
}
