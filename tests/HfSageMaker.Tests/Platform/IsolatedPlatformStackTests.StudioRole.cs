using System.Text.Json;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>The Studio user role of the default environment (same synthesized stack as the other platform tests).</summary>
public sealed partial class IsolatedPlatformStackTests
{
    private const string StudioRoleId = "StudioUserRole64C806F9";
    private const string DomainId = "Studio43727D10";
    private const string PipelineId = "TranslationPipeline2F26379E";

    private List<JsonElement> StudioStatements => Statements(T, "StudioUserRole");

    private List<JsonElement> StudioStatementsWith(string action) => StudioStatements.Where(s => Actions(s).Contains(action)).ToList();

    private KeyValuePair<string, JsonElement> DomainAccessPolicy => Resources(T, "AWS::IAM::ManagedPolicy")
        .Single(kv => kv.Key.StartsWith("StudioUserRoleStudioDomainAccess", StringComparison.Ordinal));

    [Fact]
    public void Studio_profiles_and_shared_spaces_run_with_the_studio_role_and_jobs_keep_the_job_role()
    {
        var domain = Single(T, "AWS::SageMaker::Domain").GetProperty("Properties");
        var expected = $$"""{"Fn::GetAtt":["{{StudioRoleId}}","Arn"]}""";
        Assert.Equal(expected, domain.GetProperty("DefaultUserSettings").GetProperty("ExecutionRole").GetRawText());
        Assert.Equal(expected, domain.GetProperty("DefaultSpaceSettings").GetProperty("ExecutionRole").GetRawText());
        Assert.DoesNotContain("ExecutionRoleFAA49FA6", domain.GetRawText());

        // The pipeline passes the job role, never the Studio role.
        var passRole = Statements(T, "TranslationPipelineRole").Where(s => Actions(s).Contains("iam:PassRole")).ToList();
        Assert.NotEmpty(passRole);
        Assert.All(passRole, s =>
        {
            Assert.Contains("ExecutionRoleFAA49FA6", s.GetProperty("Resource").GetRawText());
            Assert.DoesNotContain(StudioRoleId, s.GetProperty("Resource").GetRawText());
        });
    }

    [Fact]
    public void Studio_role_is_trusted_by_sagemaker_for_this_account_only_without_managed_policies()
    {
        var role = Resources(T, "AWS::IAM::Role")[StudioRoleId].GetProperty("Properties");
        var trust = role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray().Single();
        Assert.Equal("sagemaker.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("sts:AssumeRole", trust.GetProperty("Action").GetString());
        Assert.Equal("""{"StringEquals":{"aws:SourceAccount":"123456789012"}}""", trust.GetProperty("Condition").GetRawText());
        Assert.False(role.TryGetProperty("ManagedPolicyArns", out _));
        Assert.False(role.TryGetProperty("PermissionsBoundary", out _));
    }

    [Fact]
    public void Studio_role_and_its_default_policy_do_not_reference_the_domain_and_the_domain_policy_does_so_no_cycle()
    {
        Assert.DoesNotContain(DomainId, Resources(T, "AWS::IAM::Role")[StudioRoleId].GetRawText());
        var defaultPolicy = Resources(T, "AWS::IAM::ManagedPolicy").Single(kv => kv.Key.StartsWith("StudioUserRoleDefaultPolicy", StringComparison.Ordinal)).Value;
        Assert.DoesNotContain(DomainId, defaultPolicy.GetRawText());

        var domainPolicy = DomainAccessPolicy.Value.GetProperty("Properties");
        Assert.Equal($$"""[{"Ref":"{{StudioRoleId}}"}]""", domainPolicy.GetProperty("Roles").GetRawText());
        Assert.Contains($$"""{"Fn::GetAtt":["{{DomainId}}","DomainId"]}""", domainPolicy.GetProperty("PolicyDocument").GetRawText());
    }

    [Theory]
    [InlineData("sagemaker:CreateSpace", ":space/")]
    [InlineData("sagemaker:UpdateSpace", ":space/")]
    [InlineData("sagemaker:DeleteSpace", ":space/")]
    [InlineData("sagemaker:DescribeSpace", ":space/")]
    [InlineData("sagemaker:CreateApp", ":app/")]
    [InlineData("sagemaker:DeleteApp", ":app/")]
    [InlineData("sagemaker:DescribeApp", ":app/")]
    [InlineData("sagemaker:DescribeDomain", ":domain/")]
    [InlineData("sagemaker:DescribeUserProfile", ":user-profile/")]
    [InlineData("sagemaker:AddTags", ":space/")]
    [InlineData("sagemaker:AddTags", ":app/")]
    public void Studio_action_is_allowed_only_on_resources_of_this_domain(string action, string resourceType)
    {
        var statements = StudioStatementsWith(action);
        Assert.NotEmpty(statements);
        var resources = statements.SelectMany(s => s.GetProperty("Resource").ValueKind == JsonValueKind.Array
            ? s.GetProperty("Resource").EnumerateArray().ToList() : [s.GetProperty("Resource")]).ToList();
        Assert.All(resources, r =>
        {
            var text = r.GetRawText();
            Assert.Contains($$"""{"Fn::GetAtt":["{{DomainId}}","DomainId"]}""", text);
            Assert.Contains(":sagemaker:eu-west-1:123456789012:", text);
        });
        Assert.Contains(resources, r => r.GetRawText().Contains(resourceType));
    }

    [Fact]
    public void Only_the_studio_and_registry_list_actions_are_on_all_resources_and_no_sagemaker_job_action_is_granted()
    {
        var sageMakerActions = StudioStatements.SelectMany(Actions).Where(a => a.StartsWith("sagemaker:")).Distinct().Order().ToList();
        Assert.Equal(
        [
            "sagemaker:AddTags", "sagemaker:CreateApp", "sagemaker:CreateSpace", "sagemaker:DeleteApp", "sagemaker:DeleteSpace",
            "sagemaker:DescribeApp", "sagemaker:DescribeDomain", "sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
            "sagemaker:DescribeSpace", "sagemaker:DescribeUserProfile",
            "sagemaker:ListApps", "sagemaker:ListDomains", "sagemaker:ListModelPackageGroups", "sagemaker:ListModelPackages",
            "sagemaker:ListSpaces", "sagemaker:ListTags", "sagemaker:ListUserProfiles",
            "sagemaker:UpdateSpace",
        ], sageMakerActions);
        var onAll = StudioStatements.Where(s => s.GetProperty("Resource").GetRawText() == "\"*\"")
            .SelectMany(Actions).Where(a => a.StartsWith("sagemaker:")).Order().ToList();
        Assert.Equal(["sagemaker:ListApps", "sagemaker:ListDomains", "sagemaker:ListModelPackageGroups", "sagemaker:ListModelPackages",
            "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"], onAll);
    }

    [Fact]
    public void Studio_users_describe_only_the_model_packages_of_this_stacks_groups_and_approve_none()
    {
        var statements = StudioStatementsWith("sagemaker:DescribeModelPackage");
        Assert.NotEmpty(statements);
        var resources = statements.SelectMany(s => s.GetProperty("Resource").EnumerateArray()).Select(r => r.GetRawText()).ToList();
        // Each pipeline's group (its ARN) and its versions (model-package/<group name>/*), nothing else.
        Assert.Equal(2 * fixture.Stack.Pipelines.Count, resources.Count);
        Assert.All(resources, r => Assert.True(r.Contains("ModelPackageGroupArn") || (r.Contains(":model-package/") && r.EndsWith("\"/*\"]]}", StringComparison.Ordinal)), r));
        Assert.DoesNotContain(StudioStatements.SelectMany(Actions), a => a is "sagemaker:UpdateModelPackage" or "sagemaker:CreateModelPackage");
    }

    [Fact]
    public void Studio_role_cannot_pass_roles_or_create_jobs_itself()
    {
        var actions = StudioStatements.SelectMany(Actions).ToList();
        Assert.DoesNotContain(actions, a => a.StartsWith("iam:"));
        Assert.DoesNotContain(actions, a => a.Contains("CreateTrainingJob") || a.Contains("CreateHyperParameterTuningJob"));
        Assert.DoesNotContain(actions, a => a is "*" or "sagemaker:*" or "states:*" or "s3:*");
        Assert.False(Resources(T, "AWS::IAM::Role")[StudioRoleId].GetProperty("Properties").TryGetProperty("ManagedPolicyArns", out _));
    }

    [Fact]
    public void Studio_role_reads_and_uploads_datasets_reads_artifacts_and_deletes_nothing()
    {
        List<string> ActionsOn(string bucket) => StudioStatements
            .Where(s => s.GetProperty("Resource").GetRawText().Contains($"\"{bucket}\""))
            .SelectMany(Actions).Distinct().Order().ToList();
        var datasets = ActionsOn("StorageDatasets615E7AC1");
        Assert.Contains("s3:GetObject*", datasets);
        Assert.Contains("s3:PutObject", datasets);
        Assert.Equal(["s3:GetBucket*", "s3:GetObject*", "s3:List*"], ActionsOn("StorageArtifacts08431D1F"));
        Assert.Empty(ActionsOn("StorageCheckpoints2CDBDF43"));
        Assert.Empty(ActionsOn("StorageAccessLogs96FB524C"));
        var all = StudioStatements.SelectMany(Actions).ToList();
        Assert.DoesNotContain(all, a => a.StartsWith("s3:DeleteObject") || a == "s3:PutBucketPolicy");
        // Put only on the datasets bucket's objects.
        Assert.All(StudioStatements.Where(s => Actions(s).Contains("s3:PutObject")),
            s => Assert.Equal("""{"Fn::Join":["",[{"Fn::GetAtt":["StorageDatasets615E7AC1","Arn"]},"/*"]]}""", s.GetProperty("Resource").GetRawText()));
    }

    [Fact]
    public void Studio_role_starts_watches_and_stops_executions_of_the_translation_pipeline_only()
    {
        var start = StudioStatementsWith("states:StartExecution").Single();
        Assert.Equal($$"""{"Ref":"{{PipelineId}}"}""", start.GetProperty("Resource").GetRawText());
        foreach (var action in new[] { "states:DescribeExecution", "states:GetExecutionHistory", "states:StopExecution" })
        {
            var s = StudioStatementsWith(action).Single();
            var resource = s.GetProperty("Resource").GetRawText();
            Assert.Contains(":states:eu-west-1:123456789012:execution:", resource);
            Assert.Contains($$"""{"Ref":"{{PipelineId}}"}""", resource);
        }
        Assert.DoesNotContain(StudioStatements.SelectMany(Actions), a => a is "states:StartSyncExecution" or "states:SendTaskSuccess");
    }

    [Fact]
    public void Studio_role_writes_only_the_studio_log_group_and_reads_the_training_job_logs()
    {
        var write = StudioStatementsWith("logs:PutLogEvents").Single();
        // CreateLogGroup is authorized on the group's ARN, the stream actions on ':*' (Service Authorization Reference).
        Assert.Equal("""[{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":logs:eu-west-1:123456789012:log-group:/aws/sagemaker/studio"]]},{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":logs:eu-west-1:123456789012:log-group:/aws/sagemaker/studio:*"]]}]""",
            write.GetProperty("Resource").GetRawText());
        var read = StudioStatementsWith("logs:GetLogEvents").Single();
        Assert.Equal("""{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*"]]}""",
            read.GetProperty("Resource").GetRawText());
        Assert.DoesNotContain("logs:PutLogEvents", Actions(read));
    }

    [Fact]
    public void Every_wildcard_of_the_studio_policies_is_suppressed_for_cdk_nag_by_name()
    {
        var domainPolicy = NagSuppressions(DomainAccessPolicy.Value)["AwsSolutions-IAM5"];
        Assert.Equal(
        [
            "Resource::*",
            "Resource::arn:<AWS::Partition>:sagemaker:eu-west-1:123456789012:app/<Studio43727D10.DomainId>/*",
            "Resource::arn:<AWS::Partition>:sagemaker:eu-west-1:123456789012:space/<Studio43727D10.DomainId>/*",
            "Resource::arn:<AWS::Partition>:sagemaker:eu-west-1:123456789012:user-profile/<Studio43727D10.DomainId>/*",
        ], domainPolicy.Order(StringComparer.Ordinal));

        var defaultPolicy = NagSuppressions(Resources(T, "AWS::IAM::ManagedPolicy")
            .Single(kv => kv.Key.StartsWith("StudioUserRoleDefaultPolicy", StringComparison.Ordinal)).Value)["AwsSolutions-IAM5"];
        Assert.Contains("Resource::<StorageDatasets615E7AC1.Arn>/*", defaultPolicy);
        Assert.Contains("Resource::<StorageArtifacts08431D1F.Arn>/*", defaultPolicy);
        Assert.DoesNotContain("Resource::<StorageCheckpoints2CDBDF43.Arn>/*", defaultPolicy);
        Assert.DoesNotContain("Action::s3:DeleteObject*", defaultPolicy);
        Assert.Contains("Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/studio:*", defaultPolicy);
        Assert.Contains(defaultPolicy, f => f.StartsWith("Resource::arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:", StringComparison.Ordinal)
            && f.Contains(PipelineId) && f.EndsWith(":*", StringComparison.Ordinal));
    }
}
