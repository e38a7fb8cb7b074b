using HfSageMaker.Constructs.Training;
using Xunit;
using static HfSageMaker.Tests.Training.TrainingFixtures;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// One definition of "a GPU training instance type": the image catalog, the request builder (at synthesis and for
/// run-time overrides) and the environment loader agree, and refuse with the same explanation.
/// </summary>
public class GpuInstanceTypesTests
{
    // p2: Kepler (no CUDA 11/12 build); g4ad: AMD GPU; g5g: Graviton; m5: CPU; trn1: Neuron.
    [Theory]
    [InlineData("ml.p2.xlarge", "p2")]
    [InlineData("ml.g4ad.xlarge", "g4ad")]
    [InlineData("ml.g5g.xlarge", "g5g")]
    [InlineData("ml.m5.xlarge", "m5")]
    [InlineData("ml.trn1.32xlarge", "trn1")]
    public void A_type_the_catalog_refuses_is_refused_by_the_builder_with_the_same_explanation(string type, string family)
    {
        var why = GpuInstanceTypes.Explain(type);
        Assert.NotNull(why);
        Assert.StartsWith($"'{type}' (family '{family}') is not a GPU training instance type", why);

        var catalog = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.36.0", "2.1.0", "py310", type, "eu-west-1"));
        Assert.Contains($"instanceType {why}", catalog.Message);

        var build = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(Definition(type), Resources(), "job"));
        Assert.Contains($"InstanceType: {why}", build.Message);

        var valid = TrainingRequestBuilder.CreateTrainingJob(Definition(), Resources(), "job");
        var overridden = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.WithInstanceType(valid, type));
        Assert.Contains($"instanceType: {why}", overridden.Message);
    }

    [Theory]
    [InlineData("ml.g4dn.xlarge")]
    [InlineData("ml.g5.48xlarge")]
    [InlineData("ml.g6e.12xlarge")]
    [InlineData("ml.p3.2xlarge")]
    [InlineData("ml.p4de.24xlarge")]
    [InlineData("ml.p5en.48xlarge")]
    [InlineData("ml.p6-b200.48xlarge")]
    public void A_type_the_catalog_accepts_is_accepted_by_the_builder(string type)
    {
        Assert.True(GpuInstanceTypes.IsSupported(type));
        Assert.Null(GpuInstanceTypes.Explain(type));
        var request = TrainingRequestBuilder.CreateTrainingJob(Definition(type), Resources(), "job");
        Assert.Equal(type, request["ResourceConfig"]!["InstanceType"]!.GetValue<string>());
        Assert.Equal(type, TrainingRequestBuilder.WithInstanceType(request, type)["ResourceConfig"]!["InstanceType"]!.GetValue<string>());
    }

    [Fact]
    public void The_catalog_families_are_the_shared_list()
    {
        Assert.Same(GpuInstanceTypes.Families, HuggingFaceImage.GpuInstanceFamilies);
        // Written from the SDK's image_uri_config/instance_gpu_info.json families plus the newer SageMaker GPU families.
        Assert.Equal(["g4dn", "g5", "g6", "g6e", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200"], GpuInstanceTypes.Families);
    }

    [Fact]
    public void Every_type_an_environment_may_allow_is_a_gpu_type_of_the_constructs()
    {
        Assert.All(HfSageMaker.Infra.Configuration.TrainingInstanceTypes.All, t => Assert.True(GpuInstanceTypes.IsSupported(t), t));
        Assert.Equal(GpuInstanceTypes.Families.Order(), HfSageMaker.Infra.Configuration.TrainingInstanceTypes.GpuFamilies.Order());
        Assert.False(HfSageMaker.Infra.Configuration.TrainingInstanceTypes.IsSupported("ml.p2.xlarge"));
    }
}
