using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Tests.Configuration;
using Xunit;

namespace HfSageMaker.Tests.BadInput;

/// <summary>
/// The largest environment a file may describe, synthesized through the app as users run it: 6 zones, controlled
/// egress (public subnets, NAT), the most tags allowed filling the byte budget, the most Studio users and emails, every recipe. AWS limits are checked on the result,
/// not on the file: 50 tags per resource (EC2 https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions,
/// the same for S3, IAM, KMS, Logs, SNS, Lambda, Step Functions) and CloudFormation's 1 MiB template
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html, template body in S3, which
/// is how the CDK CLI deploys templates over 50 KiB).
/// </summary>
public sealed class LargestEnvironmentFixture : IDisposable
{
    public const int TemplateLimitBytes = 1024 * 1024;

    /// <summary>Resources per template CloudFormation accepts (same quotas page).</summary>
    public const int ResourceLimit = 500;

    public LargestEnvironmentFixture()
    {
        var json = TempEnvironments.Valid();
        json["region"] = "us-east-1";
        json["availabilityZones"] = new JsonArray("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f");
        json["network"]!["mode"] = "controlledEgress";
        json["description"] = new string('d', 256);
        // The most tags allowed, keys and values together exactly at the byte budget.
        var count = EnvironmentSchema.MaxTags;
        var each = EnvironmentSchema.MaxTagBytes / count;
        var tags = new JsonObject();
        var total = 0;
        for (var i = 0; i < count; i++)
        {
            var target = i == count - 1 ? EnvironmentSchema.MaxTagBytes - total : each;
            var key = $"k{i:D2}-" + new string('k', Math.Max(0, target - EnvironmentSchema.MaxTagValueLength - 4));
            var valueLength = Math.Min(EnvironmentSchema.MaxTagValueLength, target - key.Length);
            tags[key] = new string('v', valueLength);
            total += key.Length + valueLength;
        }

        json["tags"] = tags;
        // Every recipe on (each adds a state machine, functions and alarms, all tagged).
        json["recipes"] = new JsonObject([.. HfSageMaker.Infra.Recipes.RecipeRegistry.Names.Select(n => KeyValuePair.Create(n, (JsonNode?)new JsonObject()))]);
        // The most Studio users and notification emails allowed, with the longest names: each is a resource.
        json["studio"]!["users"] = new JsonArray([.. Enumerable.Range(0, EnvironmentSchema.MaxStudioUsers)
            .Select(i => (JsonNode)new JsonObject { ["name"] = $"u{i:D2}-" + new string('x', 59) })]);
        json["notificationEmails"] = new JsonArray([.. Enumerable.Range(0, EnvironmentSchema.MaxNotificationEmails)
            .Select(i => (JsonNode)JsonValue.Create($"a{i:D2}" + new string('b', 61) + "@" + new string('d', 180) + ".com"))]);
        FileTags = tags.ToDictionary(t => t.Key, t => t.Value!.GetValue<string>());
        TagBytes = total;
        Environments = new TempEnvironments();
        Environments.Write("dev.json", json);
        Outdir = Path.Combine(Path.GetTempPath(), "hf-largest-" + Guid.NewGuid().ToString("N"));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        ExitCode = AppRunner.Run([], stdout, stderr, Outdir, Environments.Directory);
        Stderr = stderr.ToString();
        TemplatePath = Path.Combine(Outdir, "HfSageMaker-dev.template.json");
    }

    internal TempEnvironments Environments { get; }
    public Dictionary<string, string> FileTags { get; }
    public int TagBytes { get; }
    public string Outdir { get; }
    public int ExitCode { get; }
    public string Stderr { get; }
    public string TemplatePath { get; }

    public void Dispose()
    {
        Environments.Dispose();
        try
        {
            Directory.Delete(Outdir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

public sealed class SynthesizedLimitsTests(LargestEnvironmentFixture largest) : IClassFixture<LargestEnvironmentFixture>
{
    [Fact]
    public void LargestAllowedFile_Synthesizes()
    {
        Assert.True(largest.ExitCode == 0, largest.Stderr);
        Assert.Equal(EnvironmentSchema.MaxTagBytes, largest.TagBytes);
        Assert.Equal(EnvironmentSchema.MaxTags, largest.FileTags.Count);
    }

    [Fact]
    public void LargestAllowedFile_TemplateIsUnderCloudFormationsLimit()
    {
        var size = new FileInfo(largest.TemplatePath).Length;
        Assert.True(size <= LargestEnvironmentFixture.TemplateLimitBytes,
            $"{size} bytes > {LargestEnvironmentFixture.TemplateLimitBytes}: lower EnvironmentSchema.MaxTagBytes or MaxStudioUsers");
    }

    [Fact]
    public void LargestAllowedFile_HasEveryUserEmailAndRecipe_AndAtMost500Resources()
    {
        using var template = JsonDocument.Parse(File.ReadAllText(largest.TemplatePath));
        var resources = template.RootElement.GetProperty("Resources").EnumerateObject().ToList();
        Assert.Equal(EnvironmentSchema.MaxStudioUsers, resources.Count(r => r.Value.GetProperty("Type").GetString() == "AWS::SageMaker::UserProfile"));
        Assert.Equal(EnvironmentSchema.MaxNotificationEmails, resources.Count(r => r.Value.GetProperty("Type").GetString() == "AWS::SNS::Subscription"));
        Assert.Equal(HfSageMaker.Infra.Recipes.RecipeRegistry.Names.Count, resources.Count(r => r.Value.GetProperty("Type").GetString() == "AWS::StepFunctions::StateMachine"));
        Assert.True(resources.Count <= LargestEnvironmentFixture.ResourceLimit,
            $"{resources.Count} resources > {LargestEnvironmentFixture.ResourceLimit}: lower EnvironmentSchema.MaxStudioUsers or MaxNotificationEmails");
    }

    [Fact]
    public void EveryResource_CarriesAtMost50Tags_AndOnlyTheFilesAndTheAddedKeys()
    {
        using var template = JsonDocument.Parse(File.ReadAllText(largest.TemplatePath));
        var tagged = 0;
        var problems = new List<string>();
        foreach (var resource in template.RootElement.GetProperty("Resources").EnumerateObject())
        {
            if (!resource.Value.TryGetProperty("Properties", out var properties) || !properties.TryGetProperty("Tags", out var tags)
                || tags.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            tagged++;
            var keys = tags.EnumerateArray().Select(t => t.GetProperty("Key").GetString()!).ToList();
            if (keys.Count > EnvironmentSchema.AwsTagsPerResource)
            {
                problems.Add($"{resource.Name}: {keys.Count} tags");
            }

            var extra = keys.Where(k => !largest.FileTags.ContainsKey(k) && !EnvironmentSchema.AddedTagKeys.Contains(k)).ToList();
            if (extra.Count > 0)
            {
                problems.Add($"{resource.Name}: tags not counted in EnvironmentSchema.AddedTagKeys: {string.Join(", ", extra)}");
            }
        }

        Assert.True(tagged > 40, $"only {tagged} tagged resources: the fixture no longer builds the largest stack");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void SomeResource_CarriesEveryAddedKey_SoTheBudgetIsNotTooStrict()
    {
        using var template = JsonDocument.Parse(File.ReadAllText(largest.TemplatePath));
        var most = template.RootElement.GetProperty("Resources").EnumerateObject()
            .Select(r => r.Value.TryGetProperty("Properties", out var p) && p.TryGetProperty("Tags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Count(x => EnvironmentSchema.AddedTagKeys.Contains(x.GetProperty("Key").GetString()!))
                : 0)
            .Max();
        Assert.Equal(EnvironmentSchema.AddedTagKeys.Count, most);
    }
}
