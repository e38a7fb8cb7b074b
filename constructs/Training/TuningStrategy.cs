namespace HfSageMaker.Constructs.Training;

/// <summary>Search strategy of a tuning job (API enum <c>HyperParameterTuningJobStrategyType</c>).</summary>
public enum TuningStrategy
{
    /// <summary>Bayesian optimisation (the SDK default).</summary>
    Bayesian,

    /// <summary>Random search.</summary>
    Random,

    /// <summary>Hyperband: stops under-performing jobs itself, so <see cref="EarlyStoppingType.Auto"/> is not allowed.</summary>
    Hyperband,

    /// <summary>Every combination of categorical values; no maximum job count is sent.</summary>
    Grid,
}
