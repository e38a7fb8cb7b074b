namespace HfSageMaker.Constructs.Training;

/// <summary>An integer range (<c>IntegerParameter</c>); bounds are sent as decimal integers.</summary>
public sealed record IntegerRange : ParameterRange
{
    /// <summary>Creates the range.</summary>
    /// <param name="name">Hyperparameter name.</param>
    /// <param name="min">Lower bound (&gt; 0 for logarithmic scaling).</param>
    /// <param name="max">Upper bound (≥ <paramref name="min"/>).</param>
    /// <param name="scaling">Sampling scale (not ReverseLogarithmic). Default: <see cref="ScalingType.Auto"/>.</param>
    public IntegerRange(string name, long min, long max, ScalingType scaling = ScalingType.Auto)
        : base(name)
    {
        Min = min;
        Max = max;
        Scaling = scaling;
    }

    /// <summary>Lower bound.</summary>
    public long Min { get; }

    /// <summary>Upper bound.</summary>
    public long Max { get; }

    /// <summary>Sampling scale.</summary>
    public ScalingType Scaling { get; }
}
