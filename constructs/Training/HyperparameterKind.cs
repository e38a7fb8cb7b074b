namespace HfSageMaker.Constructs.Training;

/// <summary>The JSON kind a training script parses a hyperparameter as.</summary>
public enum HyperparameterKind
{
    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A whole JSON number (2.5 is rejected).</summary>
    Integer,

    /// <summary>Any finite JSON number.</summary>
    Float,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
}
