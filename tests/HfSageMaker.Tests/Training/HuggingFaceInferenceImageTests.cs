using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Tests.Orchestration;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// Inference image resolution. Expected URIs and choices are written by hand from the SageMaker Python SDK v2.257.6
/// <c>image_uri_config/huggingface.json</c> (inference scope), or read from what the SDK itself returned
/// (<c>tests/fixtures/sdk-captured/image-uris.json</c>, written by <c>scripts/capture-sdk-requests.py</c>); none is
/// produced by the code under test.
/// </summary>
public class HuggingFaceInferenceImageTests
{
    private const string Repo = "huggingface-pytorch-inference";

    internal static JsonObject Captured(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RecipePipelineFixture.RepositoryRoot, "tests", "fixtures", "sdk-captured", file)))!.AsObject();

    // Training DLC (the training table's pairs) -> the nearest inference entry, read off the two tables by hand.
    [Theory]
    [InlineData("4.36.0", "2.1.0", "py310", "4.37.0", "2.1.0", "py310")]  // translation: next transformers up, same PyTorch
    [InlineData("4.56.2", "2.8.0", "py312", "4.51.3", "2.6.0", "py312")]  // llm-sft: nothing at or above 4.56.2, greatest below
    [InlineData("4.55.0", "2.7.1", "py312", "4.51.3", "2.6.0", "py312")]
    [InlineData("4.46.1", "2.3.0", "py311", "4.48.0", "2.3.0", "py311")]
    [InlineData("4.49.0", "2.5.1", "py311", "4.49.0", "2.6.0", "py312")]  // same transformers, the PyTorch above (and its Python)
    [InlineData("4.48.0", "2.3.0", "py311", "4.48.0", "2.3.0", "py311")]  // exact matches
    [InlineData("4.28.1", "2.0.0", "py310", "4.28.1", "2.0.0", "py310")]
    [InlineData("4.26.0", "1.13.1", "py39", "4.26.0", "1.13.1", "py39")]
    [InlineData("4.17.0", "1.10.2", "py38", "4.17.0", "1.10.2", "py38")]
    [InlineData("4.12.3", "1.9.1", "py38", "4.12.3", "1.9.1", "py38")]
    [InlineData("4.10.2", "1.8.1", "py36", "4.10.2", "1.8.1", "py36")]
    [InlineData("4.10.2", "1.9.0", "py38", "4.10.2", "1.9.0", "py38")]
    [InlineData("4.6.1", "1.6.0", "py36", "4.6.1", "1.7.1", "py36")]    // no inference 1.6.0: the smallest PyTorch above
    [InlineData("4.4.2", "1.6.0", "py36", "4.6.1", "1.7.1", "py36")]    // the smallest transformers above, then PyTorch above
    [InlineData("4.36", "2.1", "py310", "4.37.0", "2.1.0", "py310")]    // the training table's aliases
    public void Nearest_inference_image_follows_the_documented_rule(string t, string p, string py, string et, string ep, string epy)
    {
        var chosen = HuggingFaceInferenceImage.Nearest(t, p, py);
        Assert.Equal((et, ep, epy), (chosen.TransformersVersion, chosen.PytorchVersion, chosen.PythonVersion));
    }

    [Theory]
    // The translation recipe's training DLC, GPU and CPU (the CPU image of 4.37.0 is Ubuntu 22.04, the GPU one 20.04).
    [InlineData("4.36.0", "2.1.0", "py310", "ml.g5.xlarge", "eu-west-1",
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/" + Repo + ":2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04")]
    [InlineData("4.36.0", "2.1.0", "py310", "ml.m5.xlarge", "eu-west-1",
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/" + Repo + ":2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04")]
    // The llm-sft recipe's training DLC (a Hugging Face inference image; the recipe itself registers TGI).
    [InlineData("4.56.2", "2.8.0", "py312", "ml.g6e.2xlarge", "me-south-1",
        "217643126080.dkr.ecr.me-south-1.amazonaws.com/" + Repo + ":2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04")]
    [InlineData("4.26.0", "1.13.1", "py39", "ml.c5.2xlarge", "cn-northwest-1",
        "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/" + Repo + ":1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04")]
    [InlineData("4.17.0", "1.10.2", "py38", "ml.p3.2xlarge", "us-gov-east-1",
        "446045086412.dkr.ecr.us-gov-east-1.amazonaws.com/" + Repo + ":1.10.2-transformers4.17.0-gpu-py38-cu113-ubuntu20.04")]
    [InlineData("4.6.1", "1.8.1", "py36", "ml.r5.large", "us-isob-east-1",
        "094389454867.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/" + Repo + ":1.8.1-transformers4.6.1-cpu-py36-ubuntu18.04")]
    [InlineData("4.48.0", "2.3.0", "py311", "ml.p5.48xlarge", "ca-west-1",
        "204538143572.dkr.ecr.ca-west-1.amazonaws.com/" + Repo + ":2.3.0-transformers4.48.0-gpu-py311-cu121-ubuntu22.04")]
    public void Training_dlc_resolves_to_the_sdk_inference_uri(string t, string p, string py, string instance, string region, string expected)
    {
        Assert.Equal(expected, HuggingFaceInferenceImage.Uri(t, p, py, instance, region));
    }

    [Fact]
    public void Every_full_version_uri_the_sdk_returned_is_resolved_the_same()
    {
        var cases = Captured("image-uris.json")["cases"]!["huggingfaceInference"]!.AsArray().Select(c => c!.AsObject())
            .Where(c => c["uri"] is not null && c["version"]!.GetValue<string>().Split('.').Length == 3).ToArray();
        Assert.True(cases.Length >= 10, $"only {cases.Length} captured cases");
        foreach (var c in cases)
        {
            var image = HuggingFaceInferenceImage.SupportedVersions.Single(v => v.TransformersVersion == c["version"]!.GetValue<string>()
                && "pytorch" + v.PytorchVersion == c["base_framework_version"]!.GetValue<string>()
                && v.PythonVersion == c["py_version"]!.GetValue<string>());
            Assert.Equal(c["uri"]!.GetValue<string>(),
                HuggingFaceInferenceImage.Uri(image, c["instance_type"]!.GetValue<string>(), c["region"]!.GetValue<string>()));
        }
    }

    [Fact]
    public void The_sdk_refuses_the_recipes_own_training_versions_so_nearest_is_needed()
    {
        // What the SDK said for image_scope="inference" with the recipes' training versions (captured, not ours).
        var errors = Captured("image-uris.json")["cases"]!["huggingfaceInference"]!.AsArray().Select(c => c!.AsObject())
            .Where(c => c["error"] is not null).ToLookup(c => c["version"]!.GetValue<string>(), c => c["error"]!.GetValue<string>());
        Assert.StartsWith("Unsupported huggingface version: 4.36.0.", Assert.Single(errors["4.36.0"]));
        Assert.StartsWith("Unsupported huggingface version: 4.56.2.", Assert.Single(errors["4.56.2"]));
        Assert.Equal("4.37.0", HuggingFaceInferenceImage.Nearest("4.36.0", "2.1.0", "py310").TransformersVersion);
    }

    [Theory]
    [InlineData("ml.g5.xlarge", "gpu")]
    [InlineData("ml.g4dn.xlarge", "gpu")]
    [InlineData("ml.p4d.24xlarge", "gpu")]
    [InlineData("ml.p6-b200.48xlarge", "gpu")]
    [InlineData("ml.m5.xlarge", "cpu")]
    [InlineData("ml.c5.large", "cpu")]
    [InlineData("ml.t2.medium", "cpu")]
    [InlineData("ml.r5d.2xlarge", "cpu")]
    [InlineData("ml.c6i.xlarge", "cpu")]
    public void Instance_family_picks_the_processor_as_the_sdk_does(string instance, string expected)
    {
        // image_uris.py _processor (v2.257.6, lines 569-572): family starting with g or p -> gpu, else cpu.
        Assert.Equal(expected, HuggingFaceInferenceImage.Processor(instance));
    }

    [Theory]
    [InlineData("ml.inf2.xlarge", "Inferentia/Trainium")]
    [InlineData("ml.trn1.2xlarge", "Inferentia/Trainium")]
    [InlineData("ml.m6g.large", "Arm (Graviton)")]      // the SDK refuses these too (captured: "Supported framework(s) for Graviton")
    [InlineData("ml.c7g.xlarge", "Arm (Graviton)")]
    [InlineData("ml.m7g.xlarge", "Arm (Graviton)")]     // refused here only: not in the SDK's Graviton list
    [InlineData("ml.g5g.xlarge", "not a GPU family the CUDA x86_64 inference images run on")]
    [InlineData("ml.g4ad.xlarge", "not a GPU family the CUDA x86_64 inference images run on")]
    [InlineData("ml.p2.xlarge", "not a GPU family the CUDA x86_64 inference images run on")]
    [InlineData("g5.xlarge", "of the form 'ml.<family>.<size>'")]
    [InlineData("", "of the form 'ml.<family>.<size>'")]
    public void Unsupported_instance_type_is_refused_with_the_reason(string instance, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceInferenceImage.Uri("4.36.0", "2.1.0", "py310", instance, "eu-west-1"));
        Assert.Equal("instanceType", ex.ParamName);
        Assert.StartsWith("Invalid Hugging Face PyTorch inference image request:", ex.Message);
        Assert.Contains($"instanceType '{instance}'", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Unknown_region_lists_the_nearest_supported_regions()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceInferenceImage.Uri("4.36.0", "2.1.0", "py310", "ml.g5.xlarge", "us-east-7"));
        Assert.Equal("region", ex.ParamName);
        Assert.Contains("region 'us-east-7' hosts no Hugging Face PyTorch inference DLC", ex.Message);
        Assert.Contains("nearest: us-east-1, us-east-2", ex.Message);
        // The TGI table has regions the Hugging Face inference table lacks.
        Assert.Contains("region 'ap-southeast-7'", Assert.Throws<ArgumentException>(
            () => HuggingFaceInferenceImage.Uri("4.36.0", "2.1.0", "py310", "ml.g5.xlarge", "ap-southeast-7")).Message);
    }

    [Fact]
    public void Versions_that_are_not_a_training_dlc_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceInferenceImage.Nearest("4.37.0", "2.1.0", "py310"));
        Assert.Equal("transformersVersion", ex.ParamName);
        Assert.Contains("transformersVersion '4.37.0' with pytorchVersion '2.1.0' is not a Hugging Face PyTorch training DLC", ex.Message);
        Assert.Contains("4.36.0/2.1.0", ex.Message);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_message_and_tokens_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceInferenceImage.Uri("9.9.9", "1.0.0", "py310", "ml.inf2.xlarge", "us-east-7"));
        Assert.Contains("transformersVersion '9.9.9'", ex.Message);
        Assert.Contains("instanceType 'ml.inf2.xlarge'", ex.Message);
        Assert.Contains("use ForScope", Assert.Throws<ArgumentException>(
            () => HuggingFaceInferenceImage.Uri("4.36.0", "2.1.0", "py310", "ml.g5.xlarge", Aws.REGION)).Message);
        Assert.Contains("instanceType is an unresolved token", Assert.Throws<ArgumentException>(
            () => HuggingFaceInferenceImage.Uri("4.36.0", "2.1.0", "py310", Aws.ACCOUNT_ID, "eu-west-1")).Message);
        var notInCatalog = new HuggingFaceInferenceImageVersion("4.36.0", "2.1.0", "py310", "x", "y", []);
        Assert.Contains("is not in the inference catalog", Assert.Throws<ArgumentException>(
            () => HuggingFaceInferenceImage.Uri(notInCatalog, "ml.g5.xlarge", "eu-west-1")).Message);
    }

    [Fact]
    public void Environment_agnostic_stack_gets_a_region_mapping_and_a_concrete_one_the_literal()
    {
        var agnostic = new Stack(new App(), "Agnostic");
        var uri = HuggingFaceInferenceImage.ForScope(agnostic, "4.36.0", "2.1.0", "py310", "ml.g5.xlarge");
        _ = new CfnOutput(agnostic, "Image", new CfnOutputProps { Value = uri });
        var template = Template.FromStack(agnostic);
        template.HasMapping(HuggingFaceInferenceImage.RegistryMappingId, new Dictionary<string, object>
        {
            ["us-isob-east-1"] = new Dictionary<string, object> { ["account"] = "094389454867", ["domain"] = "sc2s.sgov.gov" },
            ["cn-north-1"] = new Dictionary<string, object> { ["account"] = "727897471807", ["domain"] = "amazonaws.com.cn" },
            ["af-south-1"] = new Dictionary<string, object> { ["account"] = "626614931356", ["domain"] = "amazonaws.com" },
        });
        var json = System.Text.Json.JsonSerializer.Serialize(template.ToJSON());
        Assert.Contains("2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04", json);
        Assert.Contains("\"Fn::FindInMap\":[\"HuggingFaceInferenceDlcRegistry\",{\"Ref\":\"AWS::Region\"},\"account\"]", json);

        var concrete = new Stack(new App(), "Concrete", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "ap-east-1" } });
        Assert.Equal("871362719292.dkr.ecr.ap-east-1.amazonaws.com/" + Repo + ":2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04",
            HuggingFaceInferenceImage.ForScope(concrete, "4.36.0", "2.1.0", "py310", "ml.m5.large"));
        Assert.Null(concrete.Node.TryFindChild(HuggingFaceInferenceImage.RegistryMappingId));
    }

    [Fact]
    public void Supported_versions_and_regions_expose_the_sdk_table()
    {
        Assert.Equal(13, HuggingFaceInferenceImage.SupportedVersions.Count); // v2.257.6 huggingface.json, inference, pytorch entries
        Assert.Equal(35, HuggingFaceInferenceImage.SupportedRegions.Count);
        var v = Assert.Single(HuggingFaceInferenceImage.SupportedVersions, x => x.TransformersVersion == "4.37.0");
        Assert.Equal(("2.1.0", "py310", "cu118-ubuntu20.04", "ubuntu22.04"), (v.PytorchVersion, v.PythonVersion, v.GpuContainerVersion, v.CpuContainerVersion));
        Assert.Equal("fc582aaa46faf7b7e16ab1e13840869712174cd0", HuggingFaceInferenceImage.CatalogSourceCommit); // tag v2.257.6
    }
}
