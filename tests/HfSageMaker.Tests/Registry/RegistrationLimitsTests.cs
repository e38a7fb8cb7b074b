using System.Text.Json;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Registry;
using Xunit;
using static HfSageMaker.Tests.SageMakerApiModel;

namespace HfSageMaker.Tests.Registry;

/// <summary>
/// Every limit <see cref="ModelRegistrationRequest"/> applies at synthesis, and every one the run-time code
/// (<c>registration.mjs</c>) receives in the policy, against the member of <c>CreateModelPackage</c> it limits in the
/// vendored botocore SageMaker model: reached by the member's path from the operation's input, so that a limit is
/// compared with its own member's shape and not with a shape of the same name elsewhere. The platform's own caps
/// (where the model sets none) must stay within whatever the model says.
/// </summary>
public class RegistrationLimitsTests
{
    private const string Input = "CreateModelPackageInput";
    private const string Container = Input + ".InferenceSpecification.Containers.member";

    /// <summary>The policy's limits (what the run-time code reads) and the member path each one limits.</summary>
    private static readonly Dictionary<string, string> PolicyLimitMembers = new()
    {
        ["metadataEntries"] = Input + ".CustomerMetadataProperties",
        ["metadataKeyLength"] = Input + ".CustomerMetadataProperties.key",
        ["metadataValueLength"] = Input + ".CustomerMetadataProperties.value",
        ["modelCardContentLength"] = Input + ".ModelCard.ModelCardContent",
        ["descriptionLength"] = Input + ".ModelPackageDescription",
        ["modelDataUrlLength"] = Container + ".ModelDataUrl",
    };

    private static readonly ModelRegistration Registration = new()
    {
        ImageUri = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04",
        ContentTypes = ["application/json"],
        ResponseTypes = ["application/json"],
        RealtimeInstanceTypes = ["ml.g5.xlarge"],
    };

    [Fact]
    public void Every_limit_the_run_time_code_receives_is_the_max_of_the_member_it_limits()
    {
        var limits = JsonSerializer.SerializeToElement(ModelRegistrationRequest.Policy(Registration)).GetProperty("limits");
        var received = limits.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

        // A new limit must name its member here first.
        Assert.Equal(PolicyLimitMembers.Keys.Append("clientTokenLength").Order(StringComparer.Ordinal), received.Keys.Order(StringComparer.Ordinal));
        foreach (var (limit, member) in PolicyLimitMembers)
            Assert.True(Max(member) == received[limit], $"{limit} is {received[limit]}; {member} ({At(member).Name}) allows {Max(member)}.");

        // The token is ours (32 hex digits of a SHA-256): within ClientToken's length and characters.
        Assert.InRange(received["clientTokenLength"], 1, Max(Input + ".ClientToken")!.Value);
        Assert.Matches(JavaPattern(Pattern(Input + ".ClientToken")), new string('f', (int)received["clientTokenLength"]));
    }

    [Fact]
    public void The_metadata_characters_are_the_key_and_value_patterns_character_class_and_their_bound_is_the_max()
    {
        foreach (var member in new[] { Input + ".CustomerMetadataProperties.key", Input + ".CustomerMetadataProperties.value" })
        {
            // The model writes ([<class>]*)${1,<max>}: the class, any number of times, of 1 to <max> characters.
            var pattern = Pattern(member);
            var parts = Regex.Match(pattern, @"^\((\[.+\])\*\)\$\{1,(\d+)\}$");
            Assert.True(parts.Success, $"{member}: the model's pattern {pattern} is no longer ([<class>]*)${{1,<max>}}; read it again.");
            Assert.Equal(Max(member), long.Parse(parts.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            AssertSameCharacters(parts.Groups[1].Value, ModelRegistrationRequest.MetadataCharacters, member);
        }
        Assert.Equal(Max(Input + ".CustomerMetadataProperties.key"), ModelRegistrationRequest.MaxMetadataKeyLength);
        Assert.Equal(Max(Input + ".CustomerMetadataProperties.value"), ModelRegistrationRequest.MaxMetadataValueLength);
        Assert.Equal(Max(Input + ".CustomerMetadataProperties"), ModelRegistrationRequest.MaxMetadataEntries);
    }

    [Fact]
    public void The_description_the_card_and_the_artifact_url_are_held_to_their_members()
    {
        Assert.Equal(Max(Input + ".ModelPackageDescription"), ModelRegistrationRequest.MaxDescriptionLength);
        var description = Pattern(Input + ".ModelPackageDescription");
        Assert.EndsWith("]*", description);
        AssertSameCharacters(description[..^1], ModelRegistrationRequest.DescriptionCharacters, Input + ".ModelPackageDescription");
        Assert.Equal(Max(Input + ".ModelCard.ModelCardContent"), ModelRegistrationRequest.MaxModelCardContentLength);
        Assert.Equal(Max(Container + ".ModelDataUrl"), ModelRegistrationRequest.MaxModelDataUrlLength);
        Assert.Equal(Max(Input + ".MetadataProperties.CommitId"), ModelRegistrationRequest.MaxMetadataPropertyLength);
        Assert.Equal(Max(Input + ".MetadataProperties.Repository"), ModelRegistrationRequest.MaxMetadataPropertyLength);
    }

    [Fact]
    public void The_container_environment_is_held_to_the_documented_count_and_the_entry_shapes()
    {
        // The member's documentation is stricter than its shape (EnvironmentMap, max 100): the stricter one holds.
        var documented = Regex.Match(Documentation("ModelPackageContainerDefinition", "Environment"), @"up to (\d+) entries in the map");
        Assert.True(documented.Success, "the Environment documentation no longer states a count; read it again.");
        Assert.Equal(ModelRegistrationRequest.MaxEnvironment, int.Parse(documented.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(ModelRegistrationRequest.MaxEnvironment <= Max(Container + ".Environment"));
        Assert.Equal(Max(Container + ".Environment.key"), ModelRegistrationRequest.MaxEnvironmentEntryLength);
        Assert.Equal(Max(Container + ".Environment.value"), ModelRegistrationRequest.MaxEnvironmentEntryLength);
        Assert.Equal(ModelRegistrationRequest.EnvironmentKeyPatternText, Pattern(Container + ".Environment.key"));
    }

    [Fact]
    public void The_mime_types_are_held_to_the_content_type_length_and_the_platforms_counts_to_what_the_model_allows()
    {
        var spec = Input + ".InferenceSpecification";
        Assert.Equal(Max(spec + ".SupportedContentTypes.member"), ModelRegistrationRequest.MaxMimeTypeLength);
        Assert.True(ModelRegistrationRequest.MaxMimeTypeLength <= Max(spec + ".SupportedResponseMIMETypes.member"));
        // The counts are the platform's caps: the model sets none today; if it ever sets one, the cap must fit it.
        foreach (var (list, cap) in new[]
                 {
                     ("SupportedContentTypes", ModelRegistrationRequest.MaxMimeTypes), ("SupportedResponseMIMETypes", ModelRegistrationRequest.MaxMimeTypes),
                     ("SupportedRealtimeInferenceInstanceTypes", ModelRegistrationRequest.MaxInstanceTypes),
                     ("SupportedTransformInstanceTypes", ModelRegistrationRequest.MaxInstanceTypes),
                 })
            Assert.True(Max($"{spec}.{list}") is null || cap <= Max($"{spec}.{list}"), $"{list}: the platform's cap {cap} exceeds the model's {Max($"{spec}.{list}")}.");
    }

    [Fact]
    public void The_group_name_is_held_to_create_model_package_groups_name()
    {
        Assert.Equal(Max("CreateModelPackageGroupInput.ModelPackageGroupName"), ModelPackageGroup.MaxNameLength);
        var pattern = new Regex(JavaPattern(Pattern("CreateModelPackageGroupInput.ModelPackageGroupName")));
        foreach (var name in new[] { "hf-translate-dev", "a", new string('a', 63), "a--b" })
            Assert.Matches(pattern, name);
        foreach (var name in new[] { "-a", "a-", "a_b", "" })
            Assert.DoesNotMatch(pattern, name);
        // The construct's validation agrees on the same names.
        var scope = new Amazon.CDK.Stack();
        _ = ModelPackageGroup.FromModelPackageGroupName(scope, "Ok", new string('a', 63));
        Assert.Throws<ArgumentException>(() => ModelPackageGroup.FromModelPackageGroupName(scope, "Long", new string('a', 64)));
        Assert.Throws<ArgumentException>(() => ModelPackageGroup.FromModelPackageGroupName(scope, "Dash", "a-"));
    }

    /// <summary>A pattern of the model (Java, matching the whole value) as a .NET pattern matching the whole value.</summary>
    private static string JavaPattern(string pattern) => $"^(?:{pattern})\\z";

    /// <summary>The two character classes match the same characters: every UTF-16 code unit, as .NET matches them.</summary>
    private static void AssertSameCharacters(string modelClass, string ours, string member)
    {
        var theirs = new Regex($"^{modelClass}\\z");
        var mine = new Regex($"^{ours}\\z");
        var differing = Enumerable.Range(0, 0x10000).Select(c => ((char)c).ToString())
            .Where(c => theirs.IsMatch(c) != mine.IsMatch(c)).Take(5).Select(c => $"U+{(int)c[0]:X4}").ToList();
        Assert.True(differing.Count == 0, $"{member}: {ours} and the model's {modelClass} differ on {string.Join(", ", differing)}.");
    }
}
