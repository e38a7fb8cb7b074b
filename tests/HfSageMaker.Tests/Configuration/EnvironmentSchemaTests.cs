using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Schemas;
using HfSageMaker.Tests.BadInput;
using Xunit;

namespace HfSageMaker.Tests.Configuration;

/// <summary>
/// The environment file schema is generated from the C# model (<c>dotnet run --project infra -- schema</c>) and
/// committed with the README's key table; the instance types it allows are in the SageMaker API model.
/// </summary>
public sealed class EnvironmentSchemaTests
{
    private static readonly string Root = RepositoryLocator.FindRoot() ?? throw new InvalidOperationException("cdk.json not found");

    [Fact]
    public void CommittedSchemaAndReadmeTable_AreTheGeneratedOnes()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = AppRunner.WriteSchema(Root, check: true, stdout, stderr);

        Assert.True(code == 0, $"{stdout}{stderr}");
        Assert.Equal(EnvironmentSchema.Text, File.ReadAllText(Path.Combine(Root, EnvironmentSchema.FileName)));
    }

    [Fact]
    public void SchemaCommand_FindsAStaleSchemaAndTable_AndRewritesThem()
    {
        var root = Path.Combine(Path.GetTempPath(), "hf-schema-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "environments"));
        try
        {
            File.WriteAllText(Path.Combine(root, EnvironmentSchema.FileName), EnvironmentSchema.Text.Replace("\"maximum\": 672", "\"maximum\": 999", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(root, "README.md"), $"# Title\n\n<!-- {AppRunner.ReadmeBlock} -->\n| old |\n<!-- /{AppRunner.ReadmeBlock} -->\n\nAfter.\n");
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            Assert.Equal(1, AppRunner.WriteSchema(root, check: true, stdout, stderr));
            Assert.Contains($"{EnvironmentSchema.FileName}: stale", stdout.ToString(), StringComparison.Ordinal);
            Assert.Contains("README.md (environment key table): stale", stdout.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, AppRunner.WriteSchema(root, check: false, stdout, stderr));
            Assert.Equal(0, AppRunner.WriteSchema(root, check: true, stdout, stderr));

            Assert.Equal(EnvironmentSchema.Text, File.ReadAllText(Path.Combine(root, EnvironmentSchema.FileName)));
            var readme = File.ReadAllText(Path.Combine(root, "README.md"));
            Assert.StartsWith("# Title\n\n", readme, StringComparison.Ordinal);
            Assert.EndsWith($"<!-- /{AppRunner.ReadmeBlock} -->\n\nAfter.\n", readme, StringComparison.Ordinal);
            Assert.Contains("| `training.maxRuntimeHours` | yes | a whole number 1..672 |", readme, StringComparison.Ordinal);
            Assert.Contains("| `studio.users[].name` | yes |", readme, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ReadmeTable_SpellsOutTheInstanceTypesOnce_AndNamesTheListInEachRowUsingIt()
    {
        var table = SchemaDocs.KeyTable(EnvironmentSchema.Document);
        var types = string.Join(", ", InstanceTypeCatalog.GpuTrainingTypes);

        Assert.Equal(1, Regex.Count(table, Regex.Escape(types)));
        Assert.Contains($"\n\n`instanceType` (`#/$defs/instanceType` in the schema): one of {types}.\n", table, StringComparison.Ordinal);
        Assert.Contains("| `training.allowedInstanceTypes` | yes | 1 or more distinct items, each one of the `instanceType` values below |", table, StringComparison.Ordinal);
        Assert.Contains("| `training.defaultInstanceType` | yes | one of the `instanceType` values below |", table, StringComparison.Ordinal);
        Assert.Contains("| `region` | yes | one of af-south-1, ", table, StringComparison.Ordinal); // a list used once stays in its row
    }

    [Fact]
    public void ShippedFiles_ReferenceTheSchema()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "environments"), "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            Assert.Equal("./environment.schema.json", doc.RootElement.GetProperty("$schema").GetString());
        }
    }

    [Fact]
    public void EveryAllowedInstanceType_IsInTheSageMakerApiModelTrainingInstanceTypeEnum()
    {
        var model = Directory.GetFiles(Path.Combine(Root, "tests", "models"), "sagemaker-2017-07-24*.json.gz").Single();
        using var gz = new GZipStream(File.OpenRead(model), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        var apiEnum = doc.RootElement.GetProperty("shapes").GetProperty("TrainingInstanceType").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var schema = EnvironmentSchema.Document["$defs"]!["training"]!["properties"]!;

        var document = EnvironmentSchema.Document;
        var allowed = document["$defs"]!["instanceType"]!["enum"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.All(allowed, t => Assert.Contains(t, apiEnum));
        Assert.Equal("#/$defs/instanceType", (string?)schema["allowedInstanceTypes"]!["items"]!["$ref"]);
        Assert.Equal("#/$defs/instanceType", (string?)schema["defaultInstanceType"]!["$ref"]);
        Assert.DoesNotContain("ml.m5.xlarge", allowed);
        Assert.DoesNotContain("ml.trn1.32xlarge", allowed);
    }

    /// <summary>
    /// A bad instance type is worded the same wherever the list is used (a list item, the default, in training and in a
    /// recipe's block, which refers to the training definition): the property's own message and "did you mean", and the
    /// whole list the catalog allows, however the schema shares the list.
    /// </summary>
    [Theory]
    [InlineData("training", "allowedInstanceTypes", "ml.g5.3xlarge", "training.allowedInstanceTypes[1]", " (did you mean \"ml.g5.xlarge\"?)")]
    [InlineData("training", "allowedInstanceTypes", "t3.medium", "training.allowedInstanceTypes[1]", "")]
    [InlineData("training", "defaultInstanceType", "ml.g5.xlarg", "training.defaultInstanceType", " (did you mean \"ml.g5.xlarge\"?)")]
    [InlineData("training", "defaultInstanceType", "ml.m5.xlarge", "training.defaultInstanceType", " (did you mean \"ml.g5.xlarge\"?)")]
    [InlineData("llm-sft", "allowedInstanceTypes", "g5.2xlarge", "recipes.llm-sft.allowedInstanceTypes[1]", " (did you mean \"ml.g5.2xlarge\"?)")]
    [InlineData("llm-sft", "defaultInstanceType", "ml.g5.2xlarg", "recipes.llm-sft.defaultInstanceType", " (did you mean \"ml.g5.2xlarge\"?)")]
    [InlineData("llm-sft", "defaultInstanceType", "t3.medium", "recipes.llm-sft.defaultInstanceType", "")]
    public void BadInstanceType_IsWordedTheSame_WhereverTheListIsUsed(string block, string key, string bad, string field, string suggestion)
    {
        using var temp = new TempEnvironments();
        var json = TempEnvironments.Valid();
        var section = block == "training" ? json["training"]!.AsObject() : new JsonObject { ["allowedInstanceTypes"] = new JsonArray("ml.g5.2xlarge"), ["defaultInstanceType"] = "ml.g5.2xlarge" };
        if (block != "training")
        {
            json["recipes"] = new JsonObject { [block] = section };
        }

        section[key] = key == "allowedInstanceTypes" ? new JsonArray((string)section[key]![0]!, bad) : bad;
        temp.Write("dev.json", json);

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        var expected = $"{temp.Display("dev.json")}: {field}: \"{bad}\" is not a GPU training instance type{suggestion}; allowed one of {string.Join(", ", InstanceTypeCatalog.GpuTrainingTypes)}.";
        Assert.True(ex.Errors.Contains(expected), string.Join("\n", ex.Errors));
        Assert.Single(ex.Errors, e => e.Contains($": {field}: ", StringComparison.Ordinal));
    }

    /// <summary>
    /// A list of values used in several places is written once, under <c>$defs</c>, and referred to: no two <c>enum</c>
    /// arrays of more than one value anywhere in the schema are equal.
    /// </summary>
    [Fact]
    public void NoEnumList_IsWrittenTwice()
    {
        var enums = new List<(string Pointer, string Values)>();
        void Walk(JsonNode? node, string pointer)
        {
            if (node is JsonObject o)
            {
                if (o["enum"] is JsonArray { Count: > 1 } values)
                {
                    enums.Add((pointer, values.ToJsonString()));
                }

                foreach (var (key, child) in o)
                {
                    Walk(child, $"{pointer}/{key}");
                }
            }
        }

        Walk(EnvironmentSchema.Document, "");

        Assert.NotEmpty(enums);
        var twice = enums.GroupBy(e => e.Values).Where(g => g.Count() > 1).Select(g => string.Join(" and ", g.Select(e => e.Pointer))).ToList();
        Assert.True(twice.Count == 0, $"the same enum is written at {string.Join("; ", twice)}");
    }

    [Fact]
    public void ReservedTagKeys_AreWhatAwsTheCdkAndTheAppSet_InAnyCaseWhereIamIgnoresIt()
    {
        var reserved = new Regex((string)EnvironmentSchema.Document["properties"]!["tags"]!["propertyNames"]!["not"]!["pattern"]!);

        Assert.All(EnvironmentSchema.AddedTagKeys.Append("aws:owner").Append("AWS:x").Append("Aws-Cdk:x").Append(PlatformApp.EnvironmentTag.ToUpperInvariant()), k => Assert.Matches(reserved, k));
        Assert.All(["owner", "name", "environment-owner", "cost-center", "aws", "awsome:x"], k => Assert.DoesNotMatch(reserved, k));
        Assert.Equal(EnvironmentSchema.MaxTags, EnvironmentSchema.AwsTagsPerResource - EnvironmentSchema.AddedTagKeys.Count);
    }

    /// <summary>
    /// The corpus file ending each pattern's value in a newline, by the pattern's place in the schema. .NET's <c>$</c>
    /// (JsonSchema.Net's) matches before a final newline, ECMAScript's (editors', Ajv's) does not: the loader's refusal of
    /// control characters closes the gap, and every pattern has a case proving it.
    /// </summary>
    private static readonly Dictionary<string, (string Case, string Field)> NewlineCases = new()
    {
        ["/properties/name"] = ("name-newline", "name"),
        ["/properties/description"] = ("description-newline", "description"),
        ["/properties/account"] = ("account-newline", "account"),
        ["/properties/availabilityZones/items"] = ("zone-newline", "availabilityZones[1]"),
        ["/properties/network/properties/cidr"] = ("cidr-newline", "network.cidr"),
        ["/properties/studio/properties/users/items/properties/name"] = ("user-newline", "studio.users[0].name"),
        ["/properties/notificationEmails/items"] = ("email-newline", "notificationEmails[0]"),
        ["/properties/tags/propertyNames"] = ("tag-key-newline", "tags[\"owner\\n\"]"),
        ["/properties/tags/propertyNames/not"] = ("tag-key-reserved-newline", "tags[\"Name\\n\"]"),
        ["/properties/tags/additionalProperties"] = ("tag-value-newline", "tags.owner"),
        ["/properties/registry/properties/approvers/items"] = ("approver-newline", "registry.approvers[0]"),
        ["/properties/registry/properties/approvers/items/not"] = ("approver-service-linked-newline", "registry.approvers[0]"),
    };

    [Fact]
    public void JsonSchemaNet_MatchesDollarBeforeAFinalNewline_WhichIsWhyTheLoaderRefusesControlCharacters()
    {
        // Measured on JsonSchema.Net 8.0.5: .NET regular expressions, where ECMAScript's (the standard's) would refuse.
        var schema = Json.Schema.JsonSchema.FromText("""{"$schema": "https://json-schema.org/draft/2020-12/schema", "pattern": "^[a-z]+$"}""");
        Assert.True(schema.Evaluate(JsonDocument.Parse("\"abc\\n\"").RootElement).IsValid);
        Assert.False(schema.Evaluate(JsonDocument.Parse("\"abc\\nd\"").RootElement).IsValid);
    }

    [Fact]
    public void EveryPatternOfTheSchema_HasATrailingNewlineCase_RefusedAsAControlCharacter()
    {
        var patterns = new List<string>();
        void Walk(JsonNode? node, string pointer)
        {
            if (node is JsonObject o)
            {
                if (o.ContainsKey("pattern"))
                {
                    patterns.Add(pointer);
                }

                foreach (var (key, child) in o)
                {
                    Walk(child, $"{pointer}/{key}");
                }
            }
        }

        Walk(EnvironmentSchema.Document, "");

        Assert.Equal(NewlineCases.Keys.Order(StringComparer.Ordinal), patterns.Order(StringComparer.Ordinal));
        foreach (var (id, field) in NewlineCases.Values)
        {
            using var dir = new TempEnvironments();
            var path = Path.Combine(dir.Directory, "dev.json");
            File.WriteAllBytes(path, EnvironmentCorpus.Bad.Single(c => c.Id == id).Bytes);
            var errors = new List<string>();
            Assert.Null(EnvironmentLoader.ParseFile(path, errors));
            var error = Assert.Single(errors);
            Assert.StartsWith($"{dir.Display("dev.json")}: {field}: ", error);
            Assert.Contains("holds the control character U+000A; allowed text without control characters", error);
        }
    }

    /// <summary>A small model whose schema is written out by hand: what the generator makes of each kind of member.</summary>
    [Schema("A sample.")]
    public sealed record Sample
    {
        [Schema("A code.", Pattern = @"^[a-z]+\z", PatternMessage = "not a code; allowed lowercase letters")]
        public required string Code { get; init; }

        [Schema("A count.", Minimum = 1, Maximum = 9)]
        public int Count { get; init; } = 3;

        [Schema("Names.", MaxItems = 2, UniqueItems = true)]
        [Items(MinLength = 1)]
        public IReadOnlyList<string> Names { get; init; } = [];

        [Schema("Labels.")]
        [Keys(NotPattern = @"^x\z", Message = "reserved")]
        public IReadOnlyDictionary<string, bool> Labels { get; init; } = new Dictionary<string, bool>();

        [Schema("The part.")]
        public required SamplePart Part { get; init; }

        [Schema("The mode.")]
        public SampleMode Mode { get; init; }
    }

    [Schema("A part.", Definition = "part")]
    public sealed record SamplePart
    {
        [Schema("Size.")]
        public required decimal Size { get; init; }
    }

    public enum SampleMode
    {
        [Schema("first.")]
        FirstOne,

        [Schema("second.")]
        SecondOne,
    }

    /// <summary>Lists for <see cref="ListsSample"/>.</summary>
    public static class SampleLists
    {
        public static IReadOnlyList<string> Colours => ["red", "green"];

        public static IReadOnlyList<int> Sizes => [1, 2];
    }

    /// <summary>A model using one list in three places and another once.</summary>
    public sealed record ListsSample
    {
        [Schema("Main colour.", Values = nameof(SampleLists.Colours), Message = "not a colour")]
        public required string Main { get; init; }

        [Schema("Other colours.")]
        [Items(Values = nameof(SampleLists.Colours))]
        public IReadOnlyList<string> Others { get; init; } = [];

        [Schema("Colour by name.")]
        [Items(Values = nameof(SampleLists.Colours))]
        public IReadOnlyDictionary<string, string> Named { get; init; } = new Dictionary<string, string>();

        [Schema("Size.", Values = nameof(SampleLists.Sizes))]
        public required int Size { get; init; }
    }

    [Fact]
    public void Generator_WritesAListUsedMoreThanOnce_UnderDefs_AndAListUsedOnce_InPlace() =>
        AssertGenerated(typeof(ListsSample), typeof(SampleLists), "Lists", """
            {
              "type": "object",
              "additionalProperties": false,
              "required": ["main", "size"],
              "properties": {
                "main": { "description": "Main colour.", "type": "string", "$ref": "#/$defs/colour", "errorMessage": "not a colour" },
                "others": { "description": "Other colours.", "type": "array", "items": { "type": "string", "$ref": "#/$defs/colour" } },
                "named": { "description": "Colour by name.", "type": "object", "propertyNames": {}, "additionalProperties": { "type": "string", "$ref": "#/$defs/colour" } },
                "size": { "description": "Size.", "type": "integer", "enum": [1, 2] }
              },
              "$defs": {
                "colour": { "type": "string", "enum": ["red", "green"] }
              }
            }
            """);

    [Fact]
    public void Generator_WritesEachKindOfMember_AsJsonSchemaSays() =>
        AssertGenerated(typeof(Sample), typeof(EnvironmentSchema), "Sample", """
            {
              "description": "A sample.",
              "type": "object",
              "additionalProperties": false,
              "required": ["code", "part"],
              "properties": {
                "code": { "description": "A code.", "type": "string", "pattern": "^[a-z]+$", "patternErrorMessage": "not a code; allowed lowercase letters" },
                "count": { "description": "A count.", "type": "integer", "minimum": 1, "maximum": 9, "default": 3 },
                "names": { "description": "Names.", "type": "array", "items": { "type": "string", "minLength": 1 }, "maxItems": 2, "uniqueItems": true },
                "labels": { "description": "Labels.", "type": "object", "propertyNames": { "not": { "pattern": "^x$" }, "errorMessage": "reserved" }, "additionalProperties": { "type": "boolean" } },
                "part": { "description": "The part.", "$ref": "#/$defs/part", "type": "object", "required": ["size"] },
                "mode": { "description": "The mode. firstOne: first. secondOne: second.", "type": "string", "enum": ["firstOne", "secondOne"], "default": "firstOne" }
              },
              "$defs": {
                "part": { "description": "A part.", "type": "object", "additionalProperties": false, "properties": { "size": { "description": "Size.", "type": "number" } } }
              }
            }
            """);

    /// <summary>Asserts the schema generated of <paramref name="model"/> is <paramref name="expected"/> with its <c>$schema</c> and title.</summary>
    private static void AssertGenerated(Type model, Type lists, string title, string expected)
    {
        var schema = SchemaGenerator.Generate(model, lists, title, _ => null);
        var document = JsonNode.Parse(expected)!.AsObject();
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        document["title"] = title;
        Assert.True(JsonNode.DeepEquals(document, schema), schema.ToJsonString(SchemaGenerator.WriteOptions));
    }
}
