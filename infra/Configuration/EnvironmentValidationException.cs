namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// Thrown when one or more environment files are invalid. <see cref="Errors"/> holds every problem found, one line
/// each, in the form <c>environments/dev.json: training.maxRuntimeHours: 1000 is out of range; allowed 1..672 (28 days).</c>
/// </summary>
public sealed class EnvironmentValidationException : ArgumentException
{
    /// <summary>Creates the exception from the collected problems (at least one).</summary>
    public EnvironmentValidationException(IReadOnlyList<string> errors)
        : base($"{errors.Count} problem(s) in the environment files:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
    {
        Errors = errors;
    }

    /// <summary>Every problem found, one self-contained line each (file, field, value, what is allowed).</summary>
    public IReadOnlyList<string> Errors { get; }
}
