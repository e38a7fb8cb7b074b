using System.Text.Json.Nodes;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;
using HfSageMaker.Tests.Orchestration;
using Xunit;
using static HfSageMaker.Tests.Training.HuggingFaceInferenceImageTests;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// Each recipe's training and tuning requests (<see cref="RecipePipelineFixture.LiteralRequests"/>) against what the
/// real SageMaker Python SDK v2.257.6 sent for the same settings: <c>tests/fixtures/sdk-captured/&lt;recipe&gt;-{train,tune}.json</c>,
/// captured by <c>scripts/capture-sdk-requests.py</c> (botocore-validated parameters of <c>HuggingFace(...).fit()</c> and
/// <c>HyperparameterTuner(...).fit()</c>). Equal field for field, hyperparameter order included, except the one documented
/// divergence these settings reach (README, "Intentional divergences from the SDK": the isolated
/// <c>sagemaker_submit_directory</c> names the CDK asset's file, the SDK <c>sourcedir.tar.gz</c>, <c>estimator.py</c>
/// line 140). The capture gives the SDK the platform's values for the other rows that apply (spot <c>max_wait</c>,
/// <c>HF_HUB_OFFLINE</c>, inter-container encryption with a distribution): see each fixture's <c>divergenceBridge</c>.
/// </summary>
public class SdkCapturedRequestTests
{
    private const string SdkIsolatedSubmitDirectory = "\"/opt/ml/input/data/code/sourcedir.tar.gz\"";

    public static TheoryData<string> Recipes => new() { "translation", "llm-sft" };

    private static TrainingConfig Guardrails(string recipe) => recipe switch
    {
        "translation" => PipelineFixture.Training,
        "llm-sft" => LlmSftPipelineFixture.Training,
        _ => throw new ArgumentOutOfRangeException(nameof(recipe), recipe, "no test guardrails"),
    };

    private static (JsonObject Ours, JsonObject Sdk) Pair(string recipe, string operation)
    {
        var (train, tune) = RecipePipelineFixture.LiteralRequests(RecipeRegistry.Get(recipe), Guardrails(recipe));
        var captured = Captured($"{recipe}-{operation}.json");
        Assert.Equal("2.257.6", captured["sdk"]!["version"]!.GetValue<string>());
        Assert.Equal(recipe, captured["recipe"]!.GetValue<string>());
        return (operation == "train" ? train : tune, captured["request"]!.AsObject());
    }

    /// <summary>Replaces our isolated submit directory by the SDK's after checking it names the code channel's object.</summary>
    private static void NormaliseSubmitDirectory(JsonObject hyperparameters, JsonArray channels)
    {
        var code = channels.Select(c => c!.AsObject()).Single(c => c["ChannelName"]!.GetValue<string>() == "code");
        var objectName = code["DataSource"]!["S3DataSource"]!["S3Uri"]!.GetValue<string>().Split('/').Last();
        Assert.Equal($"\"/opt/ml/input/data/code/{objectName}\"", hyperparameters["sagemaker_submit_directory"]!.GetValue<string>());
        hyperparameters["sagemaker_submit_directory"] = SdkIsolatedSubmitDirectory;
    }

    private static void SameRequest(JsonObject sdk, JsonObject ours, JsonObject sdkHyperparameters, JsonObject ourHyperparameters)
    {
        Assert.Equal(sdkHyperparameters.Select(p => p.Key), ourHyperparameters.Select(p => p.Key));
        Assert.Equal(sdk.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal), ours.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (key, value) in sdk)
            Assert.True(JsonNode.DeepEquals(value, ours[key]), $"{key}:\n SDK  {value?.ToJsonString()}\n ours {ours[key]?.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Training_request_equals_what_the_sdk_sent(string recipe)
    {
        var (ours, sdk) = Pair(recipe, "train");
        Assert.Equal(SdkIsolatedSubmitDirectory, sdk["HyperParameters"]!["sagemaker_submit_directory"]!.GetValue<string>());
        NormaliseSubmitDirectory(ours["HyperParameters"]!.AsObject(), ours["InputDataConfig"]!.AsArray());
        SameRequest(sdk, ours, sdk["HyperParameters"]!.AsObject(), ours["HyperParameters"]!.AsObject());
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Tuning_request_equals_what_the_sdk_sent(string recipe)
    {
        var (ours, sdk) = Pair(recipe, "tune");
        var ourDefinition = ours["TrainingJobDefinition"]!.AsObject();
        var sdkDefinition = sdk["TrainingJobDefinition"]!.AsObject();
        NormaliseSubmitDirectory(ourDefinition["StaticHyperParameters"]!.AsObject(), ourDefinition["InputDataConfig"]!.AsArray());
        SameRequest(sdkDefinition, ourDefinition, sdkDefinition["StaticHyperParameters"]!.AsObject(), ourDefinition["StaticHyperParameters"]!.AsObject());
        SameRequest(sdk, ours, sdkDefinition["StaticHyperParameters"]!.AsObject(), ourDefinition["StaticHyperParameters"]!.AsObject());
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Captured_requests_were_made_with_the_recipes_dlc_and_the_platform_bridges_only_documented_divergences(string recipe)
    {
        var captured = Captured($"{recipe}-train.json");
        var settings = captured["settings"]!["estimator"]!.AsObject();
        var r = RecipeRegistry.Get(recipe);
        Assert.Equal((r.TransformersVersion, r.PytorchVersion, r.PythonVersion), (settings["transformers_version"]!.GetValue<string>(),
            settings["pytorch_version"]!.GetValue<string>(), settings["py_version"]!.GetValue<string>()));
        // Each bridged setting is a row of the README's divergence table.
        var allowed = new[] { "max_wait", "environment", "encrypt_inter_container_traffic" };
        Assert.All(captured["settings"]!["divergenceBridge"]!.AsObject(), p => Assert.Contains(p.Key, allowed));
    }

    /// <summary>
    /// The default registration request (what the state machine embeds; the run adds <c>ModelDataUrl</c>, the lineage,
    /// the model card and a token: <c>tests/node/csharp-output/registration-requests.test.mjs</c> compares the whole
    /// request) against what <c>estimator.register(image_uri=..., ...)</c> sent for the recipe's inference settings:
    /// equal member for member, the group name aside (the platform's is <c>&lt;prefix&gt;-&lt;stack UUID&gt;</c>, the
    /// capture's the literal the fixture names) and the platform's <c>MetadataProperties</c> (README, registration
    /// divergence table).
    /// </summary>
    [Theory]
    [MemberData(nameof(Recipes))]
    public void Registration_default_request_equals_what_the_sdk_sent_before_the_run_adds_the_artifact(string recipe)
    {
        var r = RecipeRegistry.Get(recipe);
        var ours = RecipePipelineFixture.LiteralRegistrationRequest(r, Guardrails(recipe));
        var captured = Captured($"{recipe}-register.json");
        Assert.Equal("2.257.6", captured["sdk"]!["version"]!.GetValue<string>());
        var capture = captured["captures"]!.AsArray().Select(c => c!.AsObject())
            .Single(c => c["call"]!.GetValue<string>().StartsWith("estimator.register(image_uri=image", StringComparison.Ordinal));
        var sdk = capture["request"]!.DeepClone().AsObject();

        // The settings the SDK was given are the recipe's inference section.
        var register = captured["settings"]!["register"]!.AsObject();
        Assert.Equal(r.Inference!.ContentTypes, register["content_types"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(r.Inference.RealtimeInstanceTypes, register["inference_instances"]!.AsArray().Select(v => v!.GetValue<string>()));

        Assert.Equal(RecipePipelineFixture.LiteralGroupName(r), sdk["ModelPackageGroupName"]!.GetValue<string>());
        var container = sdk["InferenceSpecification"]!["Containers"]![0]!.AsObject();
        Assert.StartsWith("s3://", container["ModelDataUrl"]!.GetValue<string>());
        container.Remove("ModelDataUrl");   // the run's artifact
        sdk.Remove("ModelCard");             // the run's model card
        Assert.Equal(new JsonObject(), ours["MetadataProperties"]);  // no source revision here; the run adds GeneratedBy
        ours.Remove("MetadataProperties");
        Assert.Equal(sdk.Select(p => p.Key), ours.Select(p => p.Key));
        foreach (var (key, value) in sdk)
            Assert.True(JsonNode.DeepEquals(value, ours[key]), $"{key}:\n SDK  {value?.ToJsonString()}\n ours {ours[key]?.ToJsonString()}");
    }
}
