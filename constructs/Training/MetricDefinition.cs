namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A metric SageMaker extracts from the job's log with a regular expression (first capture group is the value);
/// tuning objectives must name one of these.
/// </summary>
/// <param name="Name">Metric name, 1–255 characters.</param>
/// <param name="Regex">Regular expression over the log, 1–500 characters, e.g. <c>'eval_loss': ([0-9.e-]+)</c>.</param>
public sealed record MetricDefinition(string Name, string Regex);
