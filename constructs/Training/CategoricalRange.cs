namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A categorical range (<c>CategoricalParameter</c>). For framework estimators the SDK sends each value
/// JSON-encoded (<c>parameter.py</c> <c>as_json_range</c>): <c>"adamw"</c> becomes <c>"\"adamw\""</c>, 16 becomes <c>"16"</c>.
/// </summary>
public sealed record CategoricalRange : ParameterRange
{
    /// <summary>Creates the range.</summary>
    /// <param name="name">Hyperparameter name.</param>
    /// <param name="values">1–30 distinct values, each encodable as JSON (as <c>json.dumps(str(value))</c>) in at most 256 characters.</param>
    public CategoricalRange(string name, params object?[] values)
        : base(name)
    {
        Values = values;
    }

    /// <summary>The candidate values.</summary>
    public IReadOnlyList<object?> Values { get; }
}
