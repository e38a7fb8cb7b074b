using System.Text;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// The embedded catalogs' reader fails on a member the C# types need, whether the file lacks it, names it differently
/// or holds null there, for top-level members and for rows (positional records, which System.Text.Json itself fills
/// with null), instead of returning nulls that reach an image URI.
/// </summary>
public sealed class EmbeddedCatalogTests
{
    private static T Parse<T>(string json) => EmbeddedCatalog.Parse<T>(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json");

    private const string Row = """{"transformers": "4.56.2", "pytorch": "2.8.0", "pytorchAliases": ["2.8"], "pythonVersions": ["py312"], "containerVersion": "cu129-ubuntu22.04", "regions": ["eu-west-1"]}""";

    private static string Catalog(string row) =>
        $$"""{"repository": "huggingface-pytorch-training", "source": {"commit": "abc"}, "transformersAliases": {}, "registries": {"eu-west-1": "763104351884"}, "images": [{{row}}]}""";

    [Fact]
    public void AComplete_catalog_loads()
    {
        var catalog = Parse<HuggingFaceImageCatalog>(Catalog(Row));

        Assert.Equal("cu129-ubuntu22.04", catalog.Images[0].ContainerVersion);
        Assert.Equal("abc", catalog.SourceCommit);
    }

    [Theory]
    [InlineData("\"pytorch\": \"2.8.0\", ", "", "$.images[0].pytorch")] // missing in a row (positional record)
    [InlineData("\"pytorch\": \"2.8.0\"", "\"pyTorch_version\": \"2.8.0\"", "$.images[0].pytorch")] // renamed in a row
    [InlineData("\"regions\": [\"eu-west-1\"]", "\"regions\": null", "$.images[0].regions")]
    [InlineData("\"regions\": [\"eu-west-1\"]", "\"regions\": [null]", "$.images[0].regions[0]")]
    public void A_row_member_missing_renamed_or_null_fails_the_load_with_its_path(string from, string to, string path)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Parse<HuggingFaceImageCatalog>(Catalog(Row.Replace(from, to, StringComparison.Ordinal))));

        Assert.Contains($"Catalog 'test.json' lacks or holds null at {path}", ex.Message);
    }

    [Fact]
    public void A_nullable_member_may_be_null()
    {
        var catalog = Parse<HuggingFaceImageCatalog>(Catalog(Row.Replace("\"cu129-ubuntu22.04\"", "null", StringComparison.Ordinal)));

        Assert.Null(catalog.Images[0].ContainerVersion);
    }

    [Fact]
    public void A_top_level_member_null_or_missing_fails_the_load()
    {
        var nullRepository = Assert.Throws<InvalidOperationException>(() => Parse<HuggingFaceImageCatalog>(
            Catalog(Row).Replace("\"huggingface-pytorch-training\"", "null", StringComparison.Ordinal)));
        Assert.Contains("at $.repository", nullRepository.Message);

        var noRegistries = Assert.Throws<InvalidOperationException>(() => Parse<HuggingFaceImageCatalog>(
            Catalog(Row).Replace("\"registries\"", "\"registry\"", StringComparison.Ordinal)));
        Assert.Contains("does not match HuggingFaceImageCatalog", noRegistries.Message);
    }

    [Fact]
    public void Every_embedded_catalog_loads_complete()
    {
        Assert.NotEmpty(HuggingFaceImageCatalog.Instance.Images);
        Assert.NotEmpty(HuggingFaceInferenceImageCatalog.Instance.Images);
        Assert.NotEmpty(HuggingFaceLlmImageCatalog.Instance.Images);
        Assert.NotEmpty(InstanceTypeCatalog.GpuTrainingTypes);
    }
}
