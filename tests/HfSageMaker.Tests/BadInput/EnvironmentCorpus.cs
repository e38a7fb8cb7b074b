using System.Text;
using System.Text.Json.Nodes;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Tests.Configuration;

namespace HfSageMaker.Tests.BadInput;

/// <summary>
/// Environment files written to break the loader, one class of bad input per group: encodings, unreadable strings,
/// values ending in a newline, values the schema rejects, cross-field rules only the reader checks. Every file is named
/// <c>dev.json</c> when written (its name field is "dev"). The app runner test feeds each bad one to the app; the
/// differential test compares the reader's verdict with a JSON Schema validator's
/// (tests/node/csharp-output/environment-schema.test.mjs).
/// </summary>
internal static class EnvironmentCorpus
{
    /// <summary>One corpus file.</summary>
    /// <param name="Id">File-name-safe identifier.</param>
    /// <param name="Bytes">The file's bytes.</param>
    /// <param name="CrossField">When the schema cannot express the rule the file breaks: the rule's id (the Node
    /// test lists the allowed ids); null when schema and reader must agree.</param>
    public sealed record Case(string Id, byte[] Bytes, string? CrossField = null);

    private static byte[] Utf8(string text) => new UTF8Encoding(false).GetBytes(text);

    private static Case Mutated(string id, Action<JsonObject> mutate, string? crossField = null)
    {
        var json = TempEnvironments.Valid();
        mutate(json);
        return new Case(id, Utf8(json.ToJsonString()), crossField);
    }

    /// <summary>The valid base text with one literal replacement (for escapes JsonNode would not write).</summary>
    private static Case Replaced(string id, string find, string replace, string? crossField = null)
    {
        var text = TempEnvironments.ValidJson;
        if (!text.Contains(find, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"corpus case {id}: \"{find}\" is not in the valid file");
        }

        return new Case(id, Utf8(text.Replace(find, replace, StringComparison.Ordinal)), crossField);
    }

    private static JsonObject S(JsonObject root, string name) => root[name]!.AsObject();

    /// <summary>Files the reader must accept.</summary>
    public static IReadOnlyList<Case> Good { get; } =
    [
        new("valid", Utf8(TempEnvironments.ValidJson)),
        Mutated("surrogate-pair-escaped", j => j["description"] = "\ud83d\ude00 emoji as an escaped pair"),
        Replaced("surrogate-pair-escape-literal", "\"name\": \"dev\",", "\"name\": \"dev\", \"description\": \"ml \\ud83d\\ude00\","),
        Mutated("zones-three", j => j["availabilityZones"] = new JsonArray("eu-west-1a", "eu-west-1b", "eu-west-1c")),
        Mutated("region-us-east-1-zone-f", j => { j["region"] = "us-east-1"; j["availabilityZones"] = new JsonArray("us-east-1a", "us-east-1f"); }),
        Mutated("tags-at-budget", j => j["tags"] = Tags(46, 8, 16)),
        Mutated("unicode-tag-value", j => j["tags"] = new JsonObject { ["owner"] = "équipe données" }),
        Mutated("unicode-tag-value-notebook-jobs-off", j => { S(j, "studio")["notebookJobs"] = false; j["tags"] = new JsonObject { ["owner"] = "équipe données" }; }),
        Mutated("email-plus-and-slash", j => j["notificationEmails"] = new JsonArray("ml+alerts@example.com", "a/b@example.com", "o'neil@sub.example.co")),
        Mutated("tag-value-128", j => j["tags"] = new JsonObject { ["owner"] = new string('v', 128) }),
        Mutated("users-at-limit", j => S(j, "studio")["users"] = Users(EnvironmentSchema.MaxStudioUsers)),
        Mutated("emails-at-limit", j => j["notificationEmails"] = Emails(EnvironmentSchema.MaxNotificationEmails)),
        Mutated("tag-key-environment-prefixed", j => j["tags"] = new JsonObject { ["environment-owner"] = "x" }),
        Mutated("recipes-both", j => j["recipes"] = new JsonObject { ["translation"] = new JsonObject(), ["llm-sft"] = new JsonObject { ["allowedInstanceTypes"] = new JsonArray("ml.g5.2xlarge"), ["defaultInstanceType"] = "ml.g5.2xlarge", ["maxInstanceCount"] = 1 } }),
        Mutated("recipes-llm-only", j => j["recipes"] = new JsonObject { ["llm-sft"] = new JsonObject() }),
        Mutated("registry-automatic-with-approvers", j => j["registry"] = new JsonObject { ["approval"] = "automatic", ["approvers"] = new JsonArray("arn:aws:iam::123456789012:role/ml/model-approvers") }),
        Mutated("approver-name-64-path-512", j => j["registry"] = Approvers(Approver(510, 64))),
        Replaced("count-written-as-2.0", "\"maxInstanceCount\": 2,", "\"maxInstanceCount\": 2.0,"),
        Replaced("hours-written-as-2.4e1", "\"maxRuntimeHours\": 24", "\"maxRuntimeHours\": 2.4e1"),
    ];

    /// <summary>Files the reader must reject, each with one message naming the file (no stack trace).</summary>
    public static IReadOnlyList<Case> Bad { get; } =
    [
        // encodings (the schema sees no file bytes: checked by the reader only)
        new("utf8-bom", [0xEF, 0xBB, 0xBF, .. Utf8(TempEnvironments.ValidJson)], "encoding"),
        new("utf16-le-bom", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(TempEnvironments.ValidJson)], "encoding"),
        new("utf16-be-bom", [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(TempEnvironments.ValidJson)], "encoding"),
        new("utf16-le-no-bom", Encoding.Unicode.GetBytes(TempEnvironments.ValidJson), "encoding"),
        new("latin1-tag-value", Encoding.Latin1.GetBytes(TempEnvironments.ValidJson.Replace("ml-platform", "équipe", StringComparison.Ordinal)), "encoding"),
        new("utf8-encoded-surrogate", [.. Utf8(TempEnvironments.ValidJson[..^3]), .. Utf8(", \"x\": \""), 0xED, 0xA0, 0x80, .. Utf8("\"}")], "encoding"),
        new("utf8-overlong-slash", [.. Utf8("{\"name\": \"dev"), 0xC0, 0xAF, .. Utf8("\"}")], "encoding"),
        new("empty-file", [], "encoding"),
        // unreadable strings: JSON allows an escaped lone surrogate; .NET cannot read it as text
        Replaced("lone-high-surrogate-value", "\"owner\": \"ml-platform\"", "\"owner\": \"ml\\ud800\""),
        Replaced("lone-low-surrogate-value", "\"name\": \"alice\"", "\"name\": \"\\udc00\""),
        Replaced("lone-surrogate-key", "\"owner\": \"ml-platform\"", "\"\\ud800\": \"ml-platform\""),
        Replaced("lone-surrogate-description", "\"name\": \"dev\",", "\"name\": \"dev\", \"description\": \"\\ud800\",", "unpaired-surrogates"),
        Replaced("lone-surrogate-unknown-key", "\"name\": \"dev\",", "\"name\": \"dev\", \"\\udfff\": 1,"),
        Replaced("lone-surrogate-region", "\"region\": \"eu-west-1\"", "\"region\": \"eu-west-1\\ud800\""),
        Replaced("lone-surrogate-approver", "\"notificationEmails\"", "\"registry\": { \"approvers\": [\"arn:aws:iam::123456789012:role/a\\udc00\"] }, \"notificationEmails\""),
        // ... and longer than a message shows a value (60 characters): the shortened value is still shown
        Replaced("lone-surrogate-long-tag-value", "\"owner\": \"ml-platform\"", $"\"owner\": \"{new string('v', 70)}\\ud800\""),
        Replaced("lone-surrogate-long-description", "\"name\": \"dev\",", $"\"name\": \"dev\", \"description\": \"{new string('d', 70)}\\udc00\",", "unpaired-surrogates"),
        Replaced("lone-surrogate-long-user", "\"name\": \"alice\"", $"\"name\": \"\\ud800{new string('u', 70)}\""),
        Replaced("lone-surrogate-long-region", "\"region\": \"eu-west-1\"", $"\"region\": \"{new string('r', 60)}\\ud800\\ud800\""),
        Replaced("lone-surrogate-long-approver", "\"notificationEmails\"", $"\"registry\": {{ \"approvers\": [\"arn:aws:iam::123456789012:role/{new string('a', 40)}\\udc00\"] }}, \"notificationEmails\""),
        Replaced("lone-surrogate-long-key", "\"owner\": \"ml-platform\"", $"\"{new string('k', 70)}\\ud800\": \"ml-platform\""),
        // malformed JSON
        Replaced("trailing-comma", "\"owner\": \"ml-platform\"", "\"owner\": \"ml-platform\","),
        Replaced("comment", "\"name\": \"dev\",", "\"name\": \"dev\", // dev"),
        new("deep-nesting", Utf8(new string('[', 100) + new string(']', 100))),
        new("not-an-object", Utf8("[1, 2]")),
        new("just-null", Utf8("null")),
        // values ending in a newline: .NET's $ matched before it
        Mutated("name-newline", j => j["name"] = "dev\n"),
        Mutated("description-newline", j => j["description"] = "for the ML team\n"),
        Mutated("account-newline", j => j["account"] = "123456789012\n"),
        Mutated("region-newline", j => j["region"] = "eu-west-1\n"),
        Mutated("zone-newline", j => j["availabilityZones"] = new JsonArray("eu-west-1a", "eu-west-1b\n")),
        Mutated("cidr-newline", j => S(j, "network")["cidr"] = "10.10.0.0/16\n"),
        Mutated("user-newline", j => S(j, "studio")["users"] = new JsonArray(new JsonObject { ["name"] = "alice\n" })),
        Mutated("email-newline", j => j["notificationEmails"] = new JsonArray("team@example.com\n")),
        Mutated("tag-value-newline", j => j["tags"] = new JsonObject { ["owner"] = "ml-platform\n" }),
        Mutated("tag-key-newline", j => j["tags"] = new JsonObject { ["owner\n"] = "ml-platform" }),
        Mutated("tag-key-reserved-newline", j => j["tags"] = new JsonObject { ["Name\n"] = "ml-platform" }),
        Mutated("instance-type-newline", j => { S(j, "training")["allowedInstanceTypes"] = new JsonArray("ml.g5.xlarge", "ml.g5.2xlarge\n"); }),
        Mutated("approver-newline", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray("arn:aws:iam::123456789012:role/approvers\n") }),
        Mutated("approver-service-linked-newline", j => j["registry"] = Approvers("arn:aws:iam::123456789012:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMakerNotebooks\n")),
        // non-ASCII digits (.NET's \d matches them; int.Parse does not)
        Mutated("cidr-arabic-digits", j => S(j, "network")["cidr"] = "١٠.١٠.٠.٠/16"),
        Mutated("account-arabic-digits", j => j["account"] = "١٢٣٤٥٦٧٨٩٠١٢"),
        // regions and zones synthesis cannot serve
        Mutated("region-without-dlc", j => { j["region"] = "mx-central-1"; j["availabilityZones"] = new JsonArray("mx-central-1a", "mx-central-1b"); }),
        Mutated("region-unknown", j => { j["region"] = "eu-west-9"; j["availabilityZones"] = new JsonArray("eu-west-9a", "eu-west-9b"); }),
        Mutated("zone-letter-absent", j => j["availabilityZones"] = new JsonArray("eu-west-1a", "eu-west-1q"), "zones-of-region"),
        Mutated("zone-other-region", j => j["availabilityZones"] = new JsonArray("eu-west-1a", "eu-west-2b"), "zones-of-region"),
        Mutated("approver-other-account", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray("arn:aws:iam::999999999999:role/approvers") }, "approvers-of-account"),
        // approvers IAM cannot take: one role twice (names are unique in an account whatever the path, ignoring case), a
        // service-linked role (no customer policies), a path or a name longer than the IAM API model allows (512, 64)
        Mutated("approvers-one-name-two-paths", j => j["registry"] = Approvers("arn:aws:iam::123456789012:role/team-a/approvers", "arn:aws:iam::123456789012:role/team-b/approvers"), "approver-roles-distinct"),
        Mutated("approvers-names-differ-in-case", j => j["registry"] = Approvers("arn:aws:iam::123456789012:role/Approvers", "arn:aws:iam::123456789012:role/approvers"), "approver-roles-distinct"),
        Mutated("approvers-duplicate", j => j["registry"] = Approvers("arn:aws:iam::123456789012:role/approvers", "arn:aws:iam::123456789012:role/approvers")),
        Mutated("approver-service-linked", j => j["registry"] = Approvers("arn:aws:iam::123456789012:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMakerNotebooks")),
        Mutated("approver-name-65", j => j["registry"] = Approvers(Approver(0, 65))),
        Mutated("approver-path-513", j => j["registry"] = Approvers(Approver(511, 8))),
        // limits of the resources as synthesized
        Mutated("tags-50", j => j["tags"] = Tags(50, 4, 4)),
        Mutated("tags-over-budget", j => j["tags"] = Tags(47, 4, 4)),
        Mutated("tags-max-lengths", j => j["tags"] = Tags(46, 128, 128), "tag-characters"),
        Mutated("tag-value-empty", j => j["tags"] = new JsonObject { ["owner"] = "" }),
        Mutated("tag-value-129", j => j["tags"] = new JsonObject { ["owner"] = new string('v', 129) }),
        Mutated("tag-value-257", j => j["tags"] = new JsonObject { ["owner"] = new string('v', 257) }),
        Mutated("tag-key-environment", j => j["tags"] = new JsonObject { ["environment"] = "x" }),
        Mutated("tag-key-aws", j => j["tags"] = new JsonObject { ["AWS:owner"] = "x" }),
        Mutated("tag-key-cdk", j => j["tags"] = new JsonObject { ["aws-cdk:subnet-name"] = "x" }),
        Mutated("tag-key-name", j => j["tags"] = new JsonObject { ["Name"] = "x" }),
        // Limits of the synthesized stack (each user and each email is a resource) and IAM's case-insensitive tag keys.
        Mutated("users-over-limit", j => S(j, "studio")["users"] = Users(EnvironmentSchema.MaxStudioUsers + 1)),
        Mutated("users-thousands", j => S(j, "studio")["users"] = Users(5000)),
        Mutated("emails-over-limit", j => j["notificationEmails"] = Emails(EnvironmentSchema.MaxNotificationEmails + 1)),
        Mutated("tag-keys-differ-in-case", j => j["tags"] = new JsonObject { ["owner"] = "a", ["Owner"] = "b" }, "unique-ignoring-case"),
        Mutated("tag-key-environment-capitalized", j => j["tags"] = new JsonObject { ["Environment"] = "x" }),
        Mutated("tag-key-environment-upper", j => j["tags"] = new JsonObject { ["ENVIRONMENT"] = "x" }),
        // Emails SNS is not sure to accept: what the schema's "format": "email" (ajv-formats) rejects, the reader rejects.
        Mutated("email-double-dot", j => j["notificationEmails"] = new JsonArray("a..b@example.com")),
        Mutated("email-leading-dot", j => j["notificationEmails"] = new JsonArray(".a@example.com")),
        Mutated("email-quoted", j => j["notificationEmails"] = new JsonArray("\"a b\"@example.com")),
        Mutated("email-ip-literal", j => j["notificationEmails"] = new JsonArray("a@[10.0.0.1]")),
        Mutated("email-non-ascii", j => j["notificationEmails"] = new JsonArray("équipe@example.com")),
        Mutated("email-zero-width-space", j => j["notificationEmails"] = new JsonArray("team@example.com\u200b")),
        Mutated("email-rtl-mark", j => j["notificationEmails"] = new JsonArray("\u200fteam@example.com")),
        Mutated("email-cyrillic-homoglyph", j => j["notificationEmails"] = new JsonArray("t\u0435am@example.com")),
        Mutated("email-kelvin-sign", j => j["notificationEmails"] = new JsonArray("\u212Aate@example.com")),
        Mutated("email-domain-hyphen", j => j["notificationEmails"] = new JsonArray("a@-example.com")),
        Mutated("email-domain-empty-label", j => j["notificationEmails"] = new JsonArray("a@example..com")),
        Mutated("email-no-dot", j => j["notificationEmails"] = new JsonArray("a@localhost")),
        // Tags also written into the SDK defaults of notebooks (notebookJobs true): the construct takes ASCII only.
        Mutated("tag-value-homoglyph-notebook-jobs", j => { S(j, "studio")["notebookJobs"] = true; j["tags"] = new JsonObject { ["owner"] = "d\u0435v" }; }, "sdk-tags-ascii"),
        Mutated("tag-key-accented-notebook-jobs", j => { S(j, "studio")["notebookJobs"] = true; j["tags"] = new JsonObject { ["équipe"] = "x" }; }, "sdk-tags-ascii"),
        Mutated("log-retention-string", j => S(j, "retention")["logRetentionDays"] = "30"),
        Mutated("tag-value-control-char", j => j["tags"] = new JsonObject { ["owner"] = "a\u0007b" }),
        // shapes and ranges
        Mutated("account-number", j => j["account"] = 123456789012),
        Mutated("name-uppercase", j => j["name"] = "Dev"),
        Mutated("unknown-key", j => j["regoin"] = "eu-west-1"),
        Mutated("missing-training", j => j.Remove("training")),
        Mutated("count-fraction", j => S(j, "training")["maxInstanceCount"] = 1.5),
        Mutated("count-huge", j => S(j, "training")["maxInstanceCount"] = 1e300),
        Mutated("budget-3-decimals", j => S(j, "budget")["monthlyLimitUsd"] = 10.125, "budget-cents"),
        Mutated("description-257", j => j["description"] = new string('d', 257)),
        Mutated("default-not-allowed", j => S(j, "training")["defaultInstanceType"] = "ml.p3.2xlarge", "default-in-allowed"),
        Mutated("cidr-host-bits", j => S(j, "network")["cidr"] = "10.10.1.0/16", "cidr-network-address"),
        Mutated("cidr-public", j => S(j, "network")["cidr"] = "8.8.0.0/16"),
        Mutated("cidr-octet-300", j => S(j, "network")["cidr"] = "10.300.0.0/16"),
        Mutated("warm-pool-with-spot", j => S(j, "training")["warmPoolKeepAliveMinutes"] = 10, "warm-pool-without-spot"),
        Mutated("checkpoints-too-short", j => S(j, "retention")["checkpointExpirationDays"] = 1, "checkpoints-outlive-jobs"),
        Mutated("users-duplicate-case", j => S(j, "studio")["users"] = new JsonArray(new JsonObject { ["name"] = "Bob" }, new JsonObject { ["name"] = "bob" }), "unique-ignoring-case"),
        Mutated("emails-duplicate-case", j => j["notificationEmails"] = new JsonArray("a@example.com", "A@example.com"), "unique-ignoring-case"),
        Mutated("parallel-over-total", j => { S(j, "training")["maxTuningJobs"] = 4; S(j, "training")["maxParallelTuningJobs"] = 5; }, "parallel-at-most-total"),
        Mutated("prod-destroys", j => j["name"] = "prod", "name-equals-file"),
        Mutated("user-name-64", j => S(j, "studio")["users"] = new JsonArray(new JsonObject { ["name"] = new string('u', 64) })),
        Mutated("empty-string-account", j => j["account"] = ""),
        Mutated("whitespace-description", j => j["description"] = "   "),
        Mutated("recipes-unknown", j => j["recipes"] = new JsonObject { ["lm-sft"] = new JsonObject() }),
        Mutated("recipes-empty", j => j["recipes"] = new JsonObject()),
        Mutated("recipes-not-object", j => j["recipes"] = new JsonArray("llm-sft")),
        Mutated("recipe-unknown-key", j => j["recipes"] = new JsonObject { ["llm-sft"] = new JsonObject { ["allowedInstanceType"] = "ml.g5.2xlarge" } }),
        Mutated("recipe-count-zero", j => j["recipes"] = new JsonObject { ["llm-sft"] = new JsonObject { ["maxInstanceCount"] = 0 } }),
        Mutated("recipe-gpu-too-small", j => j["recipes"] = new JsonObject { ["llm-sft"] = new JsonObject { ["allowedInstanceTypes"] = new JsonArray("ml.g4dn.xlarge"), ["defaultInstanceType"] = "ml.g4dn.xlarge" } }, "recipe-gpu-memory"),
        Mutated("recipe-default-not-allowed", j => j["recipes"] = new JsonObject { ["llm-sft"] = new JsonObject { ["allowedInstanceTypes"] = new JsonArray("ml.g5.2xlarge") } }, "default-in-allowed"),
    ];

    /// <summary>A <c>registry</c> section naming these approvers.</summary>
    public static JsonObject Approvers(params string[] roles) => new() { ["approvers"] = new JsonArray([.. roles.Select(r => (JsonNode)JsonValue.Create(r))]) };

    /// <summary>A role ARN of the corpus account whose path (its slashes included) has <paramref name="pathInside"/> + 2
    /// characters (0: the path "/") and whose name has <paramref name="name"/> characters.</summary>
    public static string Approver(int pathInside, int name) =>
        $"arn:aws:iam::123456789012:role/{(pathInside == 0 ? "" : new string('p', pathInside) + "/")}{new string('n', name)}";

    /// <summary><paramref name="count"/> distinct Studio users.</summary>
    public static JsonArray Users(int count) => [.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["name"] = $"user-{i}" })];

    /// <summary><paramref name="count"/> distinct email addresses.</summary>
    public static JsonArray Emails(int count) => [.. Enumerable.Range(0, count).Select(i => (JsonNode)JsonValue.Create($"team-{i}@example.com"))];

    /// <summary><paramref name="count"/> tags with keys and values of the given lengths.</summary>
    public static JsonObject Tags(int count, int keyLength, int valueLength)
    {
        var tags = new JsonObject();
        for (var i = 0; i < count; i++)
        {
            var prefix = $"k{i:D2}";
            tags[prefix + new string('k', Math.Max(0, keyLength - prefix.Length))] = new string('v', valueLength);
        }

        return tags;
    }
}
