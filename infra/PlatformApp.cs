using System.Text.Json;
using Amazon.CDK;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra;

/// <summary>Builds the CDK app: one <see cref="TrainingPlatformStack"/> per validated environment.</summary>
public static class PlatformApp
{
    /// <summary>Prefix of every stack name; the environment name follows, e.g. <c>HfSageMaker-prod</c>.</summary>
    public const string StackPrefix = "HfSageMaker-";

    /// <summary>Tag key the app sets on every resource to the environment name.</summary>
    public const string EnvironmentTag = "environment";

    /// <summary>
    /// Resource types that do not get the file's tags: in CloudFormation, changing the Tags of a Studio domain or user
    /// profile replaces it (orphaning the users' EFS home directories), so a tag edit must never reach them.
    /// </summary>
    public static IReadOnlyList<string> UntaggedResourceTypes { get; } = ["AWS::SageMaker::Domain", "AWS::SageMaker::UserProfile"];

    /// <summary>The stack name (and construct id) of an environment.</summary>
    public static string StackName(EnvironmentConfig environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return StackPrefix + environment.Name;
    }

    /// <summary>
    /// Creates the app writing to <paramref name="outdir"/>. When the CDK CLI did not start the app (no
    /// <c>CDK_CONTEXT_JSON</c>), the <c>context</c> of <c>cdk.json</c> is applied so <c>dotnet run</c> and
    /// <c>cdk synth</c> produce the same templates.
    /// </summary>
    public static App CreateApp(string outdir, string? repositoryRoot)
    {
        var props = new AppProps { Outdir = outdir };
        if (System.Environment.GetEnvironmentVariable("CDK_CONTEXT_JSON") is null && repositoryRoot is not null)
        {
            props.Context = ReadCdkJsonContext(Path.Combine(repositoryRoot, "cdk.json"));
        }

        return new App(props);
    }

    /// <summary>Adds one stack per environment to <paramref name="app"/> and returns them in order;
    /// <paramref name="source"/> is recorded in every registered model version.</summary>
    public static IReadOnlyList<TrainingPlatformStack> AddStacks(App app, IEnumerable<EnvironmentConfig> environments, SourceRevision? source = null)
    {
        ArgumentNullException.ThrowIfNull(environments);
        var stacks = new List<TrainingPlatformStack>();
        foreach (var environment in environments)
        {
            var name = StackName(environment);
            var stack = new TrainingPlatformStack(app, name, new TrainingPlatformStackProps
            {
                Config = environment,
                Source = source,
                StackName = name,
                Env = new Amazon.CDK.Environment { Account = environment.Account, Region = environment.Region },
                TerminationProtection = environment.Retention.RemovalPolicy == RemovalBehaviour.Retain,
                Description = $"Hugging Face training platform on SageMaker: environment {environment.Name}",
            });
            var tagProps = new TagProps { ExcludeResourceTypes = [.. UntaggedResourceTypes] };
            foreach (var (key, value) in environment.Tags)
            {
                Tags.Of(stack).Add(key, value, tagProps);
            }

            Tags.Of(stack).Add(EnvironmentTag, environment.Name, tagProps);
            stacks.Add(stack);
        }

        return stacks;
    }

    private static Dictionary<string, object>? ReadCdkJsonContext(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("context", out var context) || context.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var property in context.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number => property.Value.GetDouble(),
                _ => property.Value.GetRawText(),
            };
        }

        return values;
    }
}
