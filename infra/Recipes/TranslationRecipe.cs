using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// The translation recipe: fine-tune a sequence-to-sequence model (T5 by default) with
/// <c>training-scripts/translation/train.py</c> on the Hugging Face PyTorch DLC, within an environment's guardrails.
/// Data scientists change runs through the state machine input; the recipe changes through a pull request.
/// Its construct ids are those of the platform's first recipe (<c>TranslationPipeline</c>, <c>Monitoring</c>), so no
/// logical id changed when recipes became a concept.
/// </summary>
public sealed class TranslationRecipe : TrainingRecipe
{
    /// <summary>The recipe (recipes hold no state).</summary>
    public static TranslationRecipe Instance { get; } = new();

    /// <inheritdoc />
    public override string Name => "translation";

    /// <inheritdoc />
    public override string ShortName => "translate";

    /// <inheritdoc />
    public override string ConstructIdPrefix => "Translation";

    /// <summary>The platform's original monitoring id, kept: <c>Monitoring</c>.</summary>
    public override string MonitoringConstructId => "Monitoring";

    /// <inheritdoc />
    public override string Description => "fine-tune a sequence-to-sequence model (T5) for translation";

    /// <inheritdoc />
    public override string TransformersVersion => "4.36.0";

    /// <inheritdoc />
    public override string PytorchVersion => "2.1.0";

    /// <inheritdoc />
    public override string PythonVersion => "py310";

    /// <summary>Any GPU training type: t5-small fits every one (16 GiB, the smallest, is enough).</summary>
    public override int MinimumGpuMemoryGiB => 16;

    /// <inheritdoc />
    public override string MinimumGpuMemoryReason => "t5-small and t5-base fine-tune on one 16 GiB GPU";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> DataPrefixes { get; } = new Dictionary<string, string>
    {
        ["train"] = "translation/wmt16-de-en/train/",
        ["validation"] = "translation/wmt16-de-en/validation/",
        ["model"] = "models/t5-small/",
    };

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> Hyperparameters(bool networkIsolated) => new Dictionary<string, object?>
    {
        ["model_name_or_path"] = "t5-small",
        ["source_lang"] = "en",
        ["target_lang"] = "de",
        ["source_prefix"] = "translate English to German: ",
        ["max_source_length"] = 128,
        ["max_target_length"] = 128,
        ["num_train_epochs"] = 3,
        ["learning_rate"] = 5e-5,
        ["lr_scheduler_type"] = "linear",
        ["per_device_train_batch_size"] = 16,
        ["per_device_eval_batch_size"] = 16,
        ["gradient_accumulation_steps"] = 1,
        ["warmup_steps"] = 0,
        ["weight_decay"] = 0.0,
        ["fp16"] = false,
        ["bf16"] = "auto",
        ["seed"] = 42,
        ["max_train_samples"] = null,
        ["offline"] = networkIsolated,
    };

    /// <summary>
    /// What <c>train.py</c> accepts for each hyperparameter (<c>args.py</c>'s <c>HYPERPARAMETERS</c> and its checks), so
    /// PrepareRequest refuses an override the script would refuse before any job starts. A contract test runs the
    /// script's parser over the same probe values (tests/node/csharp-output/hyperparameter-contract.test.mjs).
    /// </summary>
    public override IReadOnlyDictionary<string, HyperparameterSpec> HyperparameterTypes { get; } = new Dictionary<string, HyperparameterSpec>
    {
        ["model_name_or_path"] = HyperparameterSpec.String(),
        ["source_lang"] = HyperparameterSpec.String(minLength: 1),
        ["target_lang"] = HyperparameterSpec.String(minLength: 1),
        ["source_lang_code"] = HyperparameterSpec.String() with { Nullable = true },
        ["target_lang_code"] = HyperparameterSpec.String() with { Nullable = true },
        ["source_prefix"] = HyperparameterSpec.String(),
        ["max_source_length"] = HyperparameterSpec.Integer(minimum: 1),
        ["max_target_length"] = HyperparameterSpec.Integer(minimum: 1),
        ["num_train_epochs"] = HyperparameterSpec.Float(exclusiveMinimum: 0),
        ["max_steps"] = HyperparameterSpec.Integer(),
        ["per_device_train_batch_size"] = HyperparameterSpec.Integer(minimum: 1),
        ["per_device_eval_batch_size"] = HyperparameterSpec.Integer(minimum: 1),
        ["gradient_accumulation_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["learning_rate"] = HyperparameterSpec.Float(),
        ["weight_decay"] = HyperparameterSpec.Float(),
        ["warmup_steps"] = HyperparameterSpec.Integer(),
        ["lr_scheduler_type"] = HyperparameterSpec.String(choices: ["linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup"]),
        ["fp16"] = HyperparameterSpec.Boolean(),
        ["bf16"] = Bf16Setting,
        ["seed"] = HyperparameterSpec.Integer(),
        ["eval_strategy"] = HyperparameterSpec.String(choices: ["no", "steps", "epoch"]),
        ["eval_steps"] = HyperparameterSpec.Integer(nullable: true),
        ["save_strategy"] = HyperparameterSpec.String(choices: ["no", "steps", "epoch"]),
        ["save_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["save_total_limit"] = HyperparameterSpec.Integer(nullable: true),
        ["logging_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["generation_max_length"] = HyperparameterSpec.Integer(nullable: true),
        ["num_beams"] = HyperparameterSpec.Integer(nullable: true),
        ["max_train_samples"] = HyperparameterSpec.Integer(minimum: 1, nullable: true),
        ["max_eval_samples"] = HyperparameterSpec.Integer(minimum: 1, nullable: true),
        ["offline"] = HyperparameterSpec.Boolean(),
        ["checkpoint_dir"] = HyperparameterSpec.String(),
    };

    /// <summary>The recipe's tuning job: maximise BLEU over the learning rate and warm-up.</summary>
    /// <param name="training">The environment's tuning limits.</param>
    /// <returns>The tuning definition.</returns>
    public override TuningDefinition Tuning(TrainingConfig training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new TuningDefinition
        {
            Objective = new TuningObjective("eval_bleu", TuningObjectiveType.Maximize),
            Ranges =
            [
                new ContinuousRange("learning_rate", 1e-5, 1e-4, ScalingType.Logarithmic),
                new IntegerRange("warmup_steps", 0, 500),
            ],
            Strategy = TuningStrategy.Bayesian,
            MaxJobs = Math.Min(training.MaxTuningJobs, 8),
            MaxParallelJobs = Math.Min(training.MaxParallelTuningJobs, 2),
        };
    }
}
