using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;
using Xunit;

namespace HfSageMaker.Tests.Recipes;

/// <summary>
/// Recipe folders as data: the registry reads every training-scripts/&lt;recipe&gt;/ with a recipe.json, checks each
/// file against its schema and reports every problem with the file, the field and what is allowed. Bad folders are
/// built in a temporary copy of training-scripts/ (the schemas, the vocabularies and the shipped translation folder).
/// </summary>
public sealed class RecipeFolderTests : IDisposable
{
    private static readonly string Scripts = Path.Combine(RepositoryLocator.FindRoot()!, "training-scripts");
    private readonly string _copy = Path.Combine(Path.GetTempPath(), "hf-recipes-test-" + Guid.NewGuid().ToString("N"));

    public RecipeFolderTests()
    {
        Directory.CreateDirectory(_copy);
        foreach (var schema in Directory.EnumerateFiles(Scripts, "*.schema.json"))
            File.Copy(schema, Path.Combine(_copy, Path.GetFileName(schema)));
        Directory.CreateDirectory(Path.Combine(_copy, "hf_recipe"));
        File.Copy(Path.Combine(Scripts, "hf_recipe", "vocabularies.json"), Path.Combine(_copy, "hf_recipe", "vocabularies.json"));
        CopyRecipe("translation", "translation");
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    private string CopyRecipe(string from, string to)
    {
        var target = Path.Combine(_copy, to);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Scripts, from)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    private void Edit(string recipe, string file, string from, string to)
    {
        var path = Path.Combine(_copy, recipe, file);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    private IReadOnlyList<string> Problems() =>
        Assert.Throws<RecipeDefinitionException>(() => RecipeRegistry.Load(_copy)).Errors;

    [Fact]
    public void Every_folder_with_a_recipe_json_is_a_recipe_named_after_its_folder()
    {
        Assert.Equal(["llm-sft", "translation"], RecipeRegistry.Names);
        CopyRecipe("translation", "summarization");
        Edit("summarization", "recipe.json", "\"translate\"", "\"summarize\"");
        Edit("summarization", "recipe.json", "\"Translation\"", "\"Summarization\"");
        Edit("summarization", "recipe.json", "\"monitoringConstructId\": \"Monitoring\",", "");
        var recipes = RecipeRegistry.Load(_copy);
        Assert.Equal(["summarization", "translation"], recipes.Select(r => r.Name));
        var added = recipes[0];
        Assert.Equal(("summarize", "SummarizationPipeline", "SummarizationMonitoring", "SummarizationStateMachineArn"),
            (added.ShortName, added.PipelineConstructId, added.MonitoringConstructId, added.OutputId));
        Assert.Equal("training-scripts/summarization", added.ScriptDirectory);
    }

    [Fact]
    public void Defaults_keep_the_json_spelling_of_numbers_skip_entries_left_out_of_the_request_and_follow_the_network_for_offline()
    {
        var translation = RecipeRegistry.Get("translation");
        var isolated = translation.Hyperparameters(networkIsolated: true);
        Assert.Equal("3", HyperparameterEncoding.Encode(isolated["num_train_epochs"]));   // written 3 in the file
        Assert.Equal("0.0", HyperparameterEncoding.Encode(isolated["weight_decay"]));     // written 0.0
        Assert.Equal("5e-05", HyperparameterEncoding.Encode(isolated["learning_rate"]));  // written 5e-5
        Assert.Equal(true, isolated["offline"]);
        Assert.Equal(false, translation.Hyperparameters(networkIsolated: false)["offline"]);
        Assert.False(isolated.ContainsKey("eval_strategy"));     // inDefaultRequest: false, the script's default applies
        Assert.True(translation.HyperparameterTypes.ContainsKey("eval_strategy"));
        Assert.False(translation.HyperparameterTypes.ContainsKey("checkpoint_dir")); // local runs only: not a pipeline hyperparameter
        using var file = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Scripts, "translation", "hyperparameters.json")));
        var entries = file.RootElement.GetProperty("hyperparameters").EnumerateObject().ToList();
        Assert.Equal(entries.Select(e => e.Name), translation.HyperparameterTypes.Keys);
        Assert.Equal(entries.Where(e => !e.Value.TryGetProperty("inDefaultRequest", out var sent) || sent.GetBoolean()).Select(e => e.Name), isolated.Keys);
    }

    [Fact]
    public void Tuning_caps_come_from_the_recipe_and_the_environment_lowers_them()
    {
        var tuning = RecipeRegistry.Get("llm-sft").Tuning(new TrainingConfig
        {
            AllowedInstanceTypes = ["ml.g5.2xlarge"], DefaultInstanceType = "ml.g5.2xlarge", MaxInstanceCount = 1,
            SpotByDefault = false, MaxRuntimeHours = 24, MaxTuningJobs = 3, MaxParallelTuningJobs = 5,
        });
        Assert.Equal((3, 2), (tuning.MaxJobs, tuning.MaxParallelJobs));
        var lora = Assert.IsType<CategoricalRange>(tuning.Ranges[1]);
        Assert.Equal(["\"8\"", "\"16\"", "\"32\"", "\"64\""], lora.Values.Select(HyperparameterEncoding.EncodeCategorical));
    }

    [Fact]
    public void A_broken_folder_reports_every_problem_with_file_field_value_and_what_is_allowed()
    {
        Edit("translation", "recipe.json", "\"minimumMemoryGiB\": 16", "\"minimumMemoryGiB\": \"sixteen\"");
        Edit("translation", "recipe.json", "\"strategy\": \"Bayesian\"", "\"strategy\": \"Sometimes\"");
        Edit("translation", "recipe.json", "\"shortName\": \"translate\",", "\"shortName\": \"translate\", \"colour\": \"blue\",");
        Edit("translation", "hyperparameters.json", "\"default\": 128,", "\"default\": 1.5,");
        var problems = Problems();
        Assert.Contains("training-scripts/translation/recipe.json: gpu.minimumMemoryGiB: \"sixteen\" is not a whole number; allowed a whole number 1..1024.", problems);
        Assert.Contains("training-scripts/translation/recipe.json: tuning.strategy: \"Sometimes\" is not an allowed value; allowed \"Bayesian\", \"Random\", \"Hyperband\" or \"Grid\".", problems);
        Assert.Contains(problems, p => p.StartsWith("training-scripts/translation/recipe.json: colour: unknown key; allowed keys: $schema, $comment, description, shortName,", StringComparison.Ordinal));
        Assert.Contains("training-scripts/translation/hyperparameters.json: hyperparameters.max_source_length.default: 1.5 is not a whole number or null; allowed a whole number or null.", problems);
        Assert.True(problems.Count == 5, string.Join("\n", problems)); // one per mistake (two defaults of 128): no noise from if/then branches
    }

    [Fact]
    public void A_vocabulary_the_shared_file_lacks_a_word_it_lacks_and_a_broken_vocabularies_file_are_refused_by_file_and_field()
    {
        Edit("translation", "hyperparameters.json", "\"vocabulary\": \"autoBoolean\",\n      \"needsNativeBf16\": [\"true\"],",
            "\"vocabulary\": \"onOff\",\n      \"needsNativeBf16\": [\"on\"],");
        Assert.Equal(["training-scripts/translation/hyperparameters.json: hyperparameters.bf16.vocabulary: \"onOff\" is not allowed; allowed: boolean, autoBoolean (the vocabularies of training-scripts/hf_recipe/vocabularies.json)."],
            Problems());

        Edit("translation", "hyperparameters.json", "\"vocabulary\": \"onOff\",\n      \"needsNativeBf16\": [\"on\"],",
            "\"vocabulary\": \"autoBoolean\",\n      \"needsNativeBf16\": [\"yes\"],");
        Assert.Equal(["training-scripts/translation/hyperparameters.json: hyperparameters.bf16.needsNativeBf16: \"yes\" is not allowed; allowed: values bf16 takes, as its words (auto, true, false)."],
            Problems());

        Edit("translation", "hyperparameters.json", "\"needsNativeBf16\": [\"yes\"]", "\"needsNativeBf16\": [\"true\"]");
        Edit("hf_recipe", "vocabularies.json", "\"true\": [\"true\", \"yes\", \"1\"]", "\"true\": [\"True\", \"yes\", \"no\"]");
        var problems = Problems();
        Assert.Contains("training-scripts/hf_recipe/vocabularies.json: words.true: [\"True\",\"yes\",\"no\"] is not allowed; allowed: lowercase spellings without blanks around them, the word itself among them.", problems);
        Assert.Contains(problems, p => p.StartsWith("training-scripts/hf_recipe/vocabularies.json: vocabularies.boolean: [\"true\",\"false\"] is not allowed; allowed: one or more words of \"words\" (auto, false)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tuning_range_over_an_undeclared_hyperparameter_and_a_taken_short_name_are_refused()
    {
        Edit("translation", "recipe.json", "\"warmup_steps\": { \"type\": \"integer\"", "\"warmup\": { \"type\": \"integer\"");
        CopyRecipe("translation", "translation-2");
        var problems = Problems();
        Assert.Contains(problems, p => p.StartsWith("training-scripts/translation/recipe.json: tuning.ranges.warmup: not a hyperparameter of hyperparameters.json; allowed: model_name_or_path, ", StringComparison.Ordinal));
        Assert.Contains("training-scripts/translation-2/recipe.json: shortName: \"translate\" is also the shortName of translation; allowed a value no other recipe uses.", problems);
        Assert.Contains(problems, p => p.StartsWith("training-scripts/translation-2/recipe.json: constructIdPrefix: \"Translation\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_inference_section_is_checked_against_the_instance_type_catalog_the_serving_image_and_the_hyperparameters()
    {
        // A CPU type after a GPU first one (one image serves them all), a type the catalog lists for no real-time use, a
        // transform type outside TransformInstanceType, Inferentia (no Hugging Face PyTorch image), a folder for the
        // inference DLC, and a servable rule over an undeclared hyperparameter.
        Edit("translation", "recipe.json", "\"realtimeInstanceTypes\": [\"ml.g5.xlarge\", \"ml.g4dn.xlarge\"]",
            "\"realtimeInstanceTypes\": [\"ml.g5.xlarge\", \"ml.m5.xlarge\", \"ml.g5.7xlarge\", \"ml.inf2.xlarge\"], \"modelDirectory\": \"merged\", "
            + "\"servableWhen\": { \"hyperparameter\": \"merge\", \"equals\": true, \"otherwise\": \"adapter only\" }");
        Edit("translation", "recipe.json", "\"transformInstanceTypes\": [\"ml.g5.xlarge\", \"ml.g4dn.xlarge\"]", "\"transformInstanceTypes\": [\"ml.g6e.xlarge\"]");
        var problems = Problems();
        const string file = "training-scripts/translation/recipe.json: inference.";
        Assert.Contains(problems, p => p.StartsWith(file + "realtimeInstanceTypes: \"ml.m5.xlarge\" is a CPU type, but the one serving image of the package is the GPU build", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(file + "realtimeInstanceTypes: \"ml.g5.7xlarge\" is not one of SageMaker's realtime instance types", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(file + "realtimeInstanceTypes: \"ml.inf2.xlarge\" runs no Hugging Face serving image", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(file + "transformInstanceTypes: \"ml.g6e.xlarge\" is not one of SageMaker's transform instance types", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(file + "modelDirectory: \"merged\" is allowed only with servingImage \"huggingface-llm\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(file + "servableWhen.hyperparameter: \"merge\" is not a hyperparameter of hyperparameters.json; allowed: model_name_or_path, ", StringComparison.Ordinal));
        Assert.True(problems.Count == 6, string.Join("\n", problems));
    }

    [Fact]
    public void Tgi_serves_on_gpus_only_and_is_told_the_weights_folder_of_the_recipe()
    {
        CopyRecipe("llm-sft", "llm-sft");
        var registration = RecipeRegistry.Load(_copy).Single(r => r.Name == "llm-sft")
            .Registration(new Amazon.CDK.Stack(new Amazon.CDK.App(), "Tgi", new Amazon.CDK.StackProps { Env = new Amazon.CDK.Environment { Account = "111122223333", Region = "eu-west-1" } }),
                Constructs.Registry.ModelApprovalStatus.PendingManualApproval, new SourceRevision("0123abc", null))!;
        Assert.Equal("763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04", registration.ImageUri);
        Assert.Equal(new Dictionary<string, string> { ["HF_MODEL_ID"] = "/opt/ml/model/merged" }, registration.Environment);
        Assert.Equal(new Constructs.Registry.ServableWhen("merge_adapter", true, registration.ServableWhen!.Otherwise), registration.ServableWhen);
        Assert.Equal(new Dictionary<string, string> { ["recipe"] = "llm-sft", ["sourceCommit"] = "0123abc" }, registration.CustomerMetadataProperties);
        Assert.Equal("0123abc", registration.SourceCommit);

        Edit("llm-sft", "recipe.json", "\"realtimeInstanceTypes\": [\"ml.g5.2xlarge\"", "\"realtimeInstanceTypes\": [\"ml.c5.xlarge\", \"ml.g5.2xlarge\"");
        var problems = Problems();
        Assert.Contains("training-scripts/llm-sft/recipe.json: inference.realtimeInstanceTypes: \"ml.c5.xlarge\" is a CPU type, but the one serving image of the package is the GPU build (TGI runs on GPUs only).", problems);
    }

    [Fact]
    public void Rules_are_read_from_hyperparameters_json_and_a_rule_over_an_undeclared_name_or_a_bad_test_is_refused()
    {
        var translation = RecipeRegistry.Get("translation");
        var precision = translation.Contract.Rules[0];
        Assert.Equal(["fp16", "bf16"], precision.Names());
        Assert.Equal([true], precision.When["fp16"].In!);
        Assert.Null(precision.Require);
        Assert.Equal(HyperparameterRuleEffect.Refuse, precision.Effect);
        Assert.Contains(translation.Contract.Rules, r => r.Effect == HyperparameterRuleEffect.Note && r.When.ContainsKey("max_steps"));
        Assert.Equal("epoch", translation.HyperparameterTypes["eval_strategy"].ScriptDefault); // read by the rules when a run does not set it

        Edit("translation", "hyperparameters.json", "\"eval_steps\": { \"null\": false }", "\"eval_step\": { \"null\": false }");
        var problem = Assert.Single(Problems());
        Assert.StartsWith("training-scripts/translation/hyperparameters.json: rules[3]: eval_step: not a hyperparameter of this file; allowed: model_name_or_path, ", problem, StringComparison.Ordinal);
        Edit("translation", "hyperparameters.json", "\"save_steps\": { \"given\": true }", "\"save_steps\": { \"given\": \"yes\" }");
        var problems = Problems();
        Assert.True(problems.Any(p => p.StartsWith("training-scripts/translation/hyperparameters.json: rules[4].when.save_steps.given: \"yes\" is not ", StringComparison.Ordinal)), string.Join("\n", problems));
    }

    [Fact]
    public void A_pipeline_marks_what_its_script_would_not_use_the_model_name_beside_a_model_channel_and_offline_when_isolated()
    {
        var contract = RecipeRegistry.Get("llm-sft").Contract;
        var isolated = contract.TypesFor(networkIsolated: true, ["train", "validation", "model"]);
        Assert.Contains("the 'model' channel, which every job of this pipeline has, wins; allowed: choose with channels.model instead", isolated["model_name_or_path"].IgnoredBecause);
        Assert.Contains("run without network access, so they always run offline; allowed: leave offline out", isolated["offline"].IgnoredBecause);
        Assert.Equal(["model_name_or_path", "offline"], isolated.Where(t => t.Value.IgnoredBecause is not null).Select(t => t.Key));
        var open = contract.TypesFor(networkIsolated: false, ["train"]);
        Assert.DoesNotContain(open, t => t.Value.IgnoredBecause is not null);
        Assert.Equal(contract.Types.Keys, open.Keys);
    }

    [Fact]
    public void Invalid_json_a_missing_file_and_a_bad_folder_name_are_named()
    {
        File.WriteAllText(Path.Combine(_copy, "translation", "hyperparameters.json"), "{\"hyperparameters\": {,}}");
        var bad = CopyRecipe("translation", "Translation_Two");
        File.Delete(Path.Combine(bad, "metric_definitions.json"));
        var problems = Problems();
        Assert.Contains(problems, p => p.StartsWith("training-scripts/translation/hyperparameters.json: not valid JSON (line 1, ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("training-scripts/Translation_Two/: the folder name is the recipe's name; allowed lowercase letters", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("training-scripts/Translation_Two/metric_definitions.json: missing;", StringComparison.Ordinal));
    }
}
