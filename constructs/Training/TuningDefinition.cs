using Amazon.CDK;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A hyperparameter tuning job over a <see cref="HuggingFaceTrainingJobDefinition"/>, the SDK's
/// <c>sagemaker.tuner.HyperparameterTuner</c>.
/// </summary>
public sealed record TuningDefinition
{
    /// <summary>The metric to optimise; must be one of the job's metric definitions.</summary>
    public required TuningObjective Objective { get; init; }

    /// <summary>Tuned hyperparameters: at most 30 in total (API limit across the three range kinds). Grid takes categorical ranges only.</summary>
    public required IReadOnlyList<ParameterRange> Ranges { get; init; }

    /// <summary>Search strategy. Default: <see cref="TuningStrategy.Bayesian"/>.</summary>
    public TuningStrategy Strategy { get; init; } = TuningStrategy.Bayesian;

    /// <summary>Maximum training jobs (<c>max_jobs</c>), ≥ 1; must not be set for Grid. Default: 1 for non-Grid strategies (the SDK default), not sent for Grid.</summary>
    public int? MaxJobs { get; init; }

    /// <summary>Training jobs run in parallel (<c>max_parallel_jobs</c>), ≥ 1. Default: 1.</summary>
    public int MaxParallelJobs { get; init; } = 1;

    /// <summary>Early stopping. Default: <see cref="EarlyStoppingType.Off"/>.</summary>
    public EarlyStoppingType EarlyStopping { get; init; } = EarlyStoppingType.Off;

    /// <summary>
    /// Hyperband's resource bounds (<c>strategy_config</c>); only with <see cref="TuningStrategy.Hyperband"/>.
    /// Default: not sent; SageMaker then infers <c>MaxResource</c> from an epochs-like static hyperparameter, which is
    /// required at synthesis (see <see cref="HyperbandStrategyConfig.MaxResource"/>).
    /// </summary>
    public HyperbandStrategyConfig? Hyperband { get; init; }

    /// <summary>Seed of the search (<c>random_seed</c>, <c>RandomSeed</c>), at least 0, so a rerun proposes the same
    /// configurations. Default: not sent (SageMaker picks one).</summary>
    public int? RandomSeed { get; init; }

    /// <summary>Wall-clock limit of the whole tuning job (<c>max_runtime_in_seconds</c>,
    /// <c>ResourceLimits.MaxRuntimeInSeconds</c>), 120 seconds to 15768000 seconds (182.5 days). Default: not sent.</summary>
    public Duration? MaxRuntime { get; init; }

    /// <summary>Early completion of the whole tuning job (<c>completion_criteria_config</c>). Default: not sent.</summary>
    public TuningCompletionCriteria? CompletionCriteria { get; init; }

    /// <summary>Warm start from earlier tuning jobs (<c>warm_start_config</c>). Default: not sent (a cold start); the
    /// pipeline also takes it per execution.</summary>
    public TuningWarmStart? WarmStart { get; init; }
}
