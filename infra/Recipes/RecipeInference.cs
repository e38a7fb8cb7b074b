using System.Text.Json;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// A recipe's <c>inference</c> section (<c>training-scripts/recipe.schema.json</c>): how its trained model is served,
/// for its registration after every successful run.
/// </summary>
public sealed record RecipeInference
{
    /// <summary><c>servingImage</c> for the Hugging Face PyTorch inference DLC nearest to the training DLC.</summary>
    public const string HuggingFaceInference = "huggingface-inference";

    /// <summary><c>servingImage</c> for the Hugging Face LLM (TGI) image.</summary>
    public const string HuggingFaceLlm = "huggingface-llm";

    /// <summary><see cref="HuggingFaceInference"/> or <see cref="HuggingFaceLlm"/>.</summary>
    public required string ServingImage { get; init; }

    /// <summary>MIME types the container accepts.</summary>
    public required IReadOnlyList<string> ContentTypes { get; init; }

    /// <summary>MIME types it answers with.</summary>
    public required IReadOnlyList<string> ResponseTypes { get; init; }

    /// <summary>Endpoint instance types; the first picks the image's processor.</summary>
    public required IReadOnlyList<string> RealtimeInstanceTypes { get; init; }

    /// <summary>Batch transform instance types, or null.</summary>
    public IReadOnlyList<string>? TransformInstanceTypes { get; init; }

    /// <summary>The folder of <c>model.tar.gz</c> with the servable weights (TGI only), or null for its root.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary><c>servableWhen.hyperparameter</c>, or null when every artifact is servable.</summary>
    public string? ServableHyperparameter { get; init; }

    /// <summary><c>servableWhen.equals</c> (a string, long, double or bool).</summary>
    public object? ServableValue { get; init; }

    /// <summary><c>servableWhen.otherwise</c>.</summary>
    public string? NotServableReason { get; init; }

    /// <summary>Reads the section (already checked against the schema).</summary>
    internal static RecipeInference FromJson(JsonElement section)
    {
        static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetString()!)];
        var servable = section.TryGetProperty("servableWhen", out var s) ? s : (JsonElement?)null;
        return new RecipeInference
        {
            ServingImage = section.GetProperty("servingImage").GetString()!,
            ContentTypes = Strings(section.GetProperty("contentTypes")),
            ResponseTypes = Strings(section.GetProperty("responseTypes")),
            RealtimeInstanceTypes = Strings(section.GetProperty("realtimeInstanceTypes")),
            TransformInstanceTypes = section.TryGetProperty("transformInstanceTypes", out var t) ? Strings(t) : null,
            ModelDirectory = section.TryGetProperty("modelDirectory", out var d) ? d.GetString() : null,
            ServableHyperparameter = servable?.GetProperty("hyperparameter").GetString(),
            ServableValue = servable?.GetProperty("equals") is { } v ? HyperparameterContract.Scalar(v) : null,
            NotServableReason = servable?.GetProperty("otherwise").GetString(),
        };
    }
}
