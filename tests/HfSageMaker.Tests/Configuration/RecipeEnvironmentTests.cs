using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;
using Xunit;

namespace HfSageMaker.Tests.Configuration;

/// <summary>
/// The <c>recipes</c> object of environment files: which recipes an environment deploys and each one's guardrails.
/// Bad entries are refused with one message naming the file, the recipe's field, the value and what is allowed.
/// </summary>
public sealed class RecipeEnvironmentTests
{
    private static readonly string Root = RepositoryLocator.FindRoot() ?? throw new InvalidOperationException("cdk.json not found");

    private static JsonObject WithRecipes(JsonObject recipes)
    {
        var json = TempEnvironments.Valid();
        json["recipes"] = recipes;
        return json;
    }

    private static JsonObject Entry(params (string Key, JsonNode? Value)[] keys)
    {
        var entry = new JsonObject();
        foreach (var (key, value) in keys)
        {
            entry[key] = value;
        }

        return entry;
    }

    private static IReadOnlyList<EnvironmentConfig> Load(JsonObject json, TempEnvironments temp)
    {
        temp.Write("dev.json", json);
        return EnvironmentLoader.LoadAll(temp.Directory);
    }

    private static string Reject(JsonObject json, TempEnvironments temp, string field)
    {
        temp.Write("dev.json", json);
        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));
        var prefix = $"{temp.Display("dev.json")}: {field}: ";
        return Assert.Single(ex.Errors, e => e.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];
    }

    [Fact]
    public void FileWithoutRecipes_DeploysTheTranslationRecipeAlone_UnderItsTrainingSection()
    {
        using var temp = new TempEnvironments();

        var config = Assert.Single(Load(TempEnvironments.Valid(), temp));

        Assert.Null(config.Recipes);
        var deployed = Assert.Single(config.DeployedRecipes);
        Assert.Equal("translation", deployed.Name);
        Assert.Same(config.Training, deployed.Training);
    }

    [Fact]
    public void RecipeEntry_OverridesItsKeys_AndInheritsTheRest()
    {
        using var temp = new TempEnvironments();
        var json = WithRecipes(new JsonObject
        {
            ["translation"] = new JsonObject(),
            ["llm-sft"] = Entry(("allowedInstanceTypes", new JsonArray("ml.g5.2xlarge")), ("defaultInstanceType", "ml.g5.2xlarge"), ("maxInstanceCount", 1), ("maxRuntimeHours", 12)),
        });

        var config = Assert.Single(Load(json, temp));

        Assert.Equal(["translation", "llm-sft"], config.DeployedRecipes.Select(r => r.Name));
        Assert.Same(config.Training, config.DeployedRecipes[0].Training);
        var llm = config.DeployedRecipes[1].Training;
        Assert.Equal(["ml.g5.2xlarge"], llm.AllowedInstanceTypes);
        Assert.Equal("ml.g5.2xlarge", llm.DefaultInstanceType);
        Assert.Equal(1, llm.MaxInstanceCount);
        Assert.Equal(12, llm.MaxRuntimeHours);
        Assert.True(llm.SpotByDefault); // inherited from training
        Assert.Equal(config.Training.MaxTuningJobs, llm.MaxTuningJobs);
    }

    [Fact]
    public void LlmRecipe_InheritingA16GiBType_IsRefused_NamingTheTypeTheMinimumAndTheFix()
    {
        using var temp = new TempEnvironments();
        var json = WithRecipes(new JsonObject { ["llm-sft"] = new JsonObject() });
        json["training"]!["allowedInstanceTypes"] = new JsonArray("ml.g4dn.xlarge", "ml.g5.2xlarge");
        json["training"]!["defaultInstanceType"] = "ml.g5.2xlarge";

        var message = Reject(json, temp, "recipes.llm-sft.allowedInstanceTypes (inherited from training.allowedInstanceTypes[0])");

        Assert.StartsWith("\"ml.g4dn.xlarge\" has 16 GiB of memory per GPU; the llm-sft recipe needs at least 24 GiB", message, StringComparison.Ordinal);
        Assert.Contains("allowed ml.g5.xlarge, ml.g5.2xlarge", message, StringComparison.Ordinal);
        Assert.DoesNotContain("ml.g4dn", message[message.IndexOf("allowed", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("give recipes.llm-sft its own allowedInstanceTypes", message, StringComparison.Ordinal);
    }

    [Fact]
    public void LlmRecipe_ListingAV100_IsRefused_AtItsOwnIndex()
    {
        using var temp = new TempEnvironments();
        var json = WithRecipes(new JsonObject
        {
            ["llm-sft"] = Entry(("allowedInstanceTypes", new JsonArray("ml.g5.2xlarge", "ml.p3.2xlarge")), ("defaultInstanceType", "ml.g5.2xlarge")),
        });

        var message = Reject(json, temp, "recipes.llm-sft.allowedInstanceTypes[1]");

        Assert.StartsWith("\"ml.p3.2xlarge\" has 16 GiB of memory per GPU", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TranslationRecipe_AcceptsEverySupportedType()
    {
        Assert.All(InstanceTypeCatalog.GpuTrainingTypes, t => Assert.True(InstanceTypeCatalog.Find(t)!.GpuMemoryGiB >= RecipeRegistry.Get("translation").MinimumGpuMemoryGiB, t));
    }

    public static TheoryData<string, string, string, string> BadEntries() => new()
    {
        { "{\"lm-sft\": {}}", "recipes.lm-sft", "unknown key (did you mean \"llm-sft\"?)", "allowed keys in recipes: llm-sft, translation." },
        { "{}", "recipes", "has 0 key(s)", "allowed 1 or more keys of llm-sft, translation" },
        { "[\"llm-sft\"]", "recipes", "[\"llm-sft\"] is not an object", "allowed an object with keys llm-sft, translation" },
        { "{\"llm-sft\": true}", "recipes.llm-sft", "true is not an object", "allowed an object with keys allowedInstanceTypes" },
        { "{\"llm-sft\": {\"allowedInstanceType\": [\"ml.g5.2xlarge\"]}}", "recipes.llm-sft.allowedInstanceType", "unknown key (did you mean \"allowedInstanceTypes\"?)", "allowed keys in recipes.llm-sft: allowedInstanceTypes" },
        { "{\"llm-sft\": {\"allowedInstanceTypes\": [\"ml.g5.2xlarge\"]}}", "recipes.llm-sft.defaultInstanceType", "\"ml.g5.xlarge\" is not in recipes.llm-sft.allowedInstanceTypes", "allowed ml.g5.2xlarge" },
        { "{\"llm-sft\": {\"maxInstanceCount\": 0}}", "recipes.llm-sft.maxInstanceCount", "0 is out of range", "allowed a whole number 1..64" },
        { "{\"llm-sft\": {\"allowedInstanceTypes\": [\"ml.m5.xlarge\"], \"defaultInstanceType\": \"ml.m5.xlarge\"}}", "recipes.llm-sft.allowedInstanceTypes[0]", "\"ml.m5.xlarge\" is not a GPU training instance type", "allowed one of ml.g4dn.xlarge" },
        { "{\"llm-sft\": {\"maxParallelTuningJobs\": 30}}", "recipes.llm-sft.maxParallelTuningJobs", "30 is greater than recipes.llm-sft.maxTuningJobs (20)", "allowed 1..20" },
        { "{\"llm-sft\": {\"maxRuntimeHours\": 400}}", "retention.checkpointExpirationDays", "14 is shorter than the longest job may run", "allowed 34 or more (2 x recipes.llm-sft.maxRuntimeHours 400" },
        { "{\"llm-sft\": {\"spotByDefault\": \"no\"}}", "recipes.llm-sft.spotByDefault", "\"no\" is not a boolean", "allowed true or false" },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public void BadRecipeEntry_IsRejected_WithFieldValueAndAllowed(string recipes, string field, string value, string allowed)
    {
        using var temp = new TempEnvironments();
        var json = WithRecipes(JsonNode.Parse(recipes) is JsonObject o ? o : new JsonObject());
        if (JsonNode.Parse(recipes) is not JsonObject)
        {
            json["recipes"] = JsonNode.Parse(recipes);
        }

        var message = Reject(json, temp, field);

        Assert.StartsWith(value, message, StringComparison.Ordinal);
        Assert.Contains(allowed, message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProblemOfAnInheritedValue_IsReportedOnce_AtTheTrainingSection()
    {
        using var temp = new TempEnvironments();
        var json = WithRecipes(new JsonObject { ["translation"] = new JsonObject(), ["llm-sft"] = new JsonObject() });
        json["training"]!["maxInstanceCount"] = 0;
        temp.Write("dev.json", json);

        var ex = Assert.Throws<EnvironmentValidationException>(() => EnvironmentLoader.LoadAll(temp.Directory));

        Assert.Equal($"{temp.Display("dev.json")}: training.maxInstanceCount: 0 is out of range; allowed a whole number 1..64.", Assert.Single(ex.Errors));
    }

    private static List<string> Warnings(JsonObject json, TempEnvironments temp)
    {
        temp.Write("dev.json", json);
        var warnings = new List<string>();
        Assert.Single(EnvironmentLoader.LoadAll(temp.Directory, warnings));
        return warnings;
    }

    [Fact]
    public void RecipeWithoutDistribution_AllowedSeveralInstances_IsAWarning_NamingFileFieldValueAndWhy()
    {
        using var temp = new TempEnvironments();
        var alone = TempEnvironments.Valid(); // no recipes: translation under training, maxInstanceCount 2
        var inherited = WithRecipes(new JsonObject { ["translation"] = new JsonObject(), ["llm-sft"] = new JsonObject() });
        var own = WithRecipes(new JsonObject { ["translation"] = Entry(("maxInstanceCount", 3)) });

        var warning = Assert.Single(Warnings(alone, temp));
        Assert.StartsWith($"{temp.Display("dev.json")}: training.maxInstanceCount: 2 has no effect for the translation recipe (deployed when recipes is absent): it runs no distribution (training-scripts/translation/recipe.json has no \"distribution\"), so every extra instance would train its own copy of the model and PrepareRequest refuses an instanceCount above 1; allowed 1", warning, StringComparison.Ordinal);
        // llm-sft runs torchrun: its two instances are used, so only translation is named.
        Assert.StartsWith($"{temp.Display("dev.json")}: recipes.translation.maxInstanceCount (inherited from training.maxInstanceCount): 2 has no effect", Assert.Single(Warnings(inherited, temp)), StringComparison.Ordinal);
        Assert.StartsWith($"{temp.Display("dev.json")}: recipes.translation.maxInstanceCount: 3 has no effect", Assert.Single(Warnings(own, temp)), StringComparison.Ordinal);
        own["recipes"]!["translation"]!["maxInstanceCount"] = 1;
        Assert.Empty(Warnings(own, temp));
    }

    [Fact]
    public void App_PrintsTheWarning_AndCarriesOn()
    {
        using var temp = new TempEnvironments();
        temp.Write("dev.json", TempEnvironments.ValidJson);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(0, Infra.AppRunner.Run(["quotas", "--json"], stdout, stderr, environmentsDirectory: temp.Directory));
        Assert.StartsWith($"Warning: {temp.Display("dev.json")}: training.maxInstanceCount: 2 has no effect", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedEnvironments_LoadWithoutWarnings()
    {
        var warnings = new List<string>();
        EnvironmentLoader.LoadAll(Path.Combine(Root, "environments"), warnings);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Registry_HoldsBothRecipes_WithDistinctNamesPrefixesAndConstructIds()
    {
        Assert.Equal(["llm-sft", "translation"], RecipeRegistry.Names);
        Assert.Equal(RecipeRegistry.All.Count, RecipeRegistry.All.Select(r => r.JobNamePrefixIn("dev")).Distinct().Count());
        Assert.Equal(RecipeRegistry.All.Count, RecipeRegistry.All.Select(r => r.PipelineConstructId).Distinct().Count());
        Assert.Equal("hf-translate-dev", RecipeRegistry.Get("translation").JobNamePrefixIn("dev"));
        Assert.Equal("TranslationPipeline", RecipeRegistry.Get("translation").PipelineConstructId);
        Assert.Equal("Monitoring", RecipeRegistry.Get("translation").MonitoringConstructId);
        Assert.Equal("TranslationStateMachineArn", RecipeRegistry.Get("translation").OutputId);
        Assert.All(RecipeRegistry.All, r => Assert.True(Directory.Exists(Path.Combine(Root, r.ScriptDirectory)), r.ScriptDirectory));
        // Names fit the environment file's keys and folder names; short names keep 'hf-<short>-<environment>' within the pipeline's
        // 20-character prefix and contain no hyphen, so no recipe's prefix can start another's.
        Assert.All(RecipeRegistry.All, r => Assert.Matches(@"^[a-z][a-z0-9-]*[a-z0-9]\z", r.Name));
        Assert.All(RecipeRegistry.All, r => Assert.Matches(@"^[a-z0-9]{1,9}\z", r.ShortName));
        Assert.All(RecipeRegistry.All, r => Assert.Matches(@"^[A-Z][A-Za-z0-9]*\z", r.ConstructIdPrefix));
        Assert.Contains("recipe 'nope' does not exist; allowed llm-sft, translation", Assert.Throws<ArgumentException>(() => RecipeRegistry.Get("nope")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryGpuTrainingType_HasItsGpuMemory()
    {
        Assert.All(InstanceTypeCatalog.GpuTrainingTypes, t => Assert.True(InstanceTypeCatalog.Find(t)!.GpuMemoryGiB > 0, t));
        Assert.Null(InstanceTypeCatalog.Find("ml.m5.xlarge")!.GpuMemoryGiB);
    }

    [Fact]
    public void ShippedEnvironments_DeployTranslationAndLlmSft_WithLlmTypesOf24GiBOrMore()
    {
        var configs = EnvironmentLoader.LoadAll(Path.Combine(Root, "environments"));

        Assert.All(configs, c =>
        {
            Assert.Equal(["translation", "llm-sft"], c.DeployedRecipes.Select(r => r.Name));
            Assert.Same(c.Training, c.DeployedRecipes[0].Training);
            Assert.DoesNotContain(c.DeployedRecipes[1].Training.AllowedInstanceTypes, t => t.StartsWith("ml.g4dn.", StringComparison.Ordinal) || t.StartsWith("ml.p3.", StringComparison.Ordinal));
        });
    }

    // ---- the schema: one definition of the guardrails, for training and for every recipe ----

    [Fact]
    public void Schema_NamesEveryRecipe_AndEachEntryTakesTheTrainingKeys_AllOptional()
    {
        var schema = EnvironmentSchema.Document;
        var recipes = schema["properties"]!["recipes"]!.AsObject();
        Assert.Equal(RecipeRegistry.Names, recipes["properties"]!.AsObject().Select(p => p.Key).Order());
        Assert.All(recipes["properties"]!.AsObject(), p => Assert.Equal("#/$defs/training", (string?)p.Value!["$ref"]));
        Assert.Equal(1, (int)recipes["minProperties"]!);
        Assert.False((bool)recipes["additionalProperties"]!);

        var training = schema["properties"]!["training"]!.AsObject();
        Assert.Equal("#/$defs/training", (string?)training["$ref"]);
        Assert.Equal(["allowedInstanceTypes", "defaultInstanceType", "maxInstanceCount", "spotByDefault", "maxRuntimeHours"], training["required"]!.AsArray().Select(r => (string)r!));
        var guardrails = schema["$defs"]!["training"]!.AsObject();
        Assert.False(guardrails.ContainsKey("required"));
        Assert.False((bool)guardrails["additionalProperties"]!);
        Assert.Equal(8, guardrails["properties"]!.AsObject().Count);
    }
}
