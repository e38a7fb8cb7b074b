namespace HfSageMaker.Constructs.Registry;

/// <summary>
/// When a run's artifact holds weights the serving image can serve: only when the run's hyperparameter
/// <see cref="Hyperparameter"/> has the value <see cref="EqualsValue"/> as the job received it (JSON-decoded, as the
/// training toolkit decodes it; for a boolean, Python's <c>str()</c> of it too, <c>"True"</c>, which a tuned categorical
/// value arrives as). Otherwise the pipeline registers the version without an <c>InferenceSpecification</c> (no image
/// is declared for an artifact it cannot serve), pending manual approval, with <see cref="Otherwise"/> as its
/// description. Example: the llm-sft recipe saves whole weights only with <c>merge_adapter</c>.
/// </summary>
/// <param name="Hyperparameter">A hyperparameter of the job, e.g. <c>merge_adapter</c>.</param>
/// <param name="EqualsValue">The value that makes the artifact servable: a string, number or boolean.</param>
/// <param name="Otherwise">What the artifact holds otherwise and what to do, at most 1024 characters (the version's
/// <c>ModelPackageDescription</c>).</param>
public sealed record ServableWhen(string Hyperparameter, object EqualsValue, string Otherwise);
