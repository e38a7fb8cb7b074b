using System.Text.Json.Nodes;
using HfSageMaker.Infra.Configuration;
using Xunit;

namespace HfSageMaker.Tests.Configuration;

/// <summary>Each kind of bad environment file is rejected with a message naming the file, the field, the value and what is allowed.</summary>
public sealed class EnvironmentValidationTests
{
    private sealed record BadCase(string File, Action<JsonObject> Mutate, string Field, string Value, string Allowed);

    private static JsonObject Section(JsonObject root, string name) => root[name]!.AsObject();

    private static readonly Dictionary<string, BadCase> Cases = new()
    {
        ["account-11-digits"] = new("dev.json", j => j["account"] = "12345678901", "account", "\"12345678901\" is not an AWS account id", "exactly 12 digits"),
        ["account-as-number"] = new("dev.json", j => j["account"] = 123456789012, "account", "123456789012 is not a string", "exactly 12 digits, as a string"),
        ["region-unknown"] = new("dev.json", j => j["region"] = "eu-west-9", "region", "\"eu-west-9\" is not a supported region", "eu-west-1"),
        ["region-malformed"] = new("dev.json", j => j["region"] = "Ireland", "region", "\"Ireland\" is not a supported region", "eu-west-1"),
        ["az-other-region"] = new("dev.json", j => j["availabilityZones"] = new JsonArray("eu-west-1a", "eu-west-2b"), "availabilityZones[1]", "\"eu-west-2b\" is not a zone of region eu-west-1", "allowed eu-west-1a, eu-west-1b, eu-west-1c"),
        ["az-only-one"] = new("dev.json", j => j["availabilityZones"] = new JsonArray("eu-west-1a"), "availabilityZones", "has 1 item(s)", "2 to 6 items"),
        ["az-duplicate"] = new("dev.json", j => j["availabilityZones"] = new JsonArray("eu-west-1a", "eu-west-1a"), "availabilityZones", "\"eu-west-1a\" is listed more than once", "distinct items"),
        ["network-mode"] = new("dev.json", j => Section(j, "network")["mode"] = "open", "network.mode", "\"open\" is not an allowed value", "\"isolated\" or \"controlledEgress\""),
        ["network-mode-case"] = new("dev.json", j => Section(j, "network")["mode"] = "Isolated", "network.mode", "\"Isolated\" is not an allowed value (did you mean \"isolated\"?)", "\"isolated\" or \"controlledEgress\""),
        ["cidr-prefix-too-wide"] = new("dev.json", j => Section(j, "network")["cidr"] = "10.0.0.0/8", "network.cidr", "\"10.0.0.0/8\" is not a private IPv4 CIDR block of /16 to /24", "a prefix of /16 to /24"),
        ["cidr-host-bits"] = new("dev.json", j => Section(j, "network")["cidr"] = "10.10.1.0/16", "network.cidr", "\"10.10.1.0/16\" has host bits set", "\"10.10.0.0/16\""),
        ["cidr-public"] = new("dev.json", j => Section(j, "network")["cidr"] = "8.8.0.0/16", "network.cidr", "\"8.8.0.0/16\" is not a private IPv4 CIDR block", "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"),
        ["cidr-garbage"] = new("dev.json", j => Section(j, "network")["cidr"] = "10.300.0.0/16", "network.cidr", "\"10.300.0.0/16\" is not a private IPv4 CIDR block", "/16 to /24"),
        ["instance-cpu"] = new("dev.json", j => Section(j, "training")["allowedInstanceTypes"] = new JsonArray("ml.g5.xlarge", "ml.m5.xlarge"), "training.allowedInstanceTypes[1]", "\"ml.m5.xlarge\" is not a GPU training instance type", "ml.g5.xlarge"),
        ["instance-bad-size"] = new("dev.json", j => Section(j, "training")["allowedInstanceTypes"] = new JsonArray("ml.g5.xlarge", "ml.g5.3xlarge"), "training.allowedInstanceTypes[1]", "\"ml.g5.3xlarge\" is not a GPU training instance type (did you mean \"ml.g5.xlarge\"?)", "ml.g5.2xlarge"),
        ["instance-not-ml"] = new("dev.json", j => Section(j, "training")["allowedInstanceTypes"] = new JsonArray("ml.g5.xlarge", "g5.xlarge"), "training.allowedInstanceTypes[1]", "\"g5.xlarge\" is not a GPU training instance type (did you mean \"ml.g5.xlarge\"?)", "ml.g5.xlarge"),
        ["instance-list-empty"] = new("dev.json", j => Section(j, "training")["allowedInstanceTypes"] = new JsonArray(), "training.allowedInstanceTypes", "has 0 item(s)", "1 or more items"),
        ["default-not-allowed"] = new("dev.json", j => Section(j, "training")["defaultInstanceType"] = "ml.p4d.24xlarge", "training.defaultInstanceType", "\"ml.p4d.24xlarge\" is not in training.allowedInstanceTypes", "ml.g5.xlarge, ml.g5.2xlarge"),
        ["count-zero"] = new("dev.json", j => Section(j, "training")["maxInstanceCount"] = 0, "training.maxInstanceCount", "0 is out of range", "1..64"),
        ["count-as-string"] = new("dev.json", j => Section(j, "training")["maxInstanceCount"] = "2", "training.maxInstanceCount", "\"2\" is not a whole number", "1..64"),
        ["count-fraction"] = new("dev.json", j => Section(j, "training")["maxInstanceCount"] = 1.5, "training.maxInstanceCount", "1.5 is not a whole number", "1..64"),
        ["runtime-too-long"] = new("dev.json", j => Section(j, "training")["maxRuntimeHours"] = 1000, "training.maxRuntimeHours", "1000 is out of range", "a whole number 1..672"),
        ["spot-as-string"] = new("dev.json", j => Section(j, "training")["spotByDefault"] = "yes", "training.spotByDefault", "\"yes\" is not a boolean", "true or false"),
        ["parallel-over-total"] = new("dev.json", j => { Section(j, "training")["maxTuningJobs"] = 4; Section(j, "training")["maxParallelTuningJobs"] = 5; }, "training.maxParallelTuningJobs", "5 is greater than training.maxTuningJobs (4)", "1..4"),
        ["warm-pool-with-spot"] = new("dev.json", j => Section(j, "training")["warmPoolKeepAliveMinutes"] = 10, "training.warmPoolKeepAliveMinutes", "10 is not allowed while training.spotByDefault is true", "allowed 0"),
        ["checkpoints-expire-under-a-job"] = new("dev.json", j => Section(j, "retention")["checkpointExpirationDays"] = 1, "retention.checkpointExpirationDays", "1 is shorter than the longest job may run", "allowed 2 or more"),
        ["warm-pool-too-long"] = new("dev.json", j => Section(j, "training")["warmPoolKeepAliveMinutes"] = 90, "training.warmPoolKeepAliveMinutes", "90 is out of range", "0..60"),
        ["removal-policy"] = new("dev.json", j => Section(j, "retention")["removalPolicy"] = "delete", "retention.removalPolicy", "\"delete\" is not an allowed value", "\"retain\" or \"destroy\""),
        ["log-retention"] = new("dev.json", j => Section(j, "retention")["logRetentionDays"] = 31, "retention.logRetentionDays", "31 is not a CloudWatch Logs retention period", "30, 60"),
        ["checkpoint-days"] = new("dev.json", j => Section(j, "retention")["checkpointExpirationDays"] = 0, "retention.checkpointExpirationDays", "0 is out of range", "1..3650"),
        ["idle-too-short"] = new("dev.json", j => Section(j, "studio")["idleTimeoutMinutes"] = 30, "studio.idleTimeoutMinutes", "30 is out of range", "60..525600"),
        ["notebook-jobs-as-string"] = new("dev.json", j => Section(j, "studio")["notebookJobs"] = "yes", "studio.notebookJobs", "\"yes\" is not a boolean", "true or false"),
        ["user-name"] = new("dev.json", j => Section(j, "studio")["users"] = new JsonArray(new JsonObject { ["name"] = "al ice" }), "studio.users[0].name", "\"al ice\" is not a valid Studio user profile name", "letters, digits and hyphens"),
        ["user-duplicate"] = new("dev.json", j => Section(j, "studio")["users"] = new JsonArray(new JsonObject { ["name"] = "Bob" }, new JsonObject { ["name"] = "bob" }), "studio.users", "\"Bob\" is listed more than once", "distinct user names"),
        ["user-unknown-key"] = new("dev.json", j => Section(j, "studio")["users"] = new JsonArray(new JsonObject { ["name"] = "bob", ["email"] = "b@example.com" }), "studio.users[0].email", "unknown key", "allowed keys in studio.users[0]: name"),
        ["budget-zero"] = new("dev.json", j => Section(j, "budget")["monthlyLimitUsd"] = 0, "budget.monthlyLimitUsd", "0 is out of range", "greater than 0"),
        ["budget-threshold"] = new("dev.json", j => Section(j, "budget")["alertThresholdsPercent"] = new JsonArray(80, 1001), "budget.alertThresholdsPercent[1]", "1001 is out of range", "1..1000"),
        ["budget-no-thresholds"] = new("dev.json", j => Section(j, "budget")["alertThresholdsPercent"] = new JsonArray(), "budget.alertThresholdsPercent", "has 0 item(s)", "1 to 5 items"),
        ["email"] = new("dev.json", j => j["notificationEmails"] = new JsonArray("team-at-example.com"), "notificationEmails[0]", "\"team-at-example.com\" is not an email address", "name@domain.tld"),
        ["tag-aws-prefix"] = new("dev.json", j => j["tags"] = new JsonObject { ["aws:owner"] = "x" }, "tags[\"aws:owner\"]", "the key is reserved (AWS reserves aws:", "any other key"),
        ["tag-reserved"] = new("dev.json", j => j["tags"] = new JsonObject { ["environment"] = "x" }, "tags.environment", "the key is reserved", "any other key"),
        ["tag-value-number"] = new("dev.json", j => j["tags"] = new JsonObject { ["owner"] = 5 }, "tags.owner", "5 is not a string", "1 to 128 characters"),
        ["tag-key-too-long"] = new("dev.json", j => j["tags"] = new JsonObject { [new string('k', 129)] = "x" }, $"tags[\"{new string('k', 56)}... (129 characters)]", "the key is 129 characters long", "1 to 128"),
        ["name-mismatch"] = new("dev.json", j => j["name"] = "develop", "name", "\"develop\" does not match the file name", "\"dev\""),
        ["name-pattern"] = new("Dev.json", j => j["name"] = "Dev", "name", "\"Dev\" is not a valid environment name", "lowercase letters"),
        ["prod-destroys"] = new("prod.json", j => j["name"] = "prod", "retention.removalPolicy", "\"destroy\" is not allowed for the production environment \"prod\"", "\"retain\""),
        ["missing-required"] = new("dev.json", j => j.Remove("budget"), "budget", "required key is missing", "monthlyLimitUsd"),
        ["missing-nested"] = new("dev.json", j => Section(j, "training").Remove("maxRuntimeHours"), "training.maxRuntimeHours", "required key is missing", "1..672"),
        ["unknown-top-key"] = new("dev.json", j => j["regoin"] = "eu-west-1", "regoin", "unknown key (did you mean \"region\"?)", "allowed keys: $schema, name, description, account, region"),
        ["unknown-nested-key"] = new("dev.json", j => Section(j, "training")["spotByDefualt"] = true, "training.spotByDefualt", "unknown key (did you mean \"spotByDefault\"?)", "allowed keys in training:"),
        ["section-not-object"] = new("dev.json", j => j["network"] = "isolated", "network", "\"isolated\" is not an object", "mode, cidr"),
        ["null-value"] = new("dev.json", j => j["region"] = null, "region", "null is not a string", "eu-west-1"),
        ["registry-approval"] = new("dev.json", j => j["registry"] = new JsonObject { ["approval"] = "auto" }, "registry.approval", "\"auto\" is not an allowed value", "\"manual\" or \"automatic\""),
        ["registry-approver-not-a-role"] = new("dev.json", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray("arn:aws:iam::123456789012:user/alice") },
            "registry.approvers[0]", "\"arn:aws:iam::123456789012:user/alice\" is not an IAM role ARN", "arn:aws:iam::<account>:role/<path/name>"),
        ["registry-approver-other-account"] = new("dev.json", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray("arn:aws:iam::999999999999:role/approvers") },
            "registry.approvers[0]", "\"arn:aws:iam::999999999999:role/approvers\" is a role of account 999999999999", "roles of the environment's account 123456789012"),
        ["registry-approver-service-linked"] = new("dev.json", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray("arn:aws:iam::123456789012:role/aws-service-role/x/Y") },
            "registry.approvers[0]", "\"arn:aws:iam::123456789012:role/aws-service-role/x/Y\" is a service-linked role", "a role you manage"),
        ["registry-approver-path-513"] = new("dev.json", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray($"arn:aws:iam::123456789012:role/{new string('p', 511)}/x") },
            "registry.approvers[0]", "\"arn:aws:iam::123456789012:role/ppppppppppppppppppppppppp... (544 characters) is not an IAM role ARN", "path, its slashes included, at most 512 characters"),
        ["registry-approver-name-65"] = new("dev.json", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray($"arn:aws:iam::123456789012:role/{new string('n', 65)}") },
            "registry.approvers[0]", "\"arn:aws:iam::123456789012:role/nnnnnnnnnnnnnnnnnnnnnnnnn... (96 characters) is not an IAM role ARN", "its segments and the name (1 to 64) of letters, digits and _+=,.@-"),
        ["registry-approvers-one-name-two-paths"] = new("dev.json", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray("arn:aws:iam::123456789012:role/a/approvers", "arn:aws:iam::123456789012:role/b/approvers") },
            "registry.approvers[1]", "\"arn:aws:iam::123456789012:role/b/approvers\" names the role \"approvers\", as registry.approvers[0] (\"arn:aws:iam::123456789012:role/a/approvers\") does",
            "IAM role names are unique in an account whatever their path and case; allowed each role once"),
        ["registry-approvers-names-differ-in-case"] = new("dev.json", j => j["registry"] = new JsonObject { ["approvers"] = new JsonArray("arn:aws:iam::123456789012:role/Approvers", "arn:aws:iam::123456789012:role/approvers") },
            "registry.approvers[1]", "\"arn:aws:iam::123456789012:role/approvers\" names the role \"approvers\", as registry.approvers[0] (\"arn:aws:iam::123456789012:role/Approvers\") does",
            "allowed each role once"),
        ["registry-unknown-key"] = new("dev.json", j => j["registry"] = new JsonObject { ["approve"] = "manual" }, "registry.approve", "unknown key (did you mean \"approval\"?)", "allowed keys in registry: approval, approvers"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BadFile_IsRejected_WithFieldValueAndAllowed(string caseName)
    {
        var bad = Cases[caseName];
        using var temp = new TempEnvironments();
        var json = TempEnvironments.Valid();
        bad.Mutate(json);
        temp.Write(bad.File, json);

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        var prefix = $"{temp.Display(bad.File)}: {bad.Field}: {bad.Value}";
        var line = Assert.Single(ex.Errors, e => e.StartsWith(prefix, StringComparison.Ordinal));
        Assert.Contains("allowed", line, StringComparison.Ordinal);
        Assert.Contains(bad.Allowed, line[prefix.Length..], StringComparison.Ordinal);
        Assert.Contains(line, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidBaseline_Loads_SoEveryBadCaseFailsOnlyBecauseOfItsMutation()
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", TempEnvironments.ValidJson);

        var config = Assert.Single(EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Equal("dev", config.Name);
        Assert.Equal(NetworkMode.Isolated, config.Network.Mode);
        Assert.Equal(RemovalBehaviour.Destroy, config.Retention.RemovalPolicy);
        Assert.Equal(["ml.g5.xlarge", "ml.g5.2xlarge"], config.Training.AllowedInstanceTypes);
        Assert.Equal(20, config.Training.MaxTuningJobs);
        Assert.Equal(2, config.Training.MaxParallelTuningJobs);
        Assert.Equal(0, config.Training.WarmPoolKeepAliveMinutes);
        Assert.Equal(500m, config.Budget.MonthlyLimitUsd);
        Assert.Equal("ml-platform", config.Tags["owner"]);
    }

    [Fact]
    public void SeveralProblems_AreAllReported_AcrossFiles()
    {
        using var temp = new TempEnvironments();
        var dev = TempEnvironments.Valid();
        dev["account"] = "1";
        dev["training"]!["maxRuntimeHours"] = 1000;
        dev["studio"]!["idleTimeoutMinutes"] = 1;
        temp.Write("dev.json", dev);
        var staging = TempEnvironments.Valid();
        staging["name"] = "staging";
        staging["region"] = "mars-1";
        temp.Write("staging.json", staging);

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Contains(ex.Errors, e => e.StartsWith($"{temp.Display("dev.json")}: account: ", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith($"{temp.Display("dev.json")}: training.maxRuntimeHours: 1000 is out of range; allowed a whole number 1..672.", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith($"{temp.Display("dev.json")}: studio.idleTimeoutMinutes: ", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith($"{temp.Display("staging.json")}: region: \"mars-1\"", StringComparison.Ordinal));
        Assert.Equal(4, ex.Errors.Count);
    }

    [Fact]
    public void MalformedJson_IsReported_WithLineAndColumn_AndOtherFilesStillChecked()
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", "{\n  \"name\": \"dev\",\n  \"account\" \"123456789012\"\n}\n");
        var staging = TempEnvironments.Valid();
        staging["name"] = "staging";
        staging["account"] = "x";
        temp.Write("staging.json", staging);

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        var line = Assert.Single(ex.Errors, e => e.StartsWith($"{temp.Display("dev.json")}: malformed JSON at line 3, column 13", StringComparison.Ordinal));
        Assert.DoesNotContain("LineNumber", line, StringComparison.Ordinal);
        Assert.Contains(ex.Errors, e => e.StartsWith($"{temp.Display("staging.json")}: account: \"x\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\n  \"name\": \"dev\", // why\n}", "malformed JSON at line 2")]
    [InlineData("{ \"name\": \"dev\", }", "malformed JSON at line 1")]
    [InlineData("", "the file is empty")]
    [InlineData("[1, 2]", "(root): [1, 2] is not an object")]
    public void CommentsTrailingCommasEmptyAndNonObjectFiles_AreRejected(string text, string expected)
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", text);

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Contains(ex.Errors, e => e.StartsWith($"{temp.Display("dev.json")}: {expected}", StringComparison.Ordinal));
    }

    [Fact]
    public void DuplicateKey_IsRejected()
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", TempEnvironments.ValidJson.Replace("\"region\": \"eu-west-1\",", "\"region\": \"eu-west-1\", \"region\": \"us-east-1\",", StringComparison.Ordinal));

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Contains($"{temp.Display("dev.json")}: region: is defined more than once; allowed each key once.", ex.Errors);
    }

    [Fact]
    public void EmptyDirectory_IsRejected()
    {
        using var temp = new TempEnvironments();
        temp.Write("environment.schema.json", "{}");

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Contains("no environment files", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void JsonExtensionInAnotherCase_IsRefusedByName_AndOtherFilesAreIgnored()
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", TempEnvironments.ValidJson);
        var staging = TempEnvironments.Valid();
        staging["name"] = "staging";
        staging["account"] = "210987654321";
        temp.Write("staging.JSON", staging);
        temp.Write("README.md", "# notes");
        temp.Write(".gitkeep", "");
        temp.Write("dev.json.bak", "not json");
        temp.Write("environment.schema.json", "{}");

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Equal($"{temp.Display("staging.JSON")}: (file): the extension .JSON is not .json in lower case, so this file would be skipped; allowed staging.json (rename it: the app and the tools read environments/*.json).", Assert.Single(ex.Errors));
        File.Move(Path.Combine(temp.Directory, "staging.JSON"), Path.Combine(temp.Directory, "staging.json"));
        Assert.Equal(["dev", "staging"], EnvironmentLoader.LoadAll(temp.Directory).Select(e => e.Name));
    }

    [Fact]
    public void NewEnvironmentFile_IsPickedUp_WithoutCodeChanges()
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", TempEnvironments.ValidJson);
        var research = TempEnvironments.Valid();
        research["name"] = "research-us";
        research["region"] = "us-east-1";
        research["availabilityZones"] = new JsonArray("us-east-1a", "us-east-1d");
        temp.Write("research-us.json", research);

        var names = EnvironmentLoader.LoadAll(temp.Directory).Select(e => e.Name);

        Assert.Equal(["dev", "research-us"], names);
    }

    [Fact]
    public void TwoEnvironments_InOneAccountAndRegion_AreRefused_NamingBoth_AndAnotherAccountIsAccepted()
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", TempEnvironments.ValidJson);
        var staging = TempEnvironments.Valid();
        staging["name"] = "staging";
        temp.Write("staging.json", staging);

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));
        var error = Assert.Single(ex.Errors);
        Assert.StartsWith($"{temp.Display("")}/: environments \"dev\" and \"staging\" both deploy to account 123456789012 in eu-west-1; allowed one environment per account and region", error.Replace("//:", "/:"));
        Assert.Contains("own \"account\"", error);

        staging["account"] = "210987654321";
        temp.Write("staging.json", staging);
        Assert.Equal(["dev", "staging"], EnvironmentLoader.LoadAll(temp.Directory).Select(e => e.Name));
    }
}
