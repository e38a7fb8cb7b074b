using System.IO.Compression;
using System.Text.Json;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using Xunit;

namespace HfSageMaker.Tests.Configuration;

/// <summary>The editor JSON Schema and the C# validator agree; the instance catalog matches the SageMaker API model.</summary>
public sealed class EnvironmentSchemaTests
{
    private static readonly string Root = RepositoryLocator.FindRoot() ?? throw new InvalidOperationException("cdk.json not found");

    private static JsonElement Schema()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "environments", "environment.schema.json")));
        return doc.RootElement.Clone();
    }

    private static JsonElement SchemaObject(string path)
    {
        var node = Schema();
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = part.EndsWith("[]", StringComparison.Ordinal)
                ? node.GetProperty("properties").GetProperty(part[..^2]).GetProperty("items")
                : node.GetProperty("properties").GetProperty(part);
        }

        return node;
    }

    public static TheoryData<string> SectionPaths() => [.. EnvironmentSchema.Sections.Keys];

    [Theory]
    [MemberData(nameof(SectionPaths))]
    public void SchemaAndValidator_AgreeOnRequiredAndOptionalKeys(string path)
    {
        var obj = SchemaObject(path);
        var keys = EnvironmentSchema.Sections[path];

        var schemaKeys = obj.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList();
        var schemaRequired = obj.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order().ToList();

        Assert.Equal(keys.All.Order(), schemaKeys);
        Assert.Equal(keys.Required.Order(), schemaRequired);
        Assert.False(obj.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void SchemaEnums_MatchValidatorLists()
    {
        static List<string> Enum(JsonElement e) => [.. e.GetProperty("enum").EnumerateArray().Select(x => x.ToString()).Order()];

        Assert.Equal(EnvironmentSchema.Regions.Order(), Enum(SchemaObject("region")));
        Assert.Equal(EnvironmentSchema.LogRetentionDays.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), Enum(SchemaObject("retention.logRetentionDays")));
        // The instance-type enums: the catalog's GPU training types (constructs/Training/Catalog/instance-types.json), in
        // the training block and in every recipe's block.
        Assert.Equal(InstanceTypeCatalog.GpuTrainingTypes.Order(), Enum(SchemaObject("training.allowedInstanceTypes").GetProperty("items")));
        Assert.Equal(InstanceTypeCatalog.GpuTrainingTypes.Order(), Enum(SchemaObject("training.defaultInstanceType")));
    }

    [Fact]
    public void EveryInstanceTypeEnumOfTheSchema_IsTheCatalogsGpuTrainingTypes()
    {
        // Every enum of ml.* names, wherever it is (the training block, $defs of the recipes' blocks).
        var enums = new List<(string Path, List<string> Values)>();
        void Walk(JsonElement node, string path)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                if (node.TryGetProperty("enum", out var values) && values.EnumerateArray().Any(v => v.ToString().StartsWith("ml.", StringComparison.Ordinal)))
                    enums.Add((path, [.. values.EnumerateArray().Select(v => v.ToString())]));
                foreach (var p in node.EnumerateObject()) Walk(p.Value, $"{path}/{p.Name}");
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray()) Walk(item, path + "[]");
            }
        }

        Walk(Schema(), "");
        Assert.Equal(4, enums.Count);
        Assert.All(enums, e => Assert.True(InstanceTypeCatalog.GpuTrainingTypes.Order().SequenceEqual(e.Values.Order()), e.Path));
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

        Assert.All(InstanceTypeCatalog.GpuTrainingTypes, t => Assert.Contains(t, apiEnum));
        Assert.DoesNotContain("ml.m5.xlarge", InstanceTypeCatalog.GpuTrainingTypes);
        Assert.DoesNotContain("ml.trn1.32xlarge", InstanceTypeCatalog.GpuTrainingTypes);
    }
}
