using Amazon.CDK;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Managed spot training (<c>EnableManagedSpotTraining</c>): cheaper capacity that can be interrupted; the job
/// resumes from the checkpoint prefix (<see cref="TrainingJobResources.CheckpointS3Uri"/> is required).
/// </summary>
public sealed class SpotTrainingOptions
{
    /// <summary>
    /// Total time the job may take including waiting for spot capacity (<c>StoppingCondition.MaxWaitTimeInSeconds</c>);
    /// must be at least <see cref="HuggingFaceTrainingJobDefinition.MaxRuntime"/> and at most 28 days.
    /// Default: twice the maximum runtime, capped at 28 days.
    /// </summary>
    public Duration? MaxWait { get; init; }
}
