using Amazon.CDK;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// Catalog resolution for concrete regions. Every expected URI below is written by hand from the SageMaker Python SDK's
/// huggingface.json (training scope) and its documented example; none is produced by the code under test.
/// </summary>
public class HuggingFaceImageTests
{
    private const string Repo = "huggingface-pytorch-training";

    [Theory]
    // The SDK documentation's example image.
    [InlineData("4.26.0", "1.13.1", "py39", "ml.g5.2xlarge", "us-east-1",
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/" + Repo + ":1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04")]
    [InlineData("4.26.0", "1.13.1", "py39", "ml.p3.2xlarge", "eu-west-1",
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/" + Repo + ":1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04")]
    // Opt-in regions with their own registry accounts.
    [InlineData("4.28.1", "2.0.0", "py310", "ml.g5.xlarge", "ap-east-1",
        "871362719292.dkr.ecr.ap-east-1.amazonaws.com/" + Repo + ":2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04")]
    [InlineData("4.36.0", "2.1.0", "py310", "ml.p4d.24xlarge", "me-south-1",
        "217643126080.dkr.ecr.me-south-1.amazonaws.com/" + Repo + ":2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04")]
    [InlineData("4.48.0", "2.3.0", "py311", "ml.g5.12xlarge", "me-central-1",
        "914824155844.dkr.ecr.me-central-1.amazonaws.com/" + Repo + ":2.3.0-transformers4.48.0-gpu-py311-cu121-ubuntu20.04")]
    [InlineData("4.17.0", "1.10.2", "py38", "ml.p3.16xlarge", "eu-south-2",
        "503227376785.dkr.ecr.eu-south-2.amazonaws.com/" + Repo + ":1.10.2-transformers4.17.0-gpu-py38-cu113-ubuntu20.04")]
    [InlineData("4.6.1", "1.8.1", "py36", "ml.p3.2xlarge", "ap-northeast-3",
        "364406365360.dkr.ecr.ap-northeast-3.amazonaws.com/" + Repo + ":1.8.1-transformers4.6.1-gpu-py36-cu111-ubuntu18.04")]
    [InlineData("4.11.0", "1.9.0", "py38", "ml.g4dn.xlarge", "ap-southeast-3",
        "907027046896.dkr.ecr.ap-southeast-3.amazonaws.com/" + Repo + ":1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04")]
    // huggingface.json names no container_version for transformers 4.4.2 / 4.5.0 (PyTorch 1.6.0): image_uris.py
    // get_training_image_uri (v2.257.6, line 694) starts from "cu110-ubuntu18.04" and retrieve keeps it (line 230).
    [InlineData("4.4.2", "1.6.0", "py36", "ml.p3.2xlarge", "ca-west-1",
        "204538143572.dkr.ecr.ca-west-1.amazonaws.com/" + Repo + ":1.6.0-transformers4.4.2-gpu-py36-cu110-ubuntu18.04")]
    [InlineData("4.5.0", "1.6.0", "py36", "ml.p3.2xlarge", "us-east-1",
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/" + Repo + ":1.6.0-transformers4.5.0-gpu-py36-cu110-ubuntu18.04")]
    // China: another account and the amazonaws.com.cn domain.
    [InlineData("4.46.1", "2.3.0", "py311", "ml.g6.xlarge", "cn-north-1",
        "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/" + Repo + ":2.3.0-transformers4.46.1-gpu-py311-cu121-ubuntu20.04")]
    [InlineData("4.12.3", "1.9.1", "py38", "ml.p3.8xlarge", "cn-northwest-1",
        "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/" + Repo + ":1.9.1-transformers4.12.3-gpu-py38-cu111-ubuntu20.04")]
    // GovCloud.
    [InlineData("4.49.0", "2.5.1", "py311", "ml.p5.48xlarge", "us-gov-west-1",
        "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/" + Repo + ":2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04")]
    [InlineData("4.36.0", "2.1.0", "py310", "ml.g5.2xlarge", "us-gov-east-1",
        "446045086412.dkr.ecr.us-gov-east-1.amazonaws.com/" + Repo + ":2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04")]
    // ISO partitions.
    [InlineData("4.55.0", "2.7.1", "py312", "ml.g6e.2xlarge", "us-iso-east-1",
        "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/" + Repo + ":2.7.1-transformers4.55.0-gpu-py312-cu128-ubuntu22.04")]
    [InlineData("4.56.2", "2.8.0", "py312", "ml.p5e.48xlarge", "us-isob-east-1",
        "094389454867.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/" + Repo + ":2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04")]
    public void Supported_combination_resolves_to_the_sdk_image_uri(string transformers, string pytorch, string py, string instance, string region, string expected)
    {
        Assert.Equal(expected, HuggingFaceImage.Uri(transformers, pytorch, py, instance, region));
    }

    // image_uris.py retrieve (v2.257.6): the aliases select the catalog entry (lines 205-210), but the tag keeps the
    // versions as given: "_version = original_version" (line 247) and pt_or_tf_version from pytorch_version (line 244),
    // joined by tag_prefix (line 276) and _format_tag (line 645).
    [Theory]
    [InlineData("4.26", "1.13", "py39", "cu117-ubuntu20.04")]
    [InlineData("4.10", "1.9", "py38", "cu111-ubuntu20.04")]
    [InlineData("4.10", "1.8", "py36", "cu110-ubuntu18.04")]
    [InlineData("4.12", "1.9", "py38", "cu111-ubuntu20.04")]
    [InlineData("4.56", "2.8", "py312", "cu129-ubuntu22.04")]
    [InlineData("4.4", "1.6", "py36", "cu110-ubuntu18.04")]
    public void Sdk_version_aliases_select_the_entry_and_stay_short_in_the_tag(string transformers, string pytorch, string py, string cuda)
    {
        var uri = HuggingFaceImage.Uri(transformers, pytorch, py, "ml.g5.2xlarge", "us-west-2");
        Assert.Equal($"763104351884.dkr.ecr.us-west-2.amazonaws.com/{Repo}:{pytorch}-transformers{transformers}-gpu-{py}-{cuda}", uri);
    }

    [Theory]
    [InlineData("4.26", "1.13.1")]
    [InlineData("4.26.0", "1.13")]
    public void Mixing_a_short_and_a_full_version_is_rejected_as_the_sdk_does(string transformers, string pytorch)
    {
        // huggingface/estimator.py HuggingFace._validate_args (v2.257.6, line 287).
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri(transformers, pytorch, "py39", "ml.g5.2xlarge", "us-east-1"));
        Assert.Contains("mix a full and a short version", ex.Message);
        Assert.Contains($"pytorchVersion '{pytorch}'", ex.Message);
    }

    [Fact]
    public void Unknown_transformers_version_lists_the_nearest_supported_versions()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.27.0", "1.13.1", "py39", "ml.g5.2xlarge", "us-east-1"));
        Assert.Equal("transformersVersion", ex.ParamName);
        Assert.Contains("transformersVersion '4.27.0'", ex.Message);
        Assert.Contains("nearest supported: 4.26.0, 4.28.1, 4.36.0", ex.Message);
        Assert.Contains("4.56.2", ex.Message); // the full list follows
    }

    [Fact]
    public void Unsupported_pytorch_version_lists_the_versions_paired_with_the_transformers_version()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.6.1", "2.0.0", "py36", "ml.g5.2xlarge", "us-east-1"));
        Assert.Equal("pytorchVersion", ex.ParamName);
        Assert.Contains("pytorchVersion '2.0.0' is not paired with transformers 4.6.1", ex.Message);
        Assert.Contains("1.6.0 (or 1.6); 1.7.1 (or 1.7); 1.8.1 (or 1.8)", ex.Message);
    }

    [Theory]
    [InlineData("py38", "allowed: py39")]
    [InlineData("3.9", "write '3.9' as 'py39'")]
    [InlineData("", "allowed: py39")]
    public void Unsupported_python_version_lists_the_allowed_ones(string py, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.26.0", "1.13.1", py, "ml.g5.2xlarge", "us-east-1"));
        Assert.Equal("pythonVersion", ex.ParamName);
        Assert.Contains($"pythonVersion '{py}'", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("ml.m5.xlarge")]
    [InlineData("ml.c5.2xlarge")]
    [InlineData("ml.t3.medium")]
    [InlineData("ml.r5.large")]
    [InlineData("ml.inf2.xlarge")]
    [InlineData("ml.trn1.32xlarge")]
    [InlineData("ml.g4ad.xlarge")]
    [InlineData("ml.p2.xlarge")]
    public void Cpu_or_non_cuda_instance_is_rejected_as_gpu_only(string instance)
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.26.0", "1.13.1", "py39", instance, "us-east-1"));
        Assert.Equal("instanceType", ex.ParamName);
        Assert.Contains($"instanceType '{instance}'", ex.Message);
        Assert.Contains("GPU-only", ex.Message);
        Assert.Contains("ml.g5.2xlarge", ex.Message);
    }

    [Theory]
    [InlineData("g5.2xlarge")]
    [InlineData("ml.g5")]
    [InlineData("")]
    public void Malformed_instance_type_is_rejected(string instance)
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.26.0", "1.13.1", "py39", instance, "us-east-1"));
        Assert.Contains($"instanceType '{instance}' is not a SageMaker instance type of the form 'ml.<family>.<size>'", ex.Message);
    }

    [Fact]
    public void Unknown_region_lists_the_nearest_supported_regions()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.26.0", "1.13.1", "py39", "ml.g5.2xlarge", "us-east-7"));
        Assert.Equal("region", ex.ParamName);
        Assert.Contains("region 'us-east-7'", ex.Message);
        Assert.Contains("nearest: us-east-1, us-east-2", ex.Message);
    }

    [Fact]
    public void Region_without_the_chosen_image_lists_the_regions_that_host_it()
    {
        // ap-south-2 hosts the 4.17.0 image but not 4.26.0 in the SDK table.
        Assert.StartsWith("772153158452.dkr.ecr.ap-south-2.amazonaws.com/",
            HuggingFaceImage.Uri("4.17.0", "1.10.2", "py38", "ml.g5.2xlarge", "ap-south-2"));
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.26.0", "1.13.1", "py39", "ml.g5.2xlarge", "ap-south-2"));
        Assert.Contains("region 'ap-south-2' does not host transformers 4.26.0 with PyTorch 1.13.1", ex.Message);
        Assert.Contains("ap-south-1", ex.Message);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("9.9.9", "1.13.1", "py39", "ml.m5.xlarge", "us-east-1"));
        Assert.Contains("transformersVersion '9.9.9'", ex.Message);
        Assert.Contains("instanceType 'ml.m5.xlarge'", ex.Message);
    }

    [Fact]
    public void Token_region_is_rejected_by_Uri_and_token_instance_type_is_not_checked()
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.26.0", "1.13.1", "py39", "ml.g5.2xlarge", Aws.REGION));
        Assert.Contains("use ForScope", ex.Message);
        var lazyInstance = Lazy.UncachedString(new Producer());
        Assert.EndsWith(":1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04",
            HuggingFaceImage.Uri("4.26.0", "1.13.1", "py39", lazyInstance, "us-east-1"));
    }

    private sealed class Producer : Amazon.JSII.Runtime.Deputy.DeputyBase, IStringProducer
    {
        public string? Produce(IResolveContext context) => "ml.g5.2xlarge";
    }

    [Fact]
    public void Supported_versions_and_regions_expose_the_sdk_table()
    {
        var v = Assert.Single(HuggingFaceImage.SupportedVersions, x => x.TransformersVersion == "4.26.0");
        Assert.Equal("1.13.1", v.PytorchVersion);
        Assert.Equal(new[] { "py39" }, v.PythonVersions);
        Assert.Equal("cu117-ubuntu20.04", v.ContainerVersion);
        Assert.Equal(31, v.Regions.Count);
        Assert.Equal(3, HuggingFaceImage.SupportedVersions.Count(x => x.TransformersVersion == "4.6.1"));
        Assert.Equal(18, HuggingFaceImage.SupportedVersions.Count); // v2.257.6 huggingface.json, training, pytorch entries
        Assert.Equal(35, HuggingFaceImage.SupportedRegions.Count);
        foreach (var r in new[] { "us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "il-central-1", "ca-west-1" })
            Assert.Contains(r, HuggingFaceImage.SupportedRegions);
        Assert.Equal("fc582aaa46faf7b7e16ab1e13840869712174cd0", HuggingFaceImage.CatalogSourceCommit); // tag v2.257.6
    }

    [Fact]
    public void Every_catalog_row_resolves_in_every_region_it_lists()
    {
        var shape = new System.Text.RegularExpressions.Regex(
            @"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.(amazonaws\.com|amazonaws\.com\.cn|c2s\.ic\.gov|sc2s\.sgov\.gov)/huggingface-pytorch-training:\d+\.\d+\.\d+-transformers\d+\.\d+\.\d+-gpu-py3\d+-cu\d+-ubuntu\d+\.\d+$");
        var count = 0;
        foreach (var v in HuggingFaceImage.SupportedVersions)
        foreach (var py in v.PythonVersions)
        foreach (var region in v.Regions)
        {
            var uri = HuggingFaceImage.Uri(v.TransformersVersion, v.PytorchVersion, py, "ml.g5.2xlarge", region);
            Assert.Matches(shape, uri);
            Assert.Contains($".dkr.ecr.{region}.", uri);
            count++;
        }
        Assert.Equal(10 * 35 + 8 * 31, count); // transformers 4.4.2-4.17.0: 10 rows in 35 regions; 4.26.0-4.56.2: 8 rows in 31
    }

    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:1.0")]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/my-training:2024-01-01")]
    [InlineData("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov/my-training")]
    [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/my-training:latest")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-training@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Bring_your_own_ecr_image_uri_is_accepted(string uri)
    {
        Assert.Equal(uri, HuggingFaceImage.ValidateImageUri(uri));
    }

    [Theory]
    [InlineData("my-training:latest", "is not an ECR image URI")]
    [InlineData("docker.io/library/python:3.11", "is not an ECR image URI")]
    [InlineData("12345.dkr.ecr.us-east-1.amazonaws.com/x:1", "is not an ECR image URI")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/My_Repo:1", "is not an ECR image URI")]
    [InlineData("", "imageUri is empty")]
    public void Malformed_image_uri_is_rejected(string uri, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.ValidateImageUri(uri));
        Assert.Equal("imageUri", ex.ParamName);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Overlong_image_uri_is_rejected_and_tokens_are_skipped()
    {
        var longUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/" + new string('a', 220) + ":1";
        Assert.Contains("at most 255", Assert.Throws<ArgumentException>(() => HuggingFaceImage.ValidateImageUri(longUri)).Message);
        var token = Fn.Join("", ["123456789012.dkr.ecr.", Aws.REGION, ".amazonaws.com/x:1"]);
        Assert.Equal(token, HuggingFaceImage.ValidateImageUri(token));
    }
}
