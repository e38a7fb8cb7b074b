namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A hyperparameter tuning job over a <see cref="HuggingFaceTrainingJobDefinition"/>, the SDK's
/// <c>sagemaker.tuner.HyperparameterTuner</c>.
/// </summary>
public sealed class TuningDefinition
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
}
