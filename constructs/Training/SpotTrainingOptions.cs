using Amazon.CDK;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Managed spot training (<c>EnableManagedSpotTraining</c>): cheaper capacity that can be interrupted; the job
/// resumes from the checkpoint prefix (the pipeline always sends one: <c>s3://&lt;Buckets.Checkpoints&gt;/&lt;JobNamePrefix&gt;</c>).
/// </summary>
public sealed record SpotTrainingOptions
{
    /// <summary>
    /// Total time the job may take including waiting for spot capacity (<c>StoppingCondition.MaxWaitTimeInSeconds</c>);
    /// must be at least <see cref="HuggingFaceTrainingJobDefinition.MaxRuntime"/> and at most 28 days.
    /// Default: twice the maximum runtime, capped at 28 days.
    /// </summary>
    public Duration? MaxWait { get; init; }
}
