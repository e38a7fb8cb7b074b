using System.Text.Json;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using Xunit;
using static HfSageMaker.Tests.Training.TrainingFixtures;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// One definition of instance-type facts (<see cref="InstanceTypeCatalog"/>, generated from the botocore model, the
/// SDK and AWS documentation): the image catalog, the request builder and the environment loader agree on the GPU
/// training types and refuse with the same explanation; the volume-key rule reads the storage facts.
/// </summary>
public class InstanceTypeCatalogTests
{
    private static readonly string Root = RepositoryLocator.FindRoot()!;

    // p2: Kepler (no CUDA 11/12 build); g4ad: AMD GPU; g5g: Graviton; m5: CPU; trn1: Neuron.
    [Theory]
    [InlineData("ml.p2.xlarge", "p2")]
    [InlineData("ml.g4ad.xlarge", "g4ad")]
    [InlineData("ml.g5g.xlarge", "g5g")]
    [InlineData("ml.m5.xlarge", "m5")]
    [InlineData("ml.trn1.32xlarge", "trn1")]
    public void A_type_the_catalog_refuses_is_refused_by_the_image_catalog_and_the_builder_with_the_same_explanation(string type, string family)
    {
        var why = InstanceTypeCatalog.ExplainNotGpuTraining(type);
        Assert.NotNull(why);
        Assert.StartsWith($"'{type}' (family '{family}') is not a GPU training instance type", why);

        var catalog = Assert.Throws<ArgumentException>(() => HuggingFaceImage.Uri("4.36.0", "2.1.0", "py310", type, "eu-west-1"));
        Assert.Contains($"instanceType {why}", catalog.Message);

        var build = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(Definition(type), Resources(), "job"));
        Assert.Contains($"InstanceType: {why}", build.Message);
    }

    [Fact]
    public void A_size_the_api_does_not_list_is_refused_naming_the_sizes_of_its_family()
    {
        var why = InstanceTypeCatalog.ExplainNotGpuTraining("ml.g5.96xlarge");
        Assert.Equal("'ml.g5.96xlarge' is not a SageMaker training size of the g5 family; allowed ml.g5.xlarge, ml.g5.2xlarge, ml.g5.4xlarge, "
            + "ml.g5.8xlarge, ml.g5.12xlarge, ml.g5.16xlarge, ml.g5.24xlarge, ml.g5.48xlarge.", why);
        Assert.StartsWith("'g5' is not a SageMaker instance type of the form 'ml.<family>.<size>'", InstanceTypeCatalog.ExplainNotGpuTraining("g5"));
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
        Assert.True(InstanceTypeCatalog.IsGpuTrainingType(type));
        Assert.Null(InstanceTypeCatalog.ExplainNotGpuTraining(type));
        var request = TrainingRequestBuilder.CreateTrainingJob(Definition(type), Resources(), "job");
        Assert.Equal(type, request["ResourceConfig"]!["InstanceType"]!.GetValue<string>());
    }

    [Fact]
    public void The_gpu_training_families_are_the_image_catalogs_and_the_message_examples_are_gpu_training_types()
    {
        Assert.Same(InstanceTypeCatalog.GpuTrainingFamilies, HuggingFaceImage.GpuInstanceFamilies);
        Assert.Equal(["g4dn", "g5", "g6", "g6e", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200"], InstanceTypeCatalog.GpuTrainingFamilies);
        Assert.Equal(41, InstanceTypeCatalog.GpuTrainingTypes.Count);
        Assert.All(InstanceTypeCatalog.Examples, t => Assert.True(InstanceTypeCatalog.IsGpuTrainingType(t), t));
    }

    [Fact]
    public void Every_name_of_the_vendored_api_model_is_in_the_catalog_with_its_enums()
    {
        foreach (var (api, shape) in new[] { ("training", "TrainingInstanceType"), ("realtime", "ProductionVariantInstanceType"), ("transform", "TransformInstanceType") })
        {
            var names = SageMakerApiModel.Shape(shape).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.All(names, n => Assert.Contains(api, InstanceTypeCatalog.Find(n)!.Apis));
            Assert.Equal(names.Order(StringComparer.Ordinal), InstanceTypeCatalog.All.Where(f => f.Apis.Contains(api)).Select(f => f.Name).Order(StringComparer.Ordinal));
        }
    }

    // Expected values: AWS lists local NVMe instance storage for these types (the EC2 instance store tables cited in
    // scripts/catalog-sources/aws-instance-facts.json), and SageMaker takes no VolumeKmsKeyId on them (botocore
    // ResourceConfig.VolumeKmsKeyId); the SDK's instance_supports_kms (v2.257.6 utils.py lines 1603-1645) agrees on every
    // row but ml.p6-b200.48xlarge, a family it does not know.
    [Theory]
    [InlineData("ml.m5.xlarge", true)]
    [InlineData("ml.p3.2xlarge", true)]
    [InlineData("ml.c5.xlarge", true)]
    [InlineData("ml.g4dn.xlarge", false)]
    [InlineData("ml.p3dn.24xlarge", false)]
    [InlineData("ml.p4d.24xlarge", false)]
    [InlineData("ml.g5.xlarge", false)]
    [InlineData("ml.g6.2xlarge", false)]
    [InlineData("ml.p5.48xlarge", false)]
    [InlineData("ml.trn1.32xlarge", false)]
    [InlineData("ml.p6-b200.48xlarge", false)]
    public void AcceptsVolumeKmsKey_FollowsTheStorageFacts(string instanceType, bool expected) =>
        Assert.Equal(expected, InstanceTypeCatalog.AcceptsVolumeKmsKey(instanceType));

    [Fact]
    public void A_type_without_storage_facts_has_no_volume_key_answer()
    {
        Assert.Null(InstanceTypeCatalog.Find("ml.g7e.2xlarge")!.LocalStorage);
        var ex = Assert.Throws<ArgumentException>(() => InstanceTypeCatalog.AcceptsVolumeKmsKey("ml.g7e.2xlarge"));
        Assert.Contains("'ml.g7e.2xlarge' has no storage facts in the instance-type catalog", ex.Message, StringComparison.Ordinal);
        Assert.Contains("instance_supports_kms", InstanceTypeCatalog.Find("ml.p6-b200.48xlarge")!.SdkDisagrees, StringComparison.Ordinal);
    }

    [Fact]
    public void Smddp_and_the_sdks_p5_refusal_come_from_the_catalog()
    {
        Assert.Equal(["ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge"], InstanceTypeCatalog.SmdDataParallelTypes);
        Assert.True(InstanceTypeCatalog.Find("ml.p5.48xlarge")!.SmdistributedRefused);
        Assert.False(InstanceTypeCatalog.Find("ml.p5e.48xlarge")!.SmdistributedRefused);
    }
}
