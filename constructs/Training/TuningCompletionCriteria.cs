namespace HfSageMaker.Constructs.Training;

/// <summary>
/// When the tuning job stops before <c>MaxJobs</c> (<c>sagemaker.tuner.TuningJobCompletionCriteriaConfig</c>, sent as
/// <c>TuningJobCompletionCriteria</c>, <c>tuner.py</c> <c>TuningJobCompletionCriteriaConfig.to_input_req</c>).
/// Only the members that are set are sent.
/// </summary>
/// <param name="TargetObjectiveMetricValue">Stop once a job reaches this objective value. Default: not sent.</param>
/// <param name="MaxNumberOfTrainingJobsNotImproving">Stop after this many jobs (at least 3) without a better objective
/// (<c>BestObjectiveNotImproving</c>). Default: not sent.</param>
/// <param name="CompleteOnConvergence">Stop when SageMaker detects convergence (<c>ConvergenceDetected</c>:
/// <c>Enabled</c>/<c>Disabled</c>). Default: not sent.</param>
public sealed record TuningCompletionCriteria(
    double? TargetObjectiveMetricValue = null,
    int? MaxNumberOfTrainingJobsNotImproving = null,
    bool? CompleteOnConvergence = null);
