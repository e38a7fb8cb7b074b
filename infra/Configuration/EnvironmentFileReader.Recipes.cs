using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Recipes;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// The <c>recipes</c> object of an environment file: which recipes the environment deploys and each one's guardrails.
/// A recipe's entry may set any key of the <c>training</c> section; the others are inherited. The merged section is
/// checked by the very rules of <c>training</c> (<see cref="ReadTraining"/>), with the recipe's path in the messages,
/// then against the recipe's own guardrail (<see cref="TrainingRecipe.MinimumGpuMemoryGiB"/>).
/// </summary>
internal sealed partial class EnvironmentFileReader
{
    [GeneratedRegex(@"\btraining\.(?=[a-zA-Z])")]
    private static partial Regex TrainingPath();

    /// <summary>Reads <c>recipes</c>; null when the file has none (the translation recipe alone is deployed).</summary>
    private List<RecipeConfig>? ReadRecipes(Dictionary<string, JsonElement> top, TrainingConfig? training, RetentionConfig? retention, string? region)
    {
        if (!top.TryGetValue("recipes", out var element))
        {
            return null;
        }

        var names = string.Join(", ", RecipeRegistry.Names);
        if (element.ValueKind != JsonValueKind.Object)
        {
            Error("recipes", $"{Show(element)} is not an object; allowed an object keyed by recipe name ({names}), e.g. {{\"translation\": {{}}, \"llm-sft\": {{\"allowedInstanceTypes\": [\"ml.g5.2xlarge\"]}}}}.");
            return null;
        }

        var entries = Section(element, "recipes", "recipes");
        if (entries.Count == 0 && !element.EnumerateObject().Any())
        {
            Error("recipes", $"is empty; allowed one or more of {names} (leave recipes out to deploy the {RecipeRegistry.DefaultRecipe} recipe alone).");
            return null;
        }

        var recipes = new List<RecipeConfig>();
        foreach (var (name, value) in entries)
        {
            var recipe = RecipeRegistry.Get(name);
            var path = $"recipes.{name}";
            if (value.ValueKind != JsonValueKind.Object)
            {
                Error(path, $"{Show(value)} is not an object; allowed an object with any of the keys {string.Join(", ", GuardrailKeys)} (the others come from training), e.g. {{}}.");
                continue;
            }

            CheckImageRegion(recipe, path, region);
            var config = ReadRecipeGuardrails(recipe, path, value, top, training);
            if (config is null)
            {
                continue;
            }

            CheckGpuMemory(recipe, path, value, config);
            if (retention is not null && config.MaxRuntimeHours != training!.MaxRuntimeHours)
            {
                // As for training.maxRuntimeHours: checkpoints must outlive the longest job, the spot wait included.
                var neededDays = (int)Math.Ceiling(2 * config.MaxRuntimeHours / 24.0);
                if (retention.CheckpointExpirationDays < neededDays)
                {
                    Error("retention.checkpointExpirationDays", $"{retention.CheckpointExpirationDays} is shorter than the longest job may run; allowed {neededDays} or more (2 x {path}.maxRuntimeHours {config.MaxRuntimeHours}, the spot wait included, in days).");
                }
            }

            recipes.Add(new RecipeConfig { Name = name, Training = config });
        }

        return recipes;
    }

    /// <summary>The keys a recipe's entry may set: those of the <c>training</c> section.</summary>
    internal static IReadOnlyList<string> GuardrailKeys => EnvironmentSchema.Sections["training"].All;

    /// <summary>
    /// The recipe's guardrails: its keys over the <c>training</c> section, validated by <see cref="ReadTraining"/> with
    /// <c>training.</c> in the messages replaced by the recipe's path. Problems of inherited values that the
    /// <c>training</c> section itself has are reported once, there.
    /// </summary>
    private TrainingConfig? ReadRecipeGuardrails(TrainingRecipe recipe, string path, JsonElement entry, Dictionary<string, JsonElement> top, TrainingConfig? training)
    {
        var own = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in entry.EnumerateObject())
        {
            var fieldPath = $"{path}.{property.Name}";
            if (!GuardrailKeys.Contains(property.Name))
            {
                var suggestion = Suggest(property.Name, GuardrailKeys);
                Error(fieldPath, $"unknown key{(suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)")}; allowed keys in {path}: {string.Join(", ", GuardrailKeys)} (the recipe's guardrails; each overrides the training key of that name).");
            }
            else if (!own.TryAdd(property.Name, property.Value))
            {
                Error(fieldPath, "is defined more than once; allowed each key once.");
            }
        }

        if (training is null || !top.TryGetValue("training", out var section))
        {
            return null; // the training section's own problems are reported; nothing to inherit from
        }

        if (own.Count == 0 && entry.EnumerateObject().Any() is false)
        {
            return training; // the training section as it is
        }

        var merged = JsonNode.Parse(section.GetRawText())!.AsObject();
        foreach (var (key, value) in own)
        {
            merged[key] = JsonNode.Parse(value.GetRawText());
        }

        using var document = JsonDocument.Parse(merged.ToJsonString());
        var problems = new List<string>();
        var config = new EnvironmentFileReader(file, problems).ReadTraining(new Dictionary<string, JsonElement> { ["training"] = document.RootElement.Clone() });
        var prefix = $"{file}: ";
        foreach (var problem in problems.Where(p => !errors.Contains(p)))
        {
            errors.Add(prefix + TrainingPath().Replace(problem[prefix.Length..], path + "."));
        }

        return problems.Count == 0 ? config : null;
    }

    /// <summary>The recipe's DLC image must be published in the environment's region (the image catalog).</summary>
    private void CheckImageRegion(TrainingRecipe recipe, string path, string? region)
    {
        if (region is null)
        {
            return; // the region's own problem is reported
        }

        var image = HuggingFaceImage.SupportedVersions.SingleOrDefault(v => v.TransformersVersion == recipe.TransformersVersion && v.PytorchVersion == recipe.PytorchVersion);
        if (image is not null && !image.Regions.Contains(region, StringComparer.Ordinal))
        {
            var regions = image.Regions.Where(EnvironmentSchema.Regions.Contains).Order(StringComparer.Ordinal);
            Error(path, $"the {recipe.Name} recipe's DLC (transformers {recipe.TransformersVersion}, PyTorch {recipe.PytorchVersion}) is not published in region \"{region}\"; allowed in {string.Join(", ", regions)} (or leave {recipe.Name} out of recipes).");
        }
    }

    /// <summary>Every allowed type of the recipe must have <see cref="TrainingRecipe.MinimumGpuMemoryGiB"/> per GPU.</summary>
    private void CheckGpuMemory(TrainingRecipe recipe, string path, JsonElement entry, TrainingConfig config)
    {
        var inherited = !entry.TryGetProperty("allowedInstanceTypes", out _);
        var fits = InstanceTypeCatalog.GpuTrainingTypes.Where(t => InstanceTypeCatalog.Find(t)?.GpuMemoryGiB >= recipe.MinimumGpuMemoryGiB).ToList();
        for (var i = 0; i < config.AllowedInstanceTypes.Count; i++)
        {
            var type = config.AllowedInstanceTypes[i];
            var memory = InstanceTypeCatalog.Find(type)?.GpuMemoryGiB;
            if (memory is null || memory >= recipe.MinimumGpuMemoryGiB)
            {
                continue;
            }

            var where = inherited
                ? $"{path}.allowedInstanceTypes (inherited from training.allowedInstanceTypes[{i}])"
                : $"{path}.allowedInstanceTypes[{i}]";
            Error(where, $"\"{type}\" has {memory} GiB of memory per GPU; the {recipe.Name} recipe needs at least {recipe.MinimumGpuMemoryGiB} GiB ({recipe.MinimumGpuMemoryReason}); allowed {string.Join(", ", fits)}{(inherited ? $" (give {path} its own allowedInstanceTypes and defaultInstanceType)" : "")}.");
        }
    }
}
