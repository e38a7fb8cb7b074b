namespace HfSageMaker.Constructs.Training;

/// <summary>How a tuning job reuses its parents' results (API enum <c>HyperParameterTuningJobWarmStartType</c>,
/// the SDK's <c>sagemaker.tuner.WarmStartTypes</c>).</summary>
public enum WarmStartType
{
    /// <summary>Same data and image as the parents; only the ranges and the limits may change.</summary>
    IdenticalDataAndAlgorithm,

    /// <summary>Data, image, ranges and static hyperparameters may change.</summary>
    TransferLearning,
}
