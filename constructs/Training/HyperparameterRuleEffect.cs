namespace HfSageMaker.Constructs.Training;

/// <summary>What a broken <see cref="HyperparameterRule"/> does.</summary>
public enum HyperparameterRuleEffect
{
    /// <summary>The run is refused before any job starts (and the script refuses the values at start).</summary>
    Refuse,

    /// <summary>The run goes ahead; PrepareRequest reports the message in the execution output's <c>settings.notes</c> (its <c>summary.notes</c>)
    /// (and the script logs it): for a value the job does not use.</summary>
    Note,
}
