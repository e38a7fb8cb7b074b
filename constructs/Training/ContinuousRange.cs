namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A continuous range (<c>ContinuousParameter</c>); bounds are sent as Python's <c>str()</c> of a float,
/// e.g. <c>5e-05</c>, <c>0.1</c>, <c>1.0</c>.
/// </summary>
public sealed record ContinuousRange : ParameterRange
{
    /// <summary>Creates the range.</summary>
    /// <param name="name">Hyperparameter name.</param>
    /// <param name="min">Lower bound (finite; &gt; 0 for logarithmic scaling).</param>
    /// <param name="max">Upper bound (finite, ≥ <paramref name="min"/>).</param>
    /// <param name="scaling">Sampling scale. Default: <see cref="ScalingType.Auto"/>.</param>
    public ContinuousRange(string name, double min, double max, ScalingType scaling = ScalingType.Auto)
        : base(name)
    {
        Min = min;
        Max = max;
        Scaling = scaling;
    }

    /// <summary>Lower bound.</summary>
    public double Min { get; }

    /// <summary>Upper bound.</summary>
    public double Max { get; }

    /// <summary>Sampling scale.</summary>
    public ScalingType Scaling { get; }
}
