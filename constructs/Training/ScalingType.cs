namespace HfSageMaker.Constructs.Training;

/// <summary>How a tuning job samples a numeric range (API enum <c>HyperParameterScalingType</c>).</summary>
public enum ScalingType
{
    /// <summary>SageMaker chooses (the SDK default).</summary>
    Auto,

    /// <summary>Uniform over the range.</summary>
    Linear,

    /// <summary>Uniform over the logarithm; the minimum must be greater than 0.</summary>
    Logarithmic,

    /// <summary>Dense near 1; continuous ranges only, within 0 ≤ x &lt; 1.</summary>
    ReverseLogarithmic,
}
