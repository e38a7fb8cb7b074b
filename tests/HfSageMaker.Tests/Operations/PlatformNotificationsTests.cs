using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using HfSageMaker.Constructs.Operations;
using Xunit;

namespace HfSageMaker.Tests.Operations;

public sealed class PlatformNotificationsFixture
{
    public Template Template { get; }
    public JsonElement Json { get; }
    public string TopicId { get; }
    public string KeyId { get; }

    public PlatformNotificationsFixture()
    {
        var stack = new Stack(new App(), "Notifications", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var notifications = new PlatformNotifications(stack, "Notifications", new PlatformNotificationsProps
        {
            EmailAddresses = ["ml-platform@example.com", "oncall@example.com"],
        });
        var publisher = new Role(stack, "Publisher", new RoleProps { AssumedBy = new ServicePrincipal("states.amazonaws.com") });
        notifications.GrantPublish(publisher);
        Template = Template.FromStack(stack);
        Json = TemplateJson.Parse(Template);
        TopicId = stack.GetLogicalId((CfnElement)notifications.Topic.Node.DefaultChild!);
        KeyId = stack.GetLogicalId((CfnElement)notifications.Key.Node.DefaultChild!);
    }
}

public class PlatformNotificationsTests(PlatformNotificationsFixture f) : IClassFixture<PlatformNotificationsFixture>
{
    private IEnumerable<JsonElement> KeyStatements() =>
        TemplateJson.OfType(f.Json, "AWS::KMS::Key").Single().Resource
            .GetProperty("Properties").GetProperty("KeyPolicy").GetProperty("Statement").EnumerateArray();

    private IEnumerable<JsonElement> TopicStatements() =>
        TemplateJson.OfType(f.Json, "AWS::SNS::TopicPolicy").Single().Resource
            .GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray();

    private static string? Service(JsonElement statement) =>
        statement.TryGetProperty("Principal", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("Service", out var s)
            ? s.GetString() : null;

    [Fact]
    public void Topic_is_encrypted_with_a_rotating_customer_managed_key()
    {
        Assert.Matches("^Notifications[0-9A-F]{8}$", f.TopicId); // primary child "Resource": the topic keeps the construct's name
        f.Template.HasResourceProperties("AWS::SNS::Topic", new Dictionary<string, object>
        {
            ["KmsMasterKeyId"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { f.KeyId, "Arn" } },
        });
        f.Template.HasResource("AWS::KMS::Key", new Dictionary<string, object>
        {
            ["Properties"] = Match.ObjectLike(new Dictionary<string, object> { ["EnableKeyRotation"] = true }),
            ["DeletionPolicy"] = "Retain",
        });
    }

    [Theory]
    [InlineData("budgets.amazonaws.com", true)]
    [InlineData("cloudwatch.amazonaws.com", true)]
    [InlineData("events.amazonaws.com", false)]
    public void Key_policy_lets_each_publishing_service_generate_data_keys(string service, bool sourceAccountCondition)
    {
        var statement = KeyStatements().Single(s => Service(s) == service);
        var actions = statement.GetProperty("Action").EnumerateArray().Select(a => a.GetString()).OrderBy(a => a).ToArray();
        Assert.Equal(new[] { "kms:Decrypt", "kms:GenerateDataKey*" }, actions);
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        // EventBridge does not send aws:SourceAccount with its KMS request: a condition would drop every event.
        Assert.Equal(sourceAccountCondition, statement.TryGetProperty("Condition", out var c)
            && c.GetProperty("StringEquals").GetProperty("aws:SourceAccount").GetString() == "111111111111");
    }

    [Theory]
    [InlineData("budgets.amazonaws.com")]
    [InlineData("cloudwatch.amazonaws.com")]
    [InlineData("events.amazonaws.com")]
    public void Topic_policy_lets_each_service_publish_only_for_this_account(string service)
    {
        var statement = TopicStatements().Single(s => Service(s) == service);
        Assert.Equal("sns:Publish", statement.GetProperty("Action").GetString());
        Assert.Equal(f.TopicId, statement.GetProperty("Resource").GetProperty("Ref").GetString());
        Assert.Equal("111111111111", statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceAccount").GetString());
    }

    [Fact]
    public void Budgets_may_publish_only_from_budgets_of_this_account()
    {
        var statement = TopicStatements().Single(s => Service(s) == "budgets.amazonaws.com");
        var arn = statement.GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn");
        Assert.Equal("arn:aws:budgets::111111111111:*", arn.ValueKind == JsonValueKind.String
            ? arn.GetString()
            : string.Concat(arn.GetProperty("Fn::Join")[1].EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString() : "aws")));
    }

    [Fact]
    public void Publishing_without_tls_is_denied()
    {
        var deny = TopicStatements().Single(s => s.GetProperty("Effect").GetString() == "Deny");
        Assert.Equal("sns:Publish", deny.GetProperty("Action").GetString());
        Assert.Equal("false", deny.GetProperty("Condition").GetProperty("Bool").GetProperty("aws:SecureTransport").GetString());
    }

    [Fact]
    public void Each_email_address_gets_one_subscription()
    {
        var endpoints = TemplateJson.OfType(f.Json, "AWS::SNS::Subscription")
            .Select(s => s.Resource.GetProperty("Properties"))
            .Where(p => p.GetProperty("Protocol").GetString() == "email")
            .Select(p => p.GetProperty("Endpoint").GetString()).OrderBy(e => e).ToArray();
        Assert.Equal(new[] { "ml-platform@example.com", "oncall@example.com" }, endpoints);
    }

    [Fact]
    public void Grant_publish_includes_the_key()
    {
        var statements = TemplateJson.OfType(f.Json, "AWS::IAM::Policy").Single().Resource
            .GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray()
            .SelectMany(s => s.GetProperty("Action").ValueKind == JsonValueKind.Array
                ? s.GetProperty("Action").EnumerateArray().Select(a => a.GetString())
                : [s.GetProperty("Action").GetString()])
            .ToHashSet();
        Assert.Contains("sns:Publish", statements);
        Assert.Contains("kms:GenerateDataKey*", statements);
        Assert.Contains("kms:Decrypt", statements);
    }

    [Fact]
    public void Malformed_and_duplicate_addresses_are_rejected_in_one_message()
    {
        var stack = new Stack(new App(), "Bad");
        var ex = Assert.Throws<ArgumentException>(() => new PlatformNotifications(stack, "N", new PlatformNotificationsProps
        {
            EmailAddresses = ["not-an-address", "a@example.com", "A@example.com"],
        }));
        // The library's one format: construct path, then '<prop> is '<value>'; <fix>'.
        Assert.StartsWith("Invalid PlatformNotificationsProps for 'Bad/N':\n - EmailAddresses is 'not-an-address'; give an email address", ex.Message);
        Assert.Contains("lists 'a@example.com' 2 times", ex.Message);
    }

    [Fact]
    public void An_imported_key_is_used_and_a_warning_says_which_grants_are_missing()
    {
        var stack = new Stack(new App(), "Imported", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var key = Key.FromKeyArn(stack, "Key", "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555");
        new PlatformNotifications(stack, "N", new PlatformNotificationsProps { EncryptionKey = key });
        var template = Template.FromStack(stack);
        template.ResourceCountIs("AWS::KMS::Key", 0);
        template.HasResourceProperties("AWS::SNS::Topic", new Dictionary<string, object>
        {
            ["KmsMasterKeyId"] = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555",
        });
        Amazon.CDK.Assertions.Annotations.FromStack(stack).HasWarning("/Imported/N", Match.StringLikeRegexp("budgets.amazonaws.com.*kms:GenerateDataKey"));
    }
}
