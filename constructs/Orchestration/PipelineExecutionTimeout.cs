using Amazon.CDK;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>The execution timeout when none is given: the worst case of every capacity attempt, plus an hour.</summary>
internal static class PipelineExecutionTimeout
{
    /// <summary>The default <see cref="HuggingFaceTrainingPipelineProps.ExecutionTimeout"/>.</summary>
    public static Duration Default(HuggingFaceTrainingPipelineProps props)
    {
        // Worst case per attempt: spot may wait up to twice the run time; tuning runs ceil(max jobs / parallel) rounds.
        var perJob = props.MaxRuntime!.ToSeconds() * 2;
        var rounds = props.Tuning is null ? 1 : Math.Ceiling(props.MaxTuningJobs / (double)Math.Max(1, props.MaxParallelTuningJobs));
        var delay = (props.CapacityRetryDelay ?? Duration.Minutes(10)).ToSeconds();
        var seconds = props.MaxCapacityAttempts * (perJob * rounds + delay) + 3600;
        return Duration.Seconds(Math.Min(seconds, 365d * 24 * 3600));
    }
}
