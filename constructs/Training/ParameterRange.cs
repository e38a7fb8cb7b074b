namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A tuned hyperparameter (the SDK's <c>sagemaker.parameter.ParameterRange</c>). The name must not also be a static
/// hyperparameter the tuner should keep: tuned keys are removed from the static hyperparameters, as the SDK does.
/// </summary>
public abstract record ParameterRange
{
    private protected ParameterRange(string name)
    {
        Name = name;
    }

    /// <summary>Hyperparameter name, at most 256 characters, not reserved (<c>sagemaker_*</c>).</summary>
    public string Name { get; }
}
