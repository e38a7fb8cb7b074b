using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Training;
using Xunit;
using static HfSageMaker.Tests.Training.TrainingFixtures;

namespace HfSageMaker.Tests.Training;

/// <summary>CreateHyperParameterTuningJob requests as the SDK's HyperparameterTuner sends them for a HuggingFace estimator.</summary>
public class TuningRequestBuilderTests
{
    private static JsonObject Build(string dumpName, TuningDefinition tuning, HuggingFaceTrainingJobDefinition? def = null)
    {
        var request = TrainingRequestBuilder.CreateHyperParameterTuningJob(def ?? Definition(), tuning, Resources(), "hpo-" + dumpName);
        Dump("tuning-" + dumpName, "CreateHyperParameterTuningJob", request);
        return request;
    }

    [Fact]
    public void Bayesian_tuning_sends_ranges_like_the_sdk_and_static_hyperparameters_without_tuned_keys()
    {
        var request = Build("bayesian", new TuningDefinition
        {
            Objective = new TuningObjective("eval_loss", TuningObjectiveType.Minimize),
            Ranges =
            [
                new ContinuousRange("learning_rate", 1e-05, 0.001, ScalingType.Logarithmic),
                new IntegerRange("per_device_train_batch_size", 8, 64),
                new CategoricalRange("optimizer", "adamw_torch", "adafactor"),
                new CategoricalRange("warmup_ratio", 0.0, 0.1),
            ],
            MaxJobs = 20,
            MaxParallelJobs = 2,
            EarlyStopping = EarlyStoppingType.Auto,
        });

        var config = request["HyperParameterTuningJobConfig"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"Strategy":"Bayesian","HyperParameterTuningJobObjective":{"Type":"Minimize","MetricName":"eval_loss"},
             "ResourceLimits":{"MaxNumberOfTrainingJobs":20,"MaxParallelTrainingJobs":2},
             "ParameterRanges":{
               "ContinuousParameterRanges":[{"Name":"learning_rate","MinValue":"1e-05","MaxValue":"0.001","ScalingType":"Logarithmic"}],
               "IntegerParameterRanges":[{"Name":"per_device_train_batch_size","MinValue":"8","MaxValue":"64","ScalingType":"Auto"}],
               "CategoricalParameterRanges":[{"Name":"optimizer","Values":["\"adamw_torch\"","\"adafactor\""]},{"Name":"warmup_ratio","Values":["\"0.0\"","\"0.1\""]}]},
             "TrainingJobEarlyStoppingType":"Auto"}
            """), config), config.ToJsonString());

        var definition = request["TrainingJobDefinition"]!.AsObject();
        var statics = definition["StaticHyperParameters"]!.AsObject();
        Assert.False(statics.ContainsKey("learning_rate"));
        Assert.Equal("3", statics["epochs"]!.GetValue<string>());
        Assert.Equal("\"HuggingFace\"", statics["sagemaker_estimator_class_name"]!.GetValue<string>());
        Assert.Equal("\"sagemaker.huggingface.estimator\"", statics["sagemaker_estimator_module"]!.GetValue<string>());
        Assert.Equal("\"hpo-bayesian\"", statics["sagemaker_job_name"]!.GetValue<string>());
        Assert.Equal("hpo-bayesian", request["HyperParameterTuningJobName"]!.GetValue<string>());
        // tuner.py (v2.257.6) _TuningJob._prepare_training_config, line 2355: del training_config["resource_config"];
        // lines 2356-2362 set "hpo_resource_config" (_prepare_hp_resource_config, lines 2313-2332), which session.py
        // _map_training_config sends as "HyperParameterTuningResourceConfig" (line 3995).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"InstanceType":"ml.g5.2xlarge","InstanceCount":1,"VolumeSizeInGB":30}"""), definition["HyperParameterTuningResourceConfig"]),
            definition["HyperParameterTuningResourceConfig"]?.ToJsonString());
        Assert.False(definition.ContainsKey("ResourceConfig"));
        // tuner.py HyperparameterTuner._prepare_static_hyperparameters: estimator.hyperparameters() in order without the
        // tuned keys (learning_rate, per_device_train_batch_size, optimizer, warmup_ratio), then class name and module.
        Assert.Equal(
            ["epochs", "model_name_or_path", "fp16", "sagemaker_submit_directory", "sagemaker_program", "sagemaker_container_log_level",
                "sagemaker_job_name", "sagemaker_region", "sagemaker_estimator_class_name", "sagemaker_estimator_module"],
            statics.Select(kv => kv.Key));
        Assert.False(definition["AlgorithmSpecification"]!.AsObject().ContainsKey("EnableSageMakerMetricsTimeSeries"));
        Assert.Equal(2, definition["AlgorithmSpecification"]!["MetricDefinitions"]!.AsArray().Count);
    }

    [Fact]
    public void Grid_tuning_sends_no_maximum_job_count()
    {
        var request = Build("grid", new TuningDefinition
        {
            Strategy = TuningStrategy.Grid,
            Objective = new TuningObjective("eval_accuracy", TuningObjectiveType.Maximize),
            Ranges = [new CategoricalRange("learning_rate", 2e-05, 3e-05, 5e-05), new CategoricalRange("epochs", 2, 3)],
            MaxParallelJobs = 3,
        });

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"MaxParallelTrainingJobs":3}"""), request["HyperParameterTuningJobConfig"]!["ResourceLimits"]));
        // parameter.py CategoricalParameter: str() then json.dumps (lines 116, 148).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["\"2e-05\"","\"3e-05\"","\"5e-05\""]"""),
            request["HyperParameterTuningJobConfig"]!["ParameterRanges"]!["CategoricalParameterRanges"]![0]!["Values"]));
        Assert.False(request["TrainingJobDefinition"]!["StaticHyperParameters"]!.AsObject().ContainsKey("epochs"));
    }

    [Fact]
    public void Hyperband_tuning_with_spot_isolation_and_distribution_validates()
    {
        var def = TrainingRequestBuilderTests.Variant(isolated: true, spot: new SpotTrainingOptions());
        var request = Build("hyperband", new TuningDefinition
        {
            Strategy = TuningStrategy.Hyperband,
            Objective = new TuningObjective("eval_accuracy", TuningObjectiveType.Maximize),
            Ranges = [new ContinuousRange("weight_decay", 0.0, 0.3), new ContinuousRange("adam_beta2", 0.9, 0.999, ScalingType.ReverseLogarithmic)],
            MaxJobs = 30,
            MaxParallelJobs = 4,
        }, def);

        var definition = request["TrainingJobDefinition"]!;
        Assert.Equal("Hyperband", request["HyperParameterTuningJobConfig"]!["Strategy"]!.GetValue<string>());
        Assert.Equal("Off", request["HyperParameterTuningJobConfig"]!["TrainingJobEarlyStoppingType"]!.GetValue<string>());
        Assert.True(definition["EnableManagedSpotTraining"]!.GetValue<bool>());
        Assert.Equal("code", definition["InputDataConfig"]!.AsArray().Last()!["ChannelName"]!.GetValue<string>());
        Assert.Equal("1", definition["Environment"]!["HF_HUB_OFFLINE"]!.GetValue<string>());
        Assert.Equal("0.999", request["HyperParameterTuningJobConfig"]!["ParameterRanges"]!["ContinuousParameterRanges"]![1]!["MaxValue"]!.GetValue<string>());
        Assert.Equal("0.0", request["HyperParameterTuningJobConfig"]!["ParameterRanges"]!["ContinuousParameterRanges"]![0]!["MinValue"]!.GetValue<string>());
    }
}
