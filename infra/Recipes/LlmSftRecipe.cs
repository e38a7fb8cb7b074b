using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// The LLM supervised fine-tuning recipe: LoRA (optionally QLoRA 4-bit) instruction tuning of a causal language model
/// (Llama 3.1 8B Instruct by default) with <c>training-scripts/llm-sft/train.py</c> on the Hugging Face PyTorch DLC
/// 2.8.0 / transformers 4.56.2 / py312, the way the <c>HuggingFace</c> estimator submits it. The script, its
/// hyperparameters, metrics and channels follow the recipe contract (README, "The LLM fine-tuning recipe").
/// </summary>
public sealed class LlmSftRecipe : TrainingRecipe
{
    /// <summary>The recipe (recipes hold no state).</summary>
    public static LlmSftRecipe Instance { get; } = new();

    /// <inheritdoc />
    public override string Name => "llm-sft";

    /// <inheritdoc />
    public override string ShortName => "llmsft";

    /// <inheritdoc />
    public override string ConstructIdPrefix => "LlmSft";

    /// <inheritdoc />
    public override string Description => "LoRA instruction fine-tuning of a causal LLM (Llama 3.1 8B Instruct)";

    /// <inheritdoc />
    public override string TransformersVersion => "4.56.2";

    /// <inheritdoc />
    public override string PytorchVersion => "2.8.0";

    /// <inheritdoc />
    public override string PythonVersion => "py312";

    /// <summary>24 GiB per GPU: ml.g5 (A10G), ml.g6 (L4) and larger; never ml.g4dn (T4, 16 GiB) or ml.p3 (V100 16 GiB).</summary>
    public override int MinimumGpuMemoryGiB => 24;

    /// <inheritdoc />
    public override string MinimumGpuMemoryReason =>
        "an 8B model's bf16 weights alone take about 16 GB, and LoRA training adds activations, adapter and optimizer state";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> DataPrefixes { get; } = new Dictionary<string, string>
    {
        ["train"] = "llm-sft/instructions/train/",
        ["validation"] = "llm-sft/instructions/validation/",
        ["model"] = "models/llama-3.1-8b-instruct/",
    };

    /// <summary>
    /// The contract's hyperparameters with their defaults (<c>model_name_or_path</c> is ignored when the <c>model</c>
    /// channel is present, as it always is here; <c>offline</c> follows the network mode).
    /// </summary>
    /// <param name="networkIsolated">Whether jobs run without network access.</param>
    /// <returns>Name to default value.</returns>
    public override IReadOnlyDictionary<string, object?> Hyperparameters(bool networkIsolated) => new Dictionary<string, object?>
    {
        ["model_name_or_path"] = "meta-llama/Llama-3.1-8B-Instruct",
        ["max_seq_length"] = 2048,
        ["packing"] = false,
        ["attn_implementation"] = "auto",
        ["num_train_epochs"] = 1.0,
        ["max_steps"] = -1,
        ["learning_rate"] = 2e-4,
        ["lr_scheduler_type"] = "cosine",
        ["warmup_ratio"] = 0.03,
        ["weight_decay"] = 0.0,
        ["per_device_train_batch_size"] = 2,
        ["per_device_eval_batch_size"] = 2,
        ["gradient_accumulation_steps"] = 8,
        ["gradient_checkpointing"] = true,
        ["lora_r"] = 16,
        ["lora_alpha"] = 32,
        ["lora_dropout"] = 0.05,
        ["lora_target_modules"] = "all-linear",
        ["load_in_4bit"] = false,
        ["bf16"] = "auto",
        ["merge_adapter"] = false,
        ["eval_steps"] = null,
        ["save_steps"] = 200,
        ["logging_steps"] = 10,
        ["seed"] = 42,
        ["max_train_samples"] = null,
        ["max_eval_samples"] = null,
        ["offline"] = networkIsolated,
    };

    /// <summary>
    /// What <c>training-scripts/llm-sft/args.py</c> accepts for each hyperparameter (its <c>HYPERPARAMETERS</c> and range
    /// checks), so PrepareRequest refuses an override the script would refuse before any job starts; the contract test
    /// replays probe values through the script's parser (tests/node/csharp-output/hyperparameter-contract.test.mjs).
    /// </summary>
    public override IReadOnlyDictionary<string, HyperparameterSpec> HyperparameterTypes { get; } = new Dictionary<string, HyperparameterSpec>
    {
        ["model_name_or_path"] = HyperparameterSpec.String(),
        ["max_seq_length"] = HyperparameterSpec.Integer(minimum: 16),
        ["packing"] = HyperparameterSpec.Boolean(),
        ["attn_implementation"] = HyperparameterSpec.String(choices: ["auto", "sdpa", "eager", "flash_attention_2"]),
        ["num_train_epochs"] = HyperparameterSpec.Float(exclusiveMinimum: 0),
        ["max_steps"] = HyperparameterSpec.Integer(minimum: -1, excluded: [0]),
        ["learning_rate"] = HyperparameterSpec.Float(exclusiveMinimum: 0),
        ["lr_scheduler_type"] = HyperparameterSpec.String(choices: ["linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup"]),
        ["warmup_ratio"] = HyperparameterSpec.Float(minimum: 0, exclusiveMaximum: 1),
        ["weight_decay"] = HyperparameterSpec.Float(minimum: 0),
        ["per_device_train_batch_size"] = HyperparameterSpec.Integer(minimum: 1),
        ["per_device_eval_batch_size"] = HyperparameterSpec.Integer(minimum: 1),
        ["gradient_accumulation_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["gradient_checkpointing"] = HyperparameterSpec.Boolean(),
        ["lora_r"] = HyperparameterSpec.Integer(minimum: 1),
        ["lora_alpha"] = HyperparameterSpec.Integer(minimum: 1),
        ["lora_dropout"] = HyperparameterSpec.Float(minimum: 0, exclusiveMaximum: 1),
        ["lora_target_modules"] = HyperparameterSpec.String(
            pattern: @"^(\s*all-linear\s*|(\s*,)*\s*[A-Za-z_][A-Za-z0-9_.]*\s*(,\s*([A-Za-z_][A-Za-z0-9_.]*\s*)?)*)(?![\s\S])",
            patternMeaning: "\"all-linear\" or comma-separated module names such as \"q_proj,k_proj,v_proj,o_proj\""),
        ["load_in_4bit"] = HyperparameterSpec.Boolean(),
        ["bf16"] = Bf16Setting,
        ["merge_adapter"] = HyperparameterSpec.Boolean(),
        ["eval_steps"] = HyperparameterSpec.Integer(minimum: 1, nullable: true),
        ["save_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["logging_steps"] = HyperparameterSpec.Integer(minimum: 1),
        ["seed"] = HyperparameterSpec.Integer(),
        ["max_train_samples"] = HyperparameterSpec.Integer(minimum: 1, nullable: true),
        ["max_eval_samples"] = HyperparameterSpec.Integer(minimum: 1, nullable: true),
        ["offline"] = HyperparameterSpec.Boolean(),
    };

    /// <summary>
    /// torchrun (one process per GPU, <c>sagemaker_torch_distributed_enabled</c>) when a run may use more than one GPU:
    /// an allowed type with several GPUs or more than one instance. That is the <c>distribution</c> the SDK's
    /// <c>HuggingFace</c> estimator offers for PyTorch 2.8.0 on GPU; on a one-GPU type it starts one process, so a run
    /// that picks a smaller type still works. Otherwise none, as the SDK sends without <c>distribution</c>.
    /// </summary>
    /// <param name="training">The recipe's guardrails in the environment.</param>
    /// <returns>Torchrun or null.</returns>
    public override DistributionConfig? Distribution(TrainingConfig training)
    {
        ArgumentNullException.ThrowIfNull(training);
        var multiGpu = training.MaxInstanceCount > 1
            || training.AllowedInstanceTypes.Any(t => (InstanceTypeCatalog.Find(t)?.Gpus ?? 1) > 1);
        return multiGpu ? new DistributionConfig.Torchrun() : null;
    }

    /// <summary>The recipe's tuning job: minimise the evaluation loss over the learning rate and the LoRA rank.</summary>
    /// <param name="training">The recipe's tuning limits in the environment.</param>
    /// <returns>The tuning definition.</returns>
    public override TuningDefinition Tuning(TrainingConfig training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new TuningDefinition
        {
            Objective = new TuningObjective("eval_loss", TuningObjectiveType.Minimize),
            Ranges =
            [
                new ContinuousRange("learning_rate", 1e-5, 5e-4, ScalingType.Logarithmic),
                new CategoricalRange("lora_r", 8, 16, 32, 64),
            ],
            Strategy = TuningStrategy.Bayesian,
            MaxJobs = Math.Min(training.MaxTuningJobs, 8),
            MaxParallelJobs = Math.Min(training.MaxParallelTuningJobs, 2),
        };
    }
}
