using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;
using Xunit;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>
/// The llm-sft recipe's requests: what the SDK's <c>HuggingFace</c> estimator and <c>HyperparameterTuner</c> would send
/// for the recipe contract (README, "The LLM fine-tuning recipe"). The requests are written to
/// <c>$HF_TEST_RESULTS/requests/llm-sft-{train,tune}.json</c>, where the Node tests validate them against the SageMaker
/// API model and the Python tests against the script's metric definitions.
/// </summary>
public sealed class LlmSftRecipeTests(LlmSftPipelineFixture fixture) : IClassFixture<LlmSftPipelineFixture>
{
    private static JsonObject Written(string name)
    {
        var path = Path.Combine(RecipePipelineFixture.ResultsDirectory, "requests", name);
        return JsonNode.Parse(File.ReadAllText(path))!["request"]!.AsObject();
    }

    [Fact]
    public void TrainingRequest_SendsTheContractsHyperparameters_EncodedAsTheSdkDoes()
    {
        var hyperparameters = Written("llm-sft-train.json")["HyperParameters"]!.AsObject();

        // json.dumps of each contract default (the SDK's HuggingFace estimator encodes every value with json.dumps):
        var expected = new Dictionary<string, string>
        {
            ["model_name_or_path"] = "\"meta-llama/Llama-3.1-8B-Instruct\"",
            ["max_seq_length"] = "2048",
            ["packing"] = "false",
            ["attn_implementation"] = "\"auto\"",
            ["num_train_epochs"] = "1.0",
            ["max_steps"] = "-1",
            ["learning_rate"] = "0.0002",
            ["lr_scheduler_type"] = "\"cosine\"",
            ["warmup_ratio"] = "0.03",
            ["weight_decay"] = "0.0",
            ["per_device_train_batch_size"] = "2",
            ["per_device_eval_batch_size"] = "2",
            ["gradient_accumulation_steps"] = "8",
            ["gradient_checkpointing"] = "true",
            ["lora_r"] = "16",
            ["lora_alpha"] = "32",
            ["lora_dropout"] = "0.05",
            ["lora_target_modules"] = "\"all-linear\"",
            ["load_in_4bit"] = "false",
            ["bf16"] = "\"auto\"",
            ["merge_adapter"] = "false",
            ["eval_steps"] = "null",
            ["save_steps"] = "200",
            ["logging_steps"] = "10",
            ["seed"] = "42",
            ["max_train_samples"] = "null",
            ["max_eval_samples"] = "null",
            ["offline"] = "true",
        };
        foreach (var (key, value) in expected)
        {
            Assert.True(hyperparameters.ContainsKey(key), $"{key} is not sent");
            Assert.Equal(value, hyperparameters[key]!.GetValue<string>());
        }

        var recipeKeys = hyperparameters.Select(kv => kv.Key).Where(k => !k.StartsWith("sagemaker_", StringComparison.Ordinal));
        Assert.Equal(expected.Keys.Order(), recipeKeys.Order());
        Assert.Equal("\"train.py\"", hyperparameters["sagemaker_program"]!.GetValue<string>());
    }

    [Fact]
    public void TrainingRequest_ReadsTrainValidationAndModel_OnTheRecipesDlc_IsolatedAndTagged()
    {
        var request = Written("llm-sft-train.json");

        var channels = request["InputDataConfig"]!.AsArray().Select(c => c!["ChannelName"]!.GetValue<string>()).ToList();
        Assert.Equal(["train", "validation", "model", "code"], channels);
        var uris = request["InputDataConfig"]!.AsArray().ToDictionary(c => c!["ChannelName"]!.GetValue<string>(), c => c!["DataSource"]!["S3DataSource"]!["S3Uri"]!.GetValue<string>());
        Assert.Equal("s3://hf-datasets-111122223333-eu-west-1/llm-sft/instructions/train/", uris["train"]);
        Assert.Equal("s3://hf-datasets-111122223333-eu-west-1/models/llama-3.1-8b-instruct/", uris["model"]);
        Assert.Equal("763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04",
            request["AlgorithmSpecification"]!["TrainingImage"]!.GetValue<string>());
        Assert.True(request["EnableNetworkIsolation"]!.GetValue<bool>());
        Assert.Equal("hf-llmsft-example", request["TrainingJobName"]!.GetValue<string>());
        Assert.StartsWith("s3://hf-artifacts-111122223333-eu-west-1/hf-llmsft/", request["OutputDataConfig"]!["S3OutputPath"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(request["Tags"]!.AsArray(), t => t!["Key"]!.GetValue<string>() == "recipe" && t["Value"]!.GetValue<string>() == "llm-sft");
    }

    [Fact]
    public void MetricDefinitions_AreTheScriptsFile_WithTheContractsNames()
    {
        var request = Written("llm-sft-train.json");
        var names = request["AlgorithmSpecification"]!["MetricDefinitions"]!.AsArray().Select(m => m!["Name"]!.GetValue<string>());
        // The script's file, read here independently of the recipe loader (the Python contract test pins its names).
        var file = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(
            Path.Combine(PipelineFixture.RepositoryRoot, "training-scripts", "llm-sft", "metric_definitions.json")))!.AsArray();
        var declared = file.Select(m => m!["Name"]!.GetValue<string>()).ToArray();
        Assert.Equal(declared, names);
        Assert.Contains("merged_eval_loss", declared);
        Assert.Equal(declared.Where(n => n != "epoch"), fixture.Pipeline.MetricNames.Where(n => n != "epoch"));
    }

    [Fact]
    public void TuningRequest_MinimizesEvalLoss_OverLearningRateAndLoraRank()
    {
        var tune = Written("llm-sft-tune.json");
        var config = tune["HyperParameterTuningJobConfig"]!;

        Assert.Equal("""{"Type":"Minimize","MetricName":"eval_loss"}""", config["HyperParameterTuningJobObjective"]!.ToJsonString());
        var ranges = config["ParameterRanges"]!;
        Assert.Equal("""[{"Name":"learning_rate","MinValue":"1e-05","MaxValue":"0.0005","ScalingType":"Logarithmic"}]""", ranges["ContinuousParameterRanges"]!.ToJsonString());
        // The SDK's CategoricalParameter keeps each value as a string (src/sagemaker/parameter.py:116 at v2.257.6,
        // to_string) and a framework estimator's tuner sends as_json_range: json.dumps of that string (:148), so 8 -> "\"8\"".
        var values = ranges["CategoricalParameterRanges"]![0]!["Values"]!.AsArray().Select(v => v!.GetValue<string>());
        Assert.Equal(["\"8\"", "\"16\"", "\"32\"", "\"64\""], values);
        Assert.Equal("lora_r", ranges["CategoricalParameterRanges"]![0]!["Name"]!.GetValue<string>());
        var statics = tune["TrainingJobDefinition"]!["StaticHyperParameters"]!.AsObject();
        Assert.False(statics.ContainsKey("learning_rate"));
        Assert.False(statics.ContainsKey("lora_r"));
        Assert.Equal("\"HuggingFace\"", statics["sagemaker_estimator_class_name"]!.GetValue<string>());
    }

    [Fact]
    public void Torchrun_IsUsedExactlyWhenARunMayUseMoreThanOneGpu()
    {
        TrainingConfig Guardrails(string[] types, int count) => LlmSftPipelineFixture.Training with { AllowedInstanceTypes = types, DefaultInstanceType = types[0], MaxInstanceCount = count };

        Assert.Null(RecipeRegistry.Get("llm-sft").Distribution(Guardrails(["ml.g5.2xlarge", "ml.g5.4xlarge"], 1)));
        Assert.IsType<DistributionConfig.Torchrun>(RecipeRegistry.Get("llm-sft").Distribution(Guardrails(["ml.g5.2xlarge"], 2)));
        Assert.IsType<DistributionConfig.Torchrun>(RecipeRegistry.Get("llm-sft").Distribution(Guardrails(["ml.g5.2xlarge", "ml.g5.12xlarge"], 1)));
        // The fixture allows ml.g5.12xlarge (4 GPUs): the request carries the SDK's torch_distributed keys.
        var hyperparameters = Written("llm-sft-train.json")["HyperParameters"]!.AsObject();
        Assert.Equal("true", hyperparameters["sagemaker_torch_distributed_enabled"]!.GetValue<string>());
        Assert.Equal("\"ml.g5.2xlarge\"", hyperparameters["sagemaker_instance_type"]!.GetValue<string>());
    }

    [Fact]
    public void StateMachine_IsScopedToTheRecipesPrefix_AndWrittenForTheLocalExecutions()
    {
        Assert.Equal("hf-llmsft", fixture.Pipeline.JobNamePrefix);
        var template = Path.Combine(RecipePipelineFixture.ResultsDirectory, "state-machines", "llm-sft-pipeline.template.json");
        Assert.Contains("LlmSftPipeline", File.ReadAllText(template), StringComparison.Ordinal);
    }
}
