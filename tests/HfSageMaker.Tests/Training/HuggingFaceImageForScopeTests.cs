using Amazon.CDK;
using Amazon.CDK.Assertions;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>Synthesizes one environment-agnostic and one concrete stack, once for the class.</summary>
public sealed class HuggingFaceImageForScopeFixture
{
    public HuggingFaceImageForScopeFixture()
    {
        Agnostic = new Stack(new App(), "Agnostic");
        AgnosticUri = HuggingFaceImage.ForScope(Agnostic, "4.26", "1.13", "py39", "ml.g5.2xlarge");
        SecondAgnosticUri = HuggingFaceImage.ForScope(Agnostic, "4.17.0", "1.10.2", "py38", "ml.p3.2xlarge");
        _ = new CfnOutput(Agnostic, "Image", new CfnOutputProps { Value = AgnosticUri });
        _ = new CfnOutput(Agnostic, "Image2", new CfnOutputProps { Value = SecondAgnosticUri });
        AgnosticTemplate = Template.FromStack(Agnostic);

        Concrete = new Stack(new App(), "Concrete", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "cn-northwest-1" } });
        ConcreteUri = HuggingFaceImage.ForScope(Concrete, "4.46.1", "2.3.0", "py311", "ml.g5.2xlarge");
        ConcreteTemplate = Template.FromStack(Concrete);
    }

    public Stack Agnostic { get; }
    public string AgnosticUri { get; }
    public string SecondAgnosticUri { get; }
    public Template AgnosticTemplate { get; }
    public Stack Concrete { get; }
    public string ConcreteUri { get; }
    public Template ConcreteTemplate { get; }
}

public class HuggingFaceImageForScopeTests(HuggingFaceImageForScopeFixture fixture) : IClassFixture<HuggingFaceImageForScopeFixture>
{
    [Fact]
    public void Concrete_region_gets_the_literal_uri_and_no_mapping()
    {
        Assert.Equal("727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/huggingface-pytorch-training:2.3.0-transformers4.46.1-gpu-py311-cu121-ubuntu20.04",
            fixture.ConcreteUri);
        Assert.Empty(fixture.ConcreteTemplate.FindMappings("*"));
    }

    [Fact]
    public void Agnostic_stack_gets_one_registry_mapping_with_account_and_domain_per_region()
    {
        var mappings = fixture.AgnosticTemplate.FindMappings("*");
        Assert.Single(mappings);
        fixture.AgnosticTemplate.HasMapping("HuggingFaceDlcRegistry", new Dictionary<string, object>
        {
            ["us-east-1"] = new Dictionary<string, object> { ["account"] = "763104351884", ["domain"] = "amazonaws.com" },
            ["ap-east-1"] = new Dictionary<string, object> { ["account"] = "871362719292", ["domain"] = "amazonaws.com" },
            ["me-south-1"] = new Dictionary<string, object> { ["account"] = "217643126080", ["domain"] = "amazonaws.com" },
            ["cn-north-1"] = new Dictionary<string, object> { ["account"] = "727897471807", ["domain"] = "amazonaws.com.cn" },
            ["us-gov-west-1"] = new Dictionary<string, object> { ["account"] = "442386744353", ["domain"] = "amazonaws.com" },
            ["us-iso-east-1"] = new Dictionary<string, object> { ["account"] = "886529160074", ["domain"] = "c2s.ic.gov" },
            ["us-isob-east-1"] = new Dictionary<string, object> { ["account"] = "094389454867", ["domain"] = "sc2s.sgov.gov" },
        });
    }

    [Fact]
    public void Agnostic_uri_joins_the_mapped_account_and_domain_with_the_stack_region()
    {
        var region = new Dictionary<string, object> { ["Ref"] = "AWS::Region" };
        object FindInMap(string key) => new Dictionary<string, object> { ["Fn::FindInMap"] = new object[] { "HuggingFaceDlcRegistry", region, key } };
        fixture.AgnosticTemplate.HasOutput("Image", new Dictionary<string, object>
        {
            ["Value"] = new Dictionary<string, object>
            {
                ["Fn::Join"] = new object[]
                {
                    "",
                    new object[]
                    {
                        FindInMap("account"), ".dkr.ecr.", region, ".", FindInMap("domain"),
                        // image_uris.py retrieve (v2.257.6, lines 247 and 276): short versions stay short in the tag.
                        "/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04",
                    },
                },
            },
        });
        fixture.AgnosticTemplate.HasOutput("Image2", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Value"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Fn::Join"] = Match.ArrayWith([Match.ArrayWith(["/huggingface-pytorch-training:1.10.2-transformers4.17.0-gpu-py38-cu113-ubuntu20.04"])]),
            }),
        }));
    }

    [Fact]
    public void Agnostic_stack_warns_about_regions_that_do_not_host_the_image()
    {
        var annotations = Amazon.CDK.Assertions.Annotations.FromStack(fixture.Agnostic);
        annotations.HasWarning("/Agnostic", Match.StringLikeRegexp(
            "1\\.13-transformers4\\.26-gpu-py39-cu117-ubuntu20\\.04 is not published in ap-south-2, ap-southeast-4, eu-central-2, eu-south-2"));
    }

    [Fact]
    public void Agnostic_stack_still_validates_versions_and_instance_type_eagerly()
    {
        var stack = new Stack(new App(), "Other");
        var ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.ForScope(stack, "4.26.0", "1.13.1", "py39", "ml.c5.xlarge"));
        Assert.Contains("GPU-only", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => HuggingFaceImage.ForScope(stack, "4.99.0", "1.13.1", "py39", "ml.g5.xlarge"));
        Assert.Contains("transformersVersion '4.99.0'", ex.Message);
        Assert.Null(stack.Node.TryFindChild(HuggingFaceImage.RegistryMappingId));
    }
}
