using System.Text.Json;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;
using Xunit;

namespace HfSageMaker.Tests.BadInput;

/// <summary>
/// One list of supported regions: derived from the DLC catalog, the same in the validator, the JSON schema
/// and the README, and every one of them can serve the recipes' images at synthesis.
/// </summary>
public sealed partial class SupportedRegionsTests
{
    private static readonly string Root = RepositoryLocator.FindRoot()!;

    [GeneratedRegex(@"^\| `region` \| yes \| one of (?<list>[^|]*) \|", RegexOptions.Multiline)]
    private static partial Regex ReadmeRegions();

    [Fact]
    public void Readme_ListsExactlyTheSupportedRegions()
    {
        var match = ReadmeRegions().Match(File.ReadAllText(Path.Combine(Root, "README.md")));
        Assert.True(match.Success, "README.md: the region row of the environment key table is missing");
        var listed = match.Groups["list"].Value.Split(", ");
        Assert.Equal(EnvironmentSchema.Regions.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public void SchemaEnum_IsExactlyTheSupportedRegions()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "environments/environment.schema.json")));
        var listed = schema.RootElement.GetProperty("properties").GetProperty("region").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!);
        Assert.Equal(EnvironmentSchema.Regions.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SupportedRegions_AreTheCatalogsRegionsForTheRecipeImage_ReadFromTheCatalogFile()
    {
        // The catalog file itself (generated from the SageMaker Python SDK's image_uri_config), not the C# loader.
        using var catalog = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "constructs/Training/Catalog/huggingface-training-images.json")));
        var image = catalog.RootElement.GetProperty("images").EnumerateArray()
            .Single(i => i.GetProperty("transformers").GetString() == RecipeRegistry.Get("translation").TransformersVersion && i.GetProperty("pytorch").GetString() == RecipeRegistry.Get("translation").PytorchVersion);
        var commercial = image.GetProperty("regions").EnumerateArray().Select(r => r.GetString()!)
            .Where(r => !Regex.IsMatch(r, "^(cn|us-gov|us-iso[a-z]*|eu-isoe|eusc)-"))
            .ToHashSet();
        Assert.Equal(commercial.Order(StringComparer.Ordinal), EnvironmentSchema.Regions.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("mx-central-1", EnvironmentSchema.Regions);
        Assert.DoesNotContain("eu-central-2", EnvironmentSchema.Regions); // catalogued for other images, not this one
    }

    [Fact]
    public void EverySupportedRegion_ServesEveryRecipeImage()
    {
        var problems = new List<string>();
        foreach (var region in EnvironmentSchema.Regions)
        {
            foreach (var (transformers, pytorch) in EnvironmentSchema.RecipeImages)
            {
                try
                {
                    HuggingFaceImage.Uri(transformers, pytorch, RecipeRegistry.Get("translation").PythonVersion, "ml.g5.xlarge", region);
                }
                catch (ArgumentException ex)
                {
                    problems.Add($"{region}: {ex.Message}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EverySupportedRegion_HasZoneLetters()
    {
        Assert.All(EnvironmentSchema.Regions, r => Assert.True(EnvironmentSchema.AvailabilityZoneLetters.TryGetValue(r, out var l) && l.Length >= 2, r));
    }
}
