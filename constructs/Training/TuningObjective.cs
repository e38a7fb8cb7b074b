namespace HfSageMaker.Constructs.Training;

/// <summary>The metric a tuning job optimises; must be one of the definition's <see cref="HuggingFaceTrainingJobDefinition.MetricDefinitions"/>.</summary>
/// <param name="MetricName">Name of a metric definition.</param>
/// <param name="Type">Whether to minimise or maximise it.</param>
public sealed record TuningObjective(string MetricName, TuningObjectiveType Type);
