using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.CXAPI;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Tests.Platform;

/// <summary>Environment literals and stack builders shared by the platform tests.</summary>
internal static class PlatformFixtures
{
    public const string Account = "123456789012";
    public const string Region = "eu-west-1";

    public static EnvironmentConfig Config(NetworkMode mode = NetworkMode.Isolated,
        RemovalBehaviour removal = RemovalBehaviour.Retain) => new()
    {
        Name = "test",
        Account = Account,
        Region = Region,
        AvailabilityZones = ["eu-west-1a", "eu-west-1b"],
        Network = new NetworkConfig { Mode = mode, Cidr = "10.20.0.0/16" },
        Training = new TrainingConfig
        {
            AllowedInstanceTypes = ["ml.g5.xlarge"],
            DefaultInstanceType = "ml.g5.xlarge",
            MaxInstanceCount = 2,
            SpotByDefault = true,
            MaxRuntimeHours = 24,
        },
        Retention = new RetentionConfig { RemovalPolicy = removal, CheckpointExpirationDays = 14, LogRetentionDays = 90 },
        Studio = new StudioConfig
        {
            IdleTimeoutMinutes = 120,
            Users = [new StudioUserConfig { Name = "alice" }, new StudioUserConfig { Name = "bob-ml" }],
        },
        Budget = new BudgetConfig { MonthlyLimitUsd = 500, AlertThresholdsPercent = [80, 100] },
    };

    public static (TrainingPlatformStack Stack, Template Template, CloudAssembly Assembly) Synth(EnvironmentConfig config)
    {
        var app = new App();
        var stack = new TrainingPlatformStack(app, "Platform", new TrainingPlatformStackProps
        {
            Config = config,
            Env = new Amazon.CDK.Environment { Account = config.Account, Region = config.Region },
        });
        var template = Template.FromStack(stack);
        return (stack, template, app.Synth());
    }
}

/// <summary>The isolated, retaining environment, synthesized once for a test class.</summary>
public sealed class IsolatedRetainStackFixture
{
    internal TrainingPlatformStack Stack { get; }
    internal Template Template { get; }
    internal CloudAssembly Assembly { get; }

    public IsolatedRetainStackFixture() =>
        (Stack, Template, Assembly) = PlatformFixtures.Synth(PlatformFixtures.Config());
}

/// <summary>The controlled-egress, destroying environment, synthesized once for a test class.</summary>
public sealed class EgressDestroyStackFixture
{
    internal TrainingPlatformStack Stack { get; }
    internal Template Template { get; }

    public EgressDestroyStackFixture() =>
        (Stack, Template, _) = PlatformFixtures.Synth(PlatformFixtures.Config(NetworkMode.ControlledEgress, RemovalBehaviour.Destroy));
}

/// <summary>JSON helpers over synthesized templates.</summary>
internal static class TemplateJson
{
    /// <summary>The resources of a type, as JSON, keyed by logical id.</summary>
    public static Dictionary<string, System.Text.Json.JsonElement> Resources(Template template, string type) =>
        template.FindResources(type).ToDictionary(kv => kv.Key, kv => System.Text.Json.JsonSerializer.SerializeToElement(kv.Value));

    /// <summary>The only resource of a type.</summary>
    public static System.Text.Json.JsonElement Single(Template template, string type) => Resources(template, type).Values.Single();

    /// <summary>All statements of the IAM policies whose logical id starts with <paramref name="prefix"/> or that are
    /// attached to a role whose logical id does (a pipeline role's JobGuardrails policy).</summary>
    public static List<System.Text.Json.JsonElement> Statements(Template template, string prefix) =>
        Resources(template, "AWS::IAM::ManagedPolicy").Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)
                || (kv.Value.GetProperty("Properties").TryGetProperty("Roles", out var roles)
                    && roles.EnumerateArray().Any(r => r.TryGetProperty("Ref", out var id) && id.GetString()!.StartsWith(prefix, StringComparison.Ordinal))))
            .SelectMany(kv => kv.Value.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            .ToList();

    /// <summary>A statement's actions as a list, whether written as a string or an array.</summary>
    public static List<string> Actions(System.Text.Json.JsonElement statement) => List(statement.GetProperty("Action"));

    /// <summary>A string or array of strings as a list.</summary>
    public static List<string> List(System.Text.Json.JsonElement value) => value.ValueKind == System.Text.Json.JsonValueKind.Array
        ? value.EnumerateArray().Select(e => e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList()
        : [value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString()! : value.GetRawText()];

    /// <summary>The cdk-nag suppressions written on a resource, rule id to applies_to (empty when it applies to all).</summary>
    public static Dictionary<string, List<string>> NagSuppressions(System.Text.Json.JsonElement resource) =>
        resource.TryGetProperty("Metadata", out var meta) && meta.TryGetProperty("cdk_nag", out var nag)
            ? nag.GetProperty("rules_to_suppress").EnumerateArray().ToDictionary(
                r => r.GetProperty("id").GetString()!,
                r => r.TryGetProperty("applies_to", out var a) ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : [])
            : [];
}

/// <summary>
/// The platform test classes run one after another: the jsii runtime behind the CDK is not safe for concurrent use
/// from several threads, and parallel fixtures synthesizing at once deadlock it.
/// </summary>
[Xunit.CollectionDefinition(Name)]
public sealed class PlatformCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Platform (sequential jsii use)";
}
