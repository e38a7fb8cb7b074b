using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Recipes;
using HfSageMaker.Tests.Orchestration;
using Xunit;

namespace HfSageMaker.Tests.BadInput;

/// <summary>
/// Run-time hyperparameter types: each recipe declares once what its script accepts; the declaration fits
/// the recipe's own values and is embedded in the pipeline's policy, where PrepareRequest enforces it. The C# side
/// writes every recipe's declaration for the contract test against the script's parser
/// (tests/node/csharp-output/hyperparameter-contract.test.mjs).
/// </summary>
public sealed class HyperparameterTypesTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    /// <summary>Every recipe: name, job definition, script directory relative to the repository root.</summary>
    internal static IEnumerable<(string Recipe, HuggingFaceTrainingJobDefinition Job, string ScriptDirectory)> Recipes() =>
        RecipeRegistry.All.Select(r => (r.Name, r.Job(Guardrails(r), networkIsolated: true, "datasets-bucket", RecipePipelineFixture.ScriptDirectoryOf(r)), r.ScriptDirectory));

    /// <summary>The guardrails each recipe's pipeline fixture uses.</summary>
    private static Infra.Configuration.TrainingConfig Guardrails(TrainingRecipe recipe) =>
        recipe.Name == "llm-sft" ? LlmSftPipelineFixture.Training : PipelineFixture.Training;

    /// <summary>A pipeline around <paramref name="job"/> (validation runs in the constructor).</summary>
    private static HuggingFaceTrainingPipeline Build(HuggingFaceTrainingJobDefinition job)
    {
        var stack = new Amazon.CDK.Stack(new Amazon.CDK.App(), "HpTypes");
        var role = new Amazon.CDK.AWS.IAM.Role(stack, "Role", new Amazon.CDK.AWS.IAM.RoleProps { AssumedBy = new Amazon.CDK.AWS.IAM.ServicePrincipal("sagemaker.amazonaws.com") });
        Amazon.CDK.AWS.S3.Bucket NewBucket(string id) => new(stack, id);
        return new HuggingFaceTrainingPipeline(stack, "P", new HuggingFaceTrainingPipelineProps
        {
            Job = job,
            ExecutionRole = role,
            Buckets = Orchestration.TestBuckets.Import(stack, NewBucket("D"), NewBucket("A"), NewBucket("C")),
            ImageUri = HuggingFaceImage.Uri(RecipeRegistry.Get("translation").TransformersVersion, RecipeRegistry.Get("translation").PytorchVersion, RecipeRegistry.Get("translation").PythonVersion, "ml.g5.2xlarge", PipelineFixture.Region),
            SourceCode = TrainingSourceCode.FromDirectory(stack, "Code", PipelineFixture.ScriptDirectory),
            NotificationTopic = new Amazon.CDK.AWS.SNS.Topic(stack, "T"),
            AllowedInstanceTypes = PipelineFixture.Training.AllowedInstanceTypes,
            MaxInstanceCount = 2,
            MaxRuntime = Amazon.CDK.Duration.Hours(8),
            JobNamePrefix = RecipeRegistry.Get("translation").JobNamePrefixIn("test"),
        });
    }

    [Fact]
    public void EveryRecipe_DeclaresEveryHyperparameterItSends_AndItsValuesFit()
    {
        foreach (var (recipe, job, _) in Recipes())
        {
            Assert.NotNull(job.HyperparameterTypes);
            foreach (var (name, value) in job.Hyperparameters)
            {
                Assert.True(job.HyperparameterTypes!.TryGetValue(name, out var spec), $"{recipe}: {name} is not declared");
                Assert.Null(spec!.Problem(value));
            }
        }
    }

    [Fact]
    public void Declarations_AreWritten_ForTheContractTest()
    {
        var target = Path.Combine(PipelineFixture.ResultsDirectory, "hyperparameter-contract");
        Directory.CreateDirectory(target);
        var written = 0;
        foreach (var (recipe, job, scripts) in Recipes())
        {
            var request = RecipePipelineFixture.LiteralRequests(RecipeRegistry.Get(recipe), Guardrails(RecipeRegistry.Get(recipe))).Train;
            // The recipe's sourcedir.tar.gz as the pipeline builds it: the contract test runs the parser from it, as the job does.
            var archive = Path.Combine(target, recipe + ".tar.gz");
            File.WriteAllBytes(archive, TrainingSourceCode.CreateArchive(RecipePipelineFixture.ScriptDirectoryOf(RecipeRegistry.Get(recipe)), TrainingRecipe.SourceCodeOptions(RecipePipelineFixture.RepositoryRoot)));
            var document = new JsonObject
            {
                ["recipe"] = recipe,
                ["scriptDirectory"] = scripts,
                ["archive"] = archive,
                ["declarations"] = new JsonObject(job.HyperparameterTypes!.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value.ToJson()))),
                ["hyperparameterRules"] = PrepareRequestPolicy.HyperparameterRules(job),
                ["defaults"] = new JsonObject { ["training"] = request.DeepClone() },
            };
            File.WriteAllText(Path.Combine(target, recipe + ".json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            written++;
        }

        Assert.Equal(Recipes().Count(), written);
    }

    [Fact]
    public void Policy_InTheSynthesizedDefinition_CarriesTheDeclarations()
    {
        var definition = pipeline.TemplateJson
            .ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .Replace("\\\"", "\"", StringComparison.Ordinal);
        Assert.Contains("\"hyperparameters\":{\"model_name_or_path\":{\"kind\":\"string\"", definition);
        Assert.Contains("\"max_train_samples\":{\"kind\":\"integer\",\"nullable\":true,\"allowed\":\"an integer >= 1, or null\",\"minimum\":1}", definition);
        // What the script would not use in this pipeline's jobs (every job has a model channel; the fixture is isolated).
        Assert.Contains("\"model_name_or_path\":{\"kind\":\"string\",\"nullable\":false,\"allowed\":\"a string\",\"ignored\":\"the script does not use it: the 'model' channel", definition);
        Assert.Contains("\"offline\":{\"kind\":\"boolean\",\"nullable\":false,\"allowed\":\"true or false\",\"ignored\":", definition);
        // The cross-field rules, with the script defaults of the names they read that the default request leaves out.
        Assert.Contains("\"hyperparameterRules\":{\"rules\":[{\"when\":{\"fp16\":{\"in\":[true]},\"bf16\":{\"in\":[\"true\"]}}", definition);
        // bf16's vocabulary (training-scripts/hf_recipe/vocabularies.json) and the word that needs native bfloat16; the one
        // allowed type without it (the fixture allows ml.p3.2xlarge) is marked, the others are not.
        var bf16 = JsonNode.Parse(PolicyOf(pipeline.TemplateJson))!["hyperparameters"]!["bf16"]!;
        Assert.Equal("\"auto\", \"true\" or \"false\" (any case; \"yes\" or \"1\" for \"true\", \"no\" or \"0\" for \"false\")", (string?)bf16["allowed"]);
        Assert.Equal("""{"name":"autoBoolean","words":["auto","true","false"],"spellings":{"auto":["auto"],"true":["true","yes","1"],"false":["false","no","0"]},"blanks":" \t\n\u000B\f\r"}""",
            bf16["vocabulary"]!.ToJsonString());
        Assert.Equal("""["true"]""", bf16["needsNativeBf16"]!.ToJsonString());
        var policy = JsonNode.Parse(PolicyOf(pipeline.TemplateJson))!["instanceTypes"]!.AsObject();
        Assert.Equal(["ml.p3.2xlarge"], policy.Where(t => t.Value!["nativeBf16"] is not null).Select(t => t.Key));
        Assert.False((bool)policy["ml.p3.2xlarge"]!["nativeBf16"]!);
        Assert.Contains("\"scriptDefaults\":{\"eval_strategy\":\"epoch\",\"save_steps\":500,\"save_strategy\":\"epoch\",\"save_total_limit\":2,\"max_steps\":-1}", definition);
    }

    [Fact]
    public void Pipeline_RefusesRulesOverUndeclaredNamesAndTestsThatCanNeverHold()
    {
        var job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, networkIsolated: true, "datasets-bucket", PipelineFixture.ScriptDirectory);
        HyperparameterRule[] rules =
        [
            new() { When = new Dictionary<string, HyperparameterCondition> { ["fp17"] = HyperparameterCondition.OneOf(true) }, Message = "m" },
            new() { When = new Dictionary<string, HyperparameterCondition> { ["eval_strategy"] = HyperparameterCondition.OneOf("hourly") }, Message = "m" },
            new() { When = new Dictionary<string, HyperparameterCondition> { ["fp16"] = new() { Matches = "^t" } }, Message = "m" },
            new() { When = new Dictionary<string, HyperparameterCondition> { ["bf16"] = new() { Matches = "^(" } }, Message = " " },
            new() { When = new Dictionary<string, HyperparameterCondition> { ["seed"] = new() }, Message = "m" },
            new() { When = new Dictionary<string, HyperparameterCondition> { ["eval_steps"] = HyperparameterCondition.NoneOf([null]) }, Message = "m" },
        ];

        var ex = Assert.Throws<ArgumentException>(() => Build(job with { HyperparameterRules = rules }));

        Assert.Contains("Job.HyperparameterRules[0].When['fp17'] is 'fp17'; not a declared hyperparameter; name one of Job.HyperparameterTypes (model_name_or_path, ", ex.Message);
        Assert.Contains("Job.HyperparameterRules[1].When['eval_strategy'] is 'hourly'; the test names a value eval_strategy never has; name values the script accepts (one of \"no\", \"steps\", \"epoch\").", ex.Message);
        Assert.Contains("Job.HyperparameterRules[2].When['fp16'] is '^t'; Matches tests strings; fp16 is Boolean.", ex.Message);
        Assert.Contains("Job.HyperparameterRules[3].When['bf16'] is '^('; not a regular expression PrepareRequest can run", ex.Message);
        Assert.Contains("Job.HyperparameterRules[3].Message is ' '; say what is wrong and the fix.", ex.Message);
        Assert.Contains("Job.HyperparameterRules[4].When['seed'] is '(no test)'; give Given, IsNull, In, NotIn or Matches.", ex.Message);
        // A null in a list would not survive the policy (CDK drops nulls inside arrays): IsNull tests it.
        Assert.Contains("Job.HyperparameterRules[5].When['eval_steps'] is 'null'; In and NotIn name strings, numbers or booleans; test null with IsNull.", ex.Message);
        Assert.Throws<ArgumentException>(() => Build(job with { HyperparameterTypes = null }));
    }

    [Fact]
    public void Pipeline_RefusesVocabularyTestsOfAnotherSpellingAndAVocabularyBesideChoices()
    {
        var job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, networkIsolated: true, "datasets-bucket", PipelineFixture.ScriptDirectory);
        HyperparameterRule[] rules = [new() { When = new Dictionary<string, HyperparameterCondition> { ["bf16"] = HyperparameterCondition.OneOf("yes") }, Message = "m" }];
        var types = new Dictionary<string, HyperparameterSpec>(job.HyperparameterTypes!);
        types["bf16"] = types["bf16"] with { Choices = ["auto"], NeedsNativeBf16 = ["YES"] };

        var ex = Assert.Throws<ArgumentException>(() => Build(job with { HyperparameterRules = rules, HyperparameterTypes = types }));

        Assert.Contains("Job.HyperparameterRules[0].When['bf16'] is 'yes'; the rules compare the word a value spells; name words of bf16's vocabulary (auto, true, false).", ex.Message);
        Assert.Contains("Job.HyperparameterTypes['bf16'].Vocabulary is 'autoBoolean'; a vocabulary applies to a String without Choices or Pattern", ex.Message);
        Assert.Contains("Job.HyperparameterTypes['bf16'].NeedsNativeBf16 is 'YES'; name values bf16 takes, as the words of its vocabulary (auto, true, false).", ex.Message);
    }

    [Theory]
    [InlineData("ml.p3.2xlarge", "TRUE", "Job.Hyperparameters['bf16'] is 'TRUE'; needs a GPU that computes in bfloat16 natively, and Job.InstanceType ml.p3.2xlarge has none (compute capability 7.0); give \"auto\" or \"false\", or an instance type whose GPU has it.")]
    [InlineData("ml.g5.2xlarge", "TRUE", null)]
    [InlineData("ml.p3.2xlarge", "auto", null)]
    public void Pipeline_RefusesARecipeValueThatNeedsNativeBf16OnItsOwnInstanceType(string instanceType, string bf16, string? expected)
    {
        var job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, networkIsolated: true, "datasets-bucket", PipelineFixture.ScriptDirectory);
        var changed = job with { InstanceType = instanceType, Hyperparameters = new Dictionary<string, object?>(job.Hyperparameters) { ["bf16"] = bf16 } };
        if (expected is null)
        {
            Assert.NotNull(Build(changed));
            return;
        }

        var ex = Assert.Throws<ArgumentException>(() => Build(changed));
        Assert.Contains(expected, ex.Message);
    }

    /// <summary>The PrepareRequest policy in a synthesized template (the Lambda task's payload); references inside the
    /// definition's Fn::Join stand inside JSON strings, so a placeholder keeps it JSON.</summary>
    private static string PolicyOf(JsonObject template)
    {
        var machine = template["Resources"]!.AsObject().Select(r => r.Value!).Single(r => (string?)r["Type"] == "AWS::StepFunctions::StateMachine");
        var parts = machine["Properties"]!["DefinitionString"]!["Fn::Join"]![1]!.AsArray();
        var definition = string.Concat(parts.Select(p => p is JsonValue value ? value.GetValue<string>() : "ref"));
        using var doc = JsonDocument.Parse(definition);
        return doc.RootElement.GetProperty("States").GetProperty("PrepareRequest").GetProperty("Parameters").GetProperty("Payload").GetProperty("policy").GetRawText();
    }

    [Theory]
    [InlineData(2.5, "2.5 is not allowed; allowed an integer >= 1")]
    [InlineData("many", "\"many\" is not allowed; allowed an integer >= 1")]
    [InlineData(0, "0 is not allowed; allowed an integer >= 1")]
    public void Pipeline_RefusesARecipeWhoseOwnValueBreaksItsDeclaration(object value, string expected)
    {
        var job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, networkIsolated: true, "datasets-bucket", PipelineFixture.ScriptDirectory);
        var hyperparameters = new Dictionary<string, object?>(job.Hyperparameters) { ["max_source_length"] = value };
        var ex = Assert.Throws<ArgumentException>(() => Build(job with { Hyperparameters = hyperparameters }));
        Assert.Contains($"Job.Hyperparameters['max_source_length'] is '", ex.Message);
        Assert.Contains($"'; {expected} (its declared type).", ex.Message);
    }

    [Fact]
    public void Pipeline_RefusesAValueWithoutADeclaredType()
    {
        var job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, networkIsolated: true, "datasets-bucket", PipelineFixture.ScriptDirectory);
        var hyperparameters = new Dictionary<string, object?>(job.Hyperparameters) { ["dropout"] = 0.1 };
        var ex = Assert.Throws<ArgumentException>(() => Build(job with { Hyperparameters = hyperparameters }));
        Assert.Contains("Job.HyperparameterTypes is 'dropout'; it has a value in Job.Hyperparameters but no declared type", ex.Message);
    }
}
