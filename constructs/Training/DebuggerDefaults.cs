using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// The SDK's rules for <c>DebugHookConfig</c> and <c>ProfilerConfig</c> on a HuggingFace training job
/// (<c>estimator.py</c> <c>_validate_and_set_debugger_configs</c>, <c>Framework._validate_and_set_debugger_configs</c>,
/// <c>_prepare_profiler_for_training</c>; <c>fw_utils.py</c> <c>DEBUGGER_UNSUPPORTED_REGIONS</c> /
/// <c>PROFILER_UNSUPPORTED_REGIONS</c>). A region that is an unresolved token counts as supported.
/// </summary>
internal static class DebuggerDefaults
{
    /// <summary><c>fw_utils.py</c> <c>DEBUGGER_UNSUPPORTED_REGIONS</c> (v2.257.6; <c>PROFILER_UNSUPPORTED_REGIONS</c> is the same list).</summary>
    public static readonly IReadOnlyList<string> UnsupportedRegions =
    [
        "us-iso-east-1", "us-isob-east-1", "ap-southeast-3", "ap-southeast-4", "eu-south-2", "me-central-1", "ap-south-2",
        "eu-central-2", "us-gov-east-1",
    ];

    public static bool RegionSupported(TrainingJobResources res) =>
        res.Region is null || CdkTokens.IsUnresolved(res.Region) || !UnsupportedRegions.Contains(res.Region.ToLowerInvariant());

    /// <summary>
    /// <c>Framework._validate_and_set_debugger_configs</c>: with both <c>checkpoint_s3_uri</c> and
    /// <c>checkpoint_local_path</c>, a PyTorch-based estimator with a distribution drops the hook; HuggingFace always has
    /// one (<c>self.distribution = distribution or {}</c>, never None).
    /// </summary>
    public static bool CheckpointsDisableHook(HuggingFaceTrainingJobDefinition def, TrainingJobResources res) =>
        !string.IsNullOrEmpty(res.CheckpointS3Uri) && !string.IsNullOrEmpty(def.CheckpointLocalPath);

    public static bool HookEnabled(HuggingFaceTrainingJobDefinition def, TrainingJobResources res) =>
        def.DebuggerHook ?? (RegionSupported(res) && !CheckpointsDisableHook(def, res));

    public static bool ProfilerEnabled(HuggingFaceTrainingJobDefinition def, TrainingJobResources res) =>
        def.Profiler ?? RegionSupported(res);

    public static void Check(List<string> problems, HuggingFaceTrainingJobDefinition def, TrainingJobResources res)
    {
        if (def.DebuggerHook == true && !RegionSupported(res))
        {
            problems.Add($"DebuggerHook: true, but SageMaker Debugger is not available in {res.Region} (the SDK's DEBUGGER_UNSUPPORTED_REGIONS); leave it unset or set false.");
        }

        if (def.DebuggerHook == true && CheckpointsDisableHook(def, res))
        {
            problems.Add("DebuggerHook: true together with CheckpointLocalPath and a checkpoint S3 prefix; the debugger hook does not support checkpointing jobs of Hugging Face estimators (the SDK drops the hook then). Leave DebuggerHook unset or remove CheckpointLocalPath.");
        }

        if (def.Profiler == true && !RegionSupported(res))
        {
            problems.Add($"Profiler: true, but the SageMaker Debugger profiler is not available in {res.Region} (the SDK's PROFILER_UNSUPPORTED_REGIONS); leave it unset or set false.");
        }
    }
}
