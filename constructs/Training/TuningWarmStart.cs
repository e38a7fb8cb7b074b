namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Warm start from earlier tuning jobs (<c>sagemaker.tuner.WarmStartConfig</c>, sent as the request's
/// <c>WarmStartConfig</c>, <c>tuner.py</c> <c>WarmStartConfig.to_input_req</c>).
/// </summary>
/// <param name="Type">How the parents' results are reused.</param>
/// <param name="Parents">1-5 parent tuning job names (API limit), each a valid tuning job name.</param>
public sealed record TuningWarmStart(WarmStartType Type, IReadOnlyList<string> Parents);
