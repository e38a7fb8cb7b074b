using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// IAM condition blocks that cap what a principal may spend through <c>sagemaker:CreateTrainingJob</c> and
/// <c>sagemaker:CreateHyperParameterTuningJob</c>: only the allowed instance types, and no job whose stopping
/// condition exceeds the maximum run time. The state machine validates the same limits on its input; these conditions
/// make IAM refuse a request that slips past the validation (or that a person sends with the role's credentials).
/// </summary>
/// <remarks>
/// <para>Key semantics, from the Service Authorization Reference for SageMaker (both keys are listed for both actions):</para>
/// <list type="bullet">
/// <item><c>sagemaker:InstanceTypes</c> is <c>ArrayOfString</c>, "all instance types associated with the resource in the
/// request". <c>ForAllValues:StringEquals</c> allows a request only if every type is in the list, but it also matches when
/// the key is absent, so a <c>Null</c> = <c>false</c> test requires the key to be present.</item>
/// <item><c>sagemaker:MaxRuntimeInSeconds</c> is <c>Numeric</c>, "the maximum runtime of the stopping condition associated
/// with the request". For <c>CreateTrainingJob</c> that is the required <c>StoppingCondition</c>: a plain (non set)
/// operator does not match when the key is absent, so <c>NumericLessThanEquals</c> alone refuses a request without one.</item>
/// <item>For <c>CreateHyperParameterTuningJob</c> the reference does not say which field feeds the key: the training
/// definition's <c>StoppingCondition.MaxRuntimeInSeconds</c>, the tuner's optional
/// <c>ResourceLimits.MaxRuntimeInSeconds</c> (which the SDK and this library leave unset), or none. Under the last two
/// readings the key is absent and a plain <c>NumericLessThanEquals</c> denies every tuning request, so the tuning action
/// gets <c>NumericLessThanEqualsIfExists</c>: it still caps the value whenever SageMaker supplies one, and the state
/// machine's input validation (PrepareRequest) enforces the cap on the training definition either way. The two
/// actions therefore need separate statements (<see cref="Apply"/> refuses a statement with both).</item>
/// </list>
/// <para>Gaps no IAM key covers (the state machine's input validation is the only guard): the instance count, spot
/// <c>MaxWaitTimeInSeconds</c>, warm pool <c>KeepAlivePeriodInSeconds</c>, the tuning job's
/// <c>MaxNumberOfTrainingJobs</c>/<c>MaxParallelTrainingJobs</c>, and the tuning job's own
/// <c>ResourceLimits.MaxRuntimeInSeconds</c>.</para>
/// </remarks>
public static class TrainingCostConditions
{
    /// <summary>The condition key listing every instance type of a training or tuning request.</summary>
    public const string InstanceTypesKey = "sagemaker:InstanceTypes";

    /// <summary>The condition key carrying the request's <c>StoppingCondition.MaxRuntimeInSeconds</c>.</summary>
    public const string MaxRuntimeKey = "sagemaker:MaxRuntimeInSeconds";

    /// <summary>The largest <c>MaxRuntimeInSeconds</c> SageMaker accepts for a training job: 28 days.</summary>
    public static readonly Duration MaxSupportedRuntime = Duration.Days(28);

    /// <summary>The actions these conditions are meant for; both support both condition keys.</summary>
    public static IReadOnlyList<string> GuardedActions { get; } =
        ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"];

    /// <summary>The action whose request may carry no <see cref="MaxRuntimeKey"/> (see the remarks).</summary>
    public const string TuningAction = "sagemaker:CreateHyperParameterTuningJob";

    /// <summary>
    /// The condition block for <paramref name="allowedInstanceTypes"/> and <paramref name="maxRuntime"/>, ready for
    /// <see cref="PolicyStatement.AddConditions"/> or <see cref="PolicyStatementProps.Conditions"/>: for
    /// <c>CreateTrainingJob</c>, or with <paramref name="forTuning"/> for <c>CreateHyperParameterTuningJob</c>, where the
    /// run-time cap uses <c>NumericLessThanEqualsIfExists</c>.
    /// </summary>
    /// <param name="allowedInstanceTypes">SageMaker instance types (<c>ml.g5.2xlarge</c>), at least one, no duplicates.</param>
    /// <param name="maxRuntime">Largest allowed <c>MaxRuntimeInSeconds</c>; whole seconds, 1 second to 28 days.</param>
    /// <param name="forTuning">True for the tuning action (see the remarks). Default: false.</param>
    /// <exception cref="ArgumentException">Every problem found, in one message.</exception>
    public static IDictionary<string, object> For(IReadOnlyList<string> allowedInstanceTypes, Duration maxRuntime, bool forTuning = false)
    {
        var (types, seconds) = Validate(allowedInstanceTypes, maxRuntime);
        return new Dictionary<string, object>
        {
            ["ForAllValues:StringEquals"] = new Dictionary<string, object> { [InstanceTypesKey] = InstanceTypeValues(types) },
            ["Null"] = new Dictionary<string, object> { [InstanceTypesKey] = "false" },
            [forTuning ? "NumericLessThanEqualsIfExists" : "NumericLessThanEquals"] = new Dictionary<string, object>
            {
                [MaxRuntimeKey] = seconds.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    /// <summary>
    /// The values of <see cref="InstanceTypesKey"/> that allow <paramref name="allowedInstanceTypes"/>: every type, each a
    /// training instance type of <see cref="InstanceTypeCatalog"/> (botocore <c>TrainingInstanceType</c>) or a token. The
    /// one place IAM instance-type conditions are made from (the pipeline's role and the notebook policy).
    /// </summary>
    /// <param name="allowedInstanceTypes">SageMaker instance types, at least one, no duplicates.</param>
    /// <returns>The condition values.</returns>
    /// <exception cref="ArgumentException">Every problem found, in one message.</exception>
    public static string[] InstanceTypeValues(IReadOnlyList<string> allowedInstanceTypes)
    {
        var problems = new List<string>();
        var types = CheckInstanceTypes(allowedInstanceTypes, problems);
        if (problems.Count > 0)
            throw new ArgumentException("Invalid training cost conditions:\n - " + string.Join("\n - ", problems));
        return types;
    }

    /// <summary>
    /// Adds the conditions of <see cref="For"/> to <paramref name="statement"/>, which allows exactly one of
    /// <see cref="GuardedActions"/> (the keys are absent from other SageMaker requests, so the <c>Null</c> test would
    /// refuse them; and the two actions need different run-time operators).
    /// </summary>
    /// <exception cref="ArgumentException">Every problem found, in one message; or the statement allows an action the
    /// keys do not apply to, or both guarded actions.</exception>
    public static PolicyStatement Apply(PolicyStatement statement, IReadOnlyList<string> allowedInstanceTypes, Duration maxRuntime)
    {
        var unsupported = statement.Actions.Where(a => !GuardedActions.Contains(a, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (unsupported.Length > 0)
            throw new ArgumentException(
                $"TrainingCostConditions.Apply: the statement allows [{string.Join(", ", unsupported)}]; the cost conditions only apply to "
                + $"[{string.Join(", ", GuardedActions)}]. Put other actions in a separate statement.", nameof(statement));
        var tuning = statement.Actions.Contains(TuningAction, StringComparer.OrdinalIgnoreCase);
        if (tuning && statement.Actions.Length > 1)
            throw new ArgumentException(
                $"TrainingCostConditions.Apply: the statement allows [{string.Join(", ", statement.Actions)}]; put {TuningAction} in a "
                + "statement of its own: its request may carry no sagemaker:MaxRuntimeInSeconds, so its cap uses NumericLessThanEqualsIfExists "
                + "while sagemaker:CreateTrainingJob keeps NumericLessThanEquals.", nameof(statement));
        statement.AddConditions(For(allowedInstanceTypes, maxRuntime, tuning));
        return statement;
    }

    private static (string[] Types, long Seconds) Validate(IReadOnlyList<string>? allowedInstanceTypes, Duration? maxRuntime)
    {
        var problems = new List<string>();
        var types = CheckInstanceTypes(allowedInstanceTypes, problems);

        long seconds = 0;
        if (maxRuntime is null)
            problems.Add("maxRuntime is null; give the largest allowed MaxRuntimeInSeconds as a Duration, e.g. Duration.Hours(24).");
        else if (maxRuntime.IsUnresolved())
            problems.Add("maxRuntime is an unresolved token; IAM conditions need a concrete number of seconds.");
        else
        {
            var ms = maxRuntime.ToMilliseconds(new TimeConversionOptions { Integral = false });
            seconds = (long)Math.Floor(ms / 1000);
            if (ms % 1000 != 0)
                problems.Add($"maxRuntime is {ms} ms; MaxRuntimeInSeconds is a whole number of seconds.");
            var limit = (long)MaxSupportedRuntime.ToSeconds();
            if (seconds < 1 || seconds > limit)
                problems.Add($"maxRuntime is {seconds} seconds; SageMaker allows 1 to {limit} seconds (28 days).");
        }

        if (problems.Count > 0)
            throw new ArgumentException("Invalid training cost conditions:\n - " + string.Join("\n - ", problems));
        return (types, seconds);
    }

    private static string[] CheckInstanceTypes(IReadOnlyList<string>? allowedInstanceTypes, List<string> problems)
    {
        var types = (allowedInstanceTypes ?? []).ToArray();
        if (types.Length == 0)
            problems.Add("allowedInstanceTypes is empty; list at least one SageMaker instance type, e.g. 'ml.g5.2xlarge'.");
        foreach (var t in types.Where(t => t is null || (!CdkTokens.IsUnresolved(t) && InstanceTypeCatalog.Find(t)?.IsTrainingType != true)))
            problems.Add($"allowedInstanceTypes contains '{t}'; expected a SageMaker training instance type such as 'ml.g5.2xlarge' (botocore TrainingInstanceType, constructs/Training/Catalog/instance-types.json).");
        foreach (var d in types.Where(t => t is not null).GroupBy(t => t, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"allowedInstanceTypes lists '{d.Key}' {d.Count()} times; list each type once.");
        return types;
    }
}
