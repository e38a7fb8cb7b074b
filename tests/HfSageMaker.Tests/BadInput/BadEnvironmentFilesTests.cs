using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using HfSageMaker.Constructs.Network;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using Xunit;

namespace HfSageMaker.Tests.BadInput;

/// <summary>
/// Whole classes of bad environment files: every one is rejected with one message naming the file, never with
/// a stack trace, and the app exits 1 without writing a template.
/// </summary>
public sealed class BadEnvironmentFilesTests
{
    public static TheoryData<string> BadIds() => [.. EnvironmentCorpus.Bad.Select(c => c.Id)];

    public static TheoryData<string> GoodIds() => [.. EnvironmentCorpus.Good.Select(c => c.Id)];

    private static (EnvironmentConfig? Config, List<string> Errors, string Display) Load(EnvironmentCorpus.Case c)
    {
        using var dir = new Configuration.TempEnvironments();
        var path = Path.Combine(dir.Directory, "dev.json");
        File.WriteAllBytes(path, c.Bytes);
        var errors = new List<string>();
        var config = EnvironmentLoader.ParseFile(path, errors);
        return (config, errors, dir.Display("dev.json"));
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public void BadFile_IsRejected_WithMessagesNamingTheFile(string id)
    {
        var (config, errors, display) = Load(EnvironmentCorpus.Bad.Single(c => c.Id == id));
        Assert.Null(config);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith(display + ": ", e));
        Assert.All(errors, e => Assert.DoesNotContain("   at ", e));
    }

    [Theory]
    [MemberData(nameof(GoodIds))]
    public void GoodFile_IsAccepted(string id)
    {
        var (config, errors, _) = Load(EnvironmentCorpus.Good.Single(c => c.Id == id));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.NotNull(config);
    }

    [Fact]
    public void App_GivenEachBadFile_ExitsOne_NamesTheFile_AndPrintsNoStackTrace()
    {
        var outdir = Path.Combine(Path.GetTempPath(), "hf-bad-synth-" + Guid.NewGuid().ToString("N"));
        var failures = new List<string>();
        foreach (var c in EnvironmentCorpus.Bad)
        {
            using var dir = new Configuration.TempEnvironments();
            File.WriteAllBytes(Path.Combine(dir.Directory, "dev.json"), c.Bytes);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = AppRunner.Run([], stdout, stderr, outdir, dir.Directory);
            var text = stderr.ToString();
            if (code != 1 || text.Contains("   at ", StringComparison.Ordinal) || !text.Contains(dir.Display("dev.json"), StringComparison.Ordinal))
            {
                failures.Add($"{c.Id}: exit {code}: {text}");
            }
        }

        Assert.False(Directory.Exists(outdir), "a bad file must not produce a cloud assembly");
        Assert.True(failures.Count == 0, string.Join("\n---\n", failures));
    }

    [Theory]
    [InlineData("utf8-bom", "starts with a UTF-8 byte-order mark")]
    [InlineData("utf16-le-bom", "is UTF-16")]
    [InlineData("utf16-be-bom", "is UTF-16")]
    [InlineData("utf16-le-no-bom", "holds a NUL byte at byte offset 1")]
    [InlineData("latin1-tag-value", "is not valid UTF-8 at byte offset")]
    [InlineData("utf8-encoded-surrogate", "is not valid UTF-8")]
    [InlineData("utf8-overlong-slash", "is not valid UTF-8 at byte offset 13 (bytes C0)")]
    public void NonUtf8File_IsRejected_NamingTheEncodingAndTheFix(string id, string found)
    {
        var (_, errors, display) = Load(EnvironmentCorpus.Bad.Single(c => c.Id == id));
        var error = Assert.Single(errors);
        Assert.StartsWith($"{display}: (file): ", error);
        Assert.Contains(found, error);
        Assert.Contains("allowed UTF-8 without a byte-order mark", error);
    }

    [Theory]
    [InlineData("lone-high-surrogate-value", "tags.owner")]
    [InlineData("lone-low-surrogate-value", "studio.users[0].name")]
    [InlineData("lone-surrogate-key", "tags[\"<key #1>\"]")]
    [InlineData("lone-surrogate-description", "description")]
    [InlineData("lone-surrogate-unknown-key", "[\"<key #2>\"]")]
    public void UnpairedSurrogateEscape_IsRejected_NamingTheField(string id, string field)
    {
        var (_, errors, display) = Load(EnvironmentCorpus.Bad.Single(c => c.Id == id));
        var error = Assert.Single(errors);
        Assert.StartsWith($"{display}: {field}: holds an unpaired UTF-16 surrogate escape", error);
    }

    [Theory]
    [InlineData("region-newline", "region", "\"eu-west-1\\n\" holds the control character U+000A; allowed text without control characters")]
    [InlineData("instance-type-newline", "training.allowedInstanceTypes[1]", "\"ml.g5.2xlarge\\n\" holds the control character U+000A")]
    [InlineData("cidr-arabic-digits", "network.cidr", "is not a private IPv4 CIDR block")]
    [InlineData("account-arabic-digits", "account", "is not an AWS account id")]
    [InlineData("region-without-dlc", "region", "\"mx-central-1\" is not a supported region")]
    [InlineData("zone-letter-absent", "availabilityZones[1]", "\"eu-west-1q\" is not a zone of region eu-west-1; allowed eu-west-1a, eu-west-1b, eu-west-1c.")]
    [InlineData("tags-over-budget", "tags", "has 47 key(s); allowed at most 46 keys")]
    [InlineData("tags-max-lengths", "tags", "keys and values total 11776 bytes (UTF-8); allowed at most 10000")]
    [InlineData("tag-key-cdk", "tags[\"aws-cdk:subnet-name\"]", "the key is reserved (AWS reserves aws:, the CDK sets Name and aws-cdk:*")]
    [InlineData("tag-key-name", "tags.Name", "the key is reserved (AWS reserves aws:, the CDK sets Name and aws-cdk:*")]
    public void ValueTheOldChecksLetThrough_IsRejected_NamingFieldAndValue(string id, string field, string message)
    {
        var (_, errors, display) = Load(EnvironmentCorpus.Bad.Single(c => c.Id == id));
        Assert.Contains(errors, e => e.StartsWith($"{display}: {field}: ", StringComparison.Ordinal) && e.Contains(message, StringComparison.Ordinal));
    }

    /// <summary>
    /// Writes every corpus file and the reader's verdict where the Node differential test finds them
    /// (<c>$HF_TEST_RESULTS/environment-corpus/</c>), so the JSON schema is checked against the same files.
    /// </summary>
    [Fact]
    public void Corpus_VerdictsAreWritten_ForTheSchemaDifferentialTest()
    {
        var results = System.Environment.GetEnvironmentVariable("HF_TEST_RESULTS");
        var target = Path.Combine(string.IsNullOrEmpty(results) ? Path.GetTempPath() : results, "environment-corpus");
        Directory.CreateDirectory(target);
        var verdicts = new JsonObject();
        foreach (var (c, expected) in EnvironmentCorpus.Good.Select(c => (c, true)).Concat(EnvironmentCorpus.Bad.Select(c => (c, false))))
        {
            var (config, errors, _) = Load(c);
            Assert.True((config is not null) == expected, $"{c.Id}: {string.Join("\n", errors)}");
            File.WriteAllBytes(Path.Combine(target, c.Id + ".json"), c.Bytes);
            verdicts[c.Id] = new JsonObject
            {
                ["accepted"] = config is not null,
                ["crossField"] = c.CrossField,
                ["errors"] = new JsonArray([.. errors.Select(e => (JsonNode?)JsonValue.Create(e))]),
            };
        }

        File.WriteAllText(Path.Combine(target, "verdicts.json"), verdicts.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Assert.Equal(EnvironmentCorpus.Good.Count + EnvironmentCorpus.Bad.Count, verdicts.Count);
    }

    [Fact]
    public void JsiiError_IsDescribed_WithoutStackFrames()
    {
        // An error raised inside the CDK (JavaScript) reaches .NET as a plain System.Exception, not an Amazon.JSII type.
        var thrown = Assert.ThrowsAny<Exception>(() => Duration.Minutes(-1));
        Assert.Equal(typeof(Exception), thrown.GetType());
        var described = AppRunner.Describe(thrown);
        Assert.Contains("Duration amounts cannot be negative", described);
        Assert.DoesNotContain(" at ", described);
    }

    [Fact]
    public void IsolatedNetwork_GivenNonAsciiDigits_ThrowsArgumentException_NotFormatException()
    {
        var stack = new Stack(new App(), "S", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var ex = Assert.Throws<ArgumentException>(() => new IsolatedNetwork(stack, "Net", new IsolatedNetworkProps
        {
            Cidr = "١٠.٠.٠.٠/16",
            AvailabilityZones = ["eu-west-1a", "eu-west-1b"],
        }));
        Assert.Contains("Cidr", ex.Message);
    }

    [Fact]
    public void StudioDomainUserName_EndingInNewline_IsRejected()
    {
        var stack = new Stack(new App(), "S", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var vpc = new Vpc(stack, "Vpc", new VpcProps { MaxAzs = 2 });
        var role = new Amazon.CDK.AWS.IAM.Role(stack, "Role", new Amazon.CDK.AWS.IAM.RoleProps { AssumedBy = new Amazon.CDK.AWS.IAM.ServicePrincipal("sagemaker.amazonaws.com") });
        var ex = Assert.Throws<ArgumentException>(() => new Constructs.Studio.StudioDomain(stack, "Studio", new Constructs.Studio.StudioDomainProps
        {
            Vpc = vpc,
            SecurityGroup = new SecurityGroup(stack, "Sg", new SecurityGroupProps { Vpc = vpc }),
            DefaultExecutionRole = role,
            EncryptionKey = new Amazon.CDK.AWS.KMS.Key(stack, "Key"),
            UserProfiles = ["alice\n"],
        }));
        Assert.Contains("alice\n", ex.Message);
    }
}
