using System.Text.Json;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// The tuning rules (<c>constructs/Training/Catalog/tuning-rules.json</c>, read by <see cref="TuningValidator"/> at
/// synthesis and by PrepareRequest from the policy) against the oracle that states each fact: the vendored botocore
/// SageMaker model's enums and member documentation. The Grid entry's facts are not in the model (the SDK's tuner.py
/// and the Developer Guide, cited in the table's sources); its effect on the request is checked against the SDK's
/// behaviour in <see cref="TuningRequestBuilderTests"/>.
/// </summary>
public class TuningRulesTests
{
    private static readonly JsonElement Table = LoadTable();

    [Fact]
    public void The_table_names_every_strategy_and_scaling_of_the_api_and_of_the_construct_enums()
    {
        Assert.Equal(Enum("HyperParameterTuningJobStrategyType"), Names(Table.GetProperty("strategies")));
        Assert.Equal(Enum("HyperParameterScalingType"), Names(Table.GetProperty("scaling")));
        Assert.Equal(Enum("HyperParameterTuningJobStrategyType"), System.Enum.GetNames<TuningStrategy>());
        Assert.Equal(Enum("HyperParameterScalingType"), System.Enum.GetNames<ScalingType>());
        Assert.Equal(Enum("TrainingJobEarlyStoppingType"), System.Enum.GetNames<EarlyStoppingType>());
        foreach (var strategy in System.Enum.GetValues<TuningStrategy>())
        {
            Assert.All(TuningRules.For(strategy).EarlyStopping ?? [], e => Assert.Contains(e, Enum("TrainingJobEarlyStoppingType")));
        }
    }

    [Fact]
    public void Hyperband_takes_early_stopping_off_its_strategy_config_and_infers_max_resource_as_the_api_documents()
    {
        var hyperband = TuningRules.For(TuningStrategy.Hyperband);
        Assert.Contains("TrainingJobEarlyStoppingType must be OFF to use Hyperband", Doc("HyperParameterTuningJobConfig", "TrainingJobEarlyStoppingType"));
        Assert.Equal(["Off"], hyperband.EarlyStopping);

        Assert.Contains("should be provided only if Hyperband is selected", Doc("HyperParameterTuningJobConfig", "StrategyConfig"));
        var configMembers = SageMakerApiModel.Shape("HyperParameterTuningJobStrategyConfig").GetProperty("members").EnumerateObject().Select(m => m.Name).ToList();
        Assert.Equal([hyperband.StrategyConfig!], configMembers);
        Assert.All(System.Enum.GetValues<TuningStrategy>().Where(s => s != TuningStrategy.Hyperband), s => Assert.Null(TuningRules.For(s).StrategyConfig));

        // "... attempts to infer MaxResource from the following keys (if present) ...: epochs numepochs ..."; "The
        // maximum value is 20,000 epochs."
        var maxResource = Doc("HyperbandStrategyConfig", "MaxResource");
        var listed = Regex.Matches(maxResource[maxResource.IndexOf("following keys", StringComparison.Ordinal)..maxResource.IndexOf("If HyperbandStrategyConfig", StringComparison.Ordinal)], @"\b[a-z_-]+\b")
            .Select(m => m.Value).Where(w => w.Contains("epochs", StringComparison.Ordinal)).ToList();
        Assert.Equal(listed, hyperband.MaxResourceKeys);
        Assert.Contains($"The maximum value is {hyperband.MaxResource!.Value:N0} epochs", maxResource);
    }

    [Fact]
    public void Logarithmic_and_reverse_logarithmic_scaling_take_the_ranges_the_api_documents()
    {
        var continuous = Doc("ContinuousParameterRange", "ScalingType");
        var integer = Doc("IntegerParameterRange", "ScalingType");
        Assert.Contains("Logarithmic scaling works only for ranges that have only values greater than 0", continuous);
        Assert.Contains("Logarithmic scaling works only for ranges that have only values greater than 0", integer);
        Assert.Equal(new TuningRules.Scaling(null, null, 0, null, null), TuningRules.For(ScalingType.Logarithmic));

        // Listed for continuous ranges only: "Reverse logarithmic scaling works only for ranges that are entirely within
        // the range 0<=x<1.0".
        Assert.Contains("ReverseLogarithmic", continuous);
        Assert.DoesNotContain("ReverseLogarithmic", integer);
        Assert.Contains("entirely within the range 0<=x<1.0", continuous);
        var reverse = TuningRules.For(ScalingType.ReverseLogarithmic);
        Assert.Equal([TuningRules.Continuous], reverse.RangeTypes);
        Assert.Equal((0.0, (double?)null, (double?)null, 1.0), (reverse.Minimum, reverse.ExclusiveMinimum, reverse.Maximum, reverse.ExclusiveMaximum));

        Assert.True(TuningRules.For(ScalingType.Logarithmic).Holds(1e-5, 1));
        Assert.False(TuningRules.For(ScalingType.Logarithmic).Holds(0, 1));
        Assert.True(TuningRules.For(ScalingType.ReverseLogarithmic).Holds(0, 0.999));
        Assert.False(TuningRules.For(ScalingType.ReverseLogarithmic).Holds(0.5, 1));
        Assert.Equal("Min >= 0 and Max < 1", TuningRules.For(ScalingType.ReverseLogarithmic).Bounds());
    }

    private static List<string> Enum(string shape) => [.. SageMakerApiModel.Shape(shape).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)];

    private static List<string> Names(JsonElement section) => [.. section.EnumerateObject().Select(p => p.Name)];

    /// <summary>A member's documentation without its HTML tags.</summary>
    private static string Doc(string shape, string member) =>
        Regex.Replace(SageMakerApiModel.Shape(shape).GetProperty("members").GetProperty(member).GetProperty("documentation").GetString()!, "<[^>]+>", "")
            .Replace("&lt;", "<", StringComparison.Ordinal);

    private static JsonElement LoadTable()
    {
        var root = RepositoryLocator.FindRoot()!;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "constructs", "Training", "Catalog", "tuning-rules.json")));
        return doc.RootElement.Clone();
    }
}
