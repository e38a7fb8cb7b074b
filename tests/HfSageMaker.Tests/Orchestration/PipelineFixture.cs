using System.Text.Json.Nodes;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>
/// The translation recipe's pipeline, synthesized once (see <see cref="RecipePipelineFixture"/>): writes
/// <c>state-machines/translation-pipeline.template.json</c> and <c>requests/translation-{train,tune}.json</c>.
/// </summary>
public sealed class PipelineFixture() : RecipePipelineFixture(RecipeRegistry.Get("translation"), Training)
{
    public static TrainingConfig Training { get; } = new()
    {
        AllowedInstanceTypes = ["ml.g5.2xlarge", "ml.g5.12xlarge", "ml.p3.2xlarge"],
        DefaultInstanceType = "ml.g5.2xlarge",
        MaxInstanceCount = 2,
        SpotByDefault = true,
        MaxRuntimeHours = 8,
        MaxTuningJobs = 10,
        MaxParallelTuningJobs = 2,
    };

    public static string ScriptDirectory => ScriptDirectoryOf(RecipeRegistry.Get("translation"));

    /// <summary>The translation recipe's requests with literal values (what SageMaker would receive for a named job).</summary>
    public static (JsonObject Train, JsonObject Tune) LiteralRequests() => LiteralRequests(RecipeRegistry.Get("translation"), Training);
}

/// <summary>
/// The llm-sft recipe's pipeline, synthesized once: writes <c>state-machines/llm-sft-pipeline.template.json</c> and
/// <c>requests/llm-sft-{train,tune}.json</c>. Guardrails as <c>environments/staging.json</c> gives them (a 4-GPU type
/// allowed, so the job is launched with torchrun).
/// </summary>
public sealed class LlmSftPipelineFixture() : RecipePipelineFixture(RecipeRegistry.Get("llm-sft"), Training)
{
    public static TrainingConfig Training { get; } = new()
    {
        AllowedInstanceTypes = ["ml.g5.2xlarge", "ml.g5.12xlarge"],
        DefaultInstanceType = "ml.g5.2xlarge",
        MaxInstanceCount = 1,
        SpotByDefault = true,
        MaxRuntimeHours = 24,
        MaxTuningJobs = 10,
        MaxParallelTuningJobs = 2,
    };
}
