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
    /// The hook: on by default outside the unsupported regions. Checkpoints do not turn it off for a HuggingFace
    /// estimator: <c>Framework._validate_and_set_debugger_configs</c> drops the hook for checkpointing distributed jobs
    /// only when <c>self._framework_name in {"mxnet", "pytorch", "tensorflow"}</c> (<c>estimator.py</c> line 3737,
    /// v2.257.6), and the HuggingFace estimator's is <c>"huggingface"</c> (<c>huggingface/estimator.py</c> line 33).
    /// </summary>
    public static bool HookEnabled(HuggingFaceTrainingJobDefinition def, TrainingJobResources res) =>
        def.DebuggerHook ?? RegionSupported(res);

    public static bool ProfilerEnabled(HuggingFaceTrainingJobDefinition def, TrainingJobResources res) =>
        def.Profiler ?? RegionSupported(res);

    public static void Check(List<string> problems, HuggingFaceTrainingJobDefinition def, TrainingJobResources res)
    {
        if (def.DebuggerHook == true && !RegionSupported(res))
        {
            problems.Add($"DebuggerHook: true, but SageMaker Debugger is not available in {res.Region} (the SDK's DEBUGGER_UNSUPPORTED_REGIONS); leave it unset or set false.");
        }

        if (def.Profiler == true && !RegionSupported(res))
        {
            problems.Add($"Profiler: true, but the SageMaker Debugger profiler is not available in {res.Region} (the SDK's PROFILER_UNSUPPORTED_REGIONS); leave it unset or set false.");
        }
    }
}
