namespace HfSageMaker.Constructs.Training;

/// <summary>Direction of a tuning objective (API enum <c>HyperParameterTuningJobObjectiveType</c>).</summary>
public enum TuningObjectiveType
{
    /// <summary>Lower is better, e.g. a loss.</summary>
    Minimize,

    /// <summary>Higher is better, e.g. an accuracy (the SDK default).</summary>
    Maximize,
}
