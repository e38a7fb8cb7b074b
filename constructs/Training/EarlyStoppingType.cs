namespace HfSageMaker.Constructs.Training;

/// <summary>Early stopping of a tuning job's training jobs (API enum <c>TrainingJobEarlyStoppingType</c>).</summary>
public enum EarlyStoppingType
{
    /// <summary>Every training job runs to completion (the SDK default).</summary>
    Off,

    /// <summary>SageMaker stops jobs unlikely to beat the best one so far.</summary>
    Auto,
}
