using Amazon.CDK;
using Amazon.CDK.Assertions;
using HfSageMaker.Constructs.Training;
using Xunit;
using static HfSageMaker.Tests.Training.HuggingFaceInferenceImageTests;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// TGI image resolution against what <c>get_huggingface_llm_image_uri</c> of SDK v2.257.6 returned
/// (<c>tests/fixtures/sdk-captured/image-uris.json</c>) and URIs written by hand from <c>huggingface-llm.json</c>.
/// </summary>
public class HuggingFaceLlmImageTests
{
    private const string Repo = "huggingface-pytorch-tgi-inference";

    [Fact]
    public void Every_uri_the_sdk_returned_is_resolved_the_same()
    {
        var cases = Captured("image-uris.json")["cases"]!["huggingfaceLlm"]!.AsArray().Select(c => c!.AsObject())
            .Where(c => c["uri"] is not null).ToArray();
        Assert.True(cases.Length >= 10, $"only {cases.Length} captured cases");
        foreach (var c in cases)
            Assert.Equal(c["uri"]!.GetValue<string>(), HuggingFaceLlmImage.Uri(c["region"]!.GetValue<string>(), c["version"]?.GetValue<string>()));
    }

    [Theory]
    // No version: the SDK's default, 3.3.6 (huggingface-llm.json: first 0.6.0, last 3.3.6; image_uris.py lines 799-814).
    [InlineData("eu-west-1", null, "763104351884.dkr.ecr.eu-west-1.amazonaws.com/" + Repo + ":2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04")]
    [InlineData("ap-southeast-5", null, "550225433462.dkr.ecr.ap-southeast-5.amazonaws.com/" + Repo + ":2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04")]
    [InlineData("us-isof-east-1", "3.2.3", "303241398832.dkr.ecr.us-isof-east-1.csp.hci.ic.gov/" + Repo + ":2.6.0-tgi3.2.3-gpu-py311-cu124-ubuntu22.04")]
    // Aliases resolve to the full entry, and the tag is the entry's tag_prefix (not the alias).
    [InlineData("us-east-2", "3.0", "763104351884.dkr.ecr.us-east-2.amazonaws.com/" + Repo + ":2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04-v2.1")]
    [InlineData("cn-north-1", "2.2.0", "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/" + Repo + ":2.3.0-tgi2.2.0-gpu-py310-cu121-ubuntu22.04-v2.0")]
    public void Version_and_region_give_the_sdk_uri(string region, string? version, string expected)
    {
        Assert.Equal(expected, HuggingFaceLlmImage.Uri(region, version));
    }

    [Fact]
    public void Default_version_is_the_sdks()
    {
        Assert.Equal("3.3.6", HuggingFaceLlmImage.DefaultVersion);
        Assert.Equal(23, HuggingFaceLlmImage.SupportedVersions.Count);
        Assert.Equal(42, HuggingFaceLlmImage.SupportedRegions.Count);
        Assert.Equal("fc582aaa46faf7b7e16ab1e13840869712174cd0", HuggingFaceLlmImage.CatalogSourceCommit);
    }

    [Fact]
    public void Unknown_version_and_region_are_refused_in_one_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceLlmImage.Uri("us-east-7", "9.9.9"));
        Assert.Equal("version", ex.ParamName);
        Assert.StartsWith("Invalid Hugging Face LLM (TGI) image request:", ex.Message);
        Assert.Contains("version '9.9.9' is not a Hugging Face LLM (TGI) image", ex.Message);
        Assert.Contains("default 3.3.6", ex.Message);
        var region = Assert.Throws<ArgumentException>(() => HuggingFaceLlmImage.Uri("us-east-7"));
        Assert.Equal("region", region.ParamName);
        Assert.Contains("region 'us-east-7' hosts no Hugging Face LLM (TGI) image", region.Message);
        Assert.Contains("nearest: us-east-1, us-east-2", region.Message);
        Assert.Contains("use ForScope", Assert.Throws<ArgumentException>(() => HuggingFaceLlmImage.Uri(Aws.REGION)).Message);
    }

    [Fact]
    public void Environment_agnostic_stack_gets_its_own_region_mapping()
    {
        var stack = new Stack(new App(), "Agnostic");
        _ = new CfnOutput(stack, "Image", new CfnOutputProps { Value = HuggingFaceLlmImage.ForScope(stack) });
        Template.FromStack(stack).HasMapping(HuggingFaceLlmImage.RegistryMappingId, new Dictionary<string, object>
        {
            ["us-isof-south-1"] = new Dictionary<string, object> { ["account"] = "454834333376", ["domain"] = "csp.hci.ic.gov" },
            ["mx-central-1"] = new Dictionary<string, object> { ["account"] = "637423239942", ["domain"] = "amazonaws.com" },
        });
    }
}
