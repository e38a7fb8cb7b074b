using System.Text.RegularExpressions;
using Amazon.CDK;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// Validates <see cref="HuggingFaceTrainingPipelineProps"/> at synthesis: the guardrails themselves, and the recipe
/// against the guardrails (an execution with an empty input must pass them).
/// </summary>
internal static class PipelinePropsValidator
{
    private static readonly Regex PrefixPattern = new("^[a-zA-Z0-9](-*[a-zA-Z0-9])*\\z", RegexOptions.CultureInvariant);

    /// <summary>Checks every prop and throws one <see cref="ArgumentException"/> listing every problem.</summary>
    /// <exception cref="ArgumentException">Every invalid prop, in one message.</exception>
    public static void Validate(HuggingFaceTrainingPipelineProps props)
    {
        var problems = new List<string>();
        if (props.JobNamePrefix is null || props.JobNamePrefix.Length is < 1 or > HuggingFaceTrainingPipeline.MaxJobNamePrefixLength || !PrefixPattern.IsMatch(props.JobNamePrefix))
        {
            problems.Add($"JobNamePrefix: '{props.JobNamePrefix}' is invalid; use 1 to {HuggingFaceTrainingPipeline.MaxJobNamePrefixLength} characters [a-zA-Z0-9](-*[a-zA-Z0-9])* (job names are '<prefix>-<execution>', 32 characters at most for tuning jobs, shortened to '<first 23 characters>-<8 hex>': the prefix must survive that).");
        }
        if (props.PrepareRequestReservedConcurrency is < 1)
        {
            problems.Add($"PrepareRequestReservedConcurrency: {props.PrepareRequestReservedConcurrency} is invalid; use 1 or more, or leave it unset to reserve nothing.");
        }
        if (props.AllowedInstanceTypes is null || props.AllowedInstanceTypes.Count == 0)
        {
            problems.Add("AllowedInstanceTypes: empty; list the instance types executions may use, e.g. ml.g5.2xlarge.");
        }
        if (props.MaxInstanceCount is < 1 or > 64)
        {
            problems.Add($"MaxInstanceCount: {props.MaxInstanceCount} is invalid; use 1 to 64.");
        }
        if (!Token.IsUnresolved(props.MaxRuntime) && Seconds(props.MaxRuntime) is < 1 or > 28 * 24 * 3600)
        {
            problems.Add($"MaxRuntime: {props.MaxRuntime.ToHumanString()} is invalid; use 1 second to 28 days.");
        }
        if (props.MaxTuningJobs < 1)
        {
            problems.Add($"MaxTuningJobs: {props.MaxTuningJobs} is invalid; use 1 or more.");
        }
        if (props.MaxParallelTuningJobs < 1)
        {
            problems.Add($"MaxParallelTuningJobs: {props.MaxParallelTuningJobs} is invalid; use 1 or more.");
        }
        if (props.MaxCapacityAttempts is < 1 or > 5)
        {
            problems.Add($"MaxCapacityAttempts: {props.MaxCapacityAttempts} is invalid; use 1 to 5.");
        }
        if (props.Vpc is not null && (props.SecurityGroups is null || props.SecurityGroups.Count is < 1 or > 5))
        {
            problems.Add($"SecurityGroups: {props.SecurityGroups?.Count ?? 0} given with a Vpc; give 1 to 5 security groups for the jobs.");
        }
        if (props.Vpc is null && props.SecurityGroups is { Count: > 0 })
        {
            problems.Add("SecurityGroups: given without a Vpc; give the Vpc too, or drop the security groups.");
        }
        if (props.MaxTuningJobs > 500)
        {
            problems.Add($"MaxTuningJobs: {props.MaxTuningJobs} is invalid; SageMaker allows 1 to 500 training jobs per tuning job.");
        }
        if (props.MaxParallelTuningJobs > 100)
        {
            problems.Add($"MaxParallelTuningJobs: {props.MaxParallelTuningJobs} is invalid; SageMaker allows 1 to 100.");
        }
        if (props.MaxParallelTuningJobs > props.MaxTuningJobs)
        {
            problems.Add($"MaxParallelTuningJobs: {props.MaxParallelTuningJobs} exceeds MaxTuningJobs {props.MaxTuningJobs}; at most as many in parallel as in all.");
        }
        if (props.ExecutionTimeout is { } timeout && !Token.IsUnresolved(timeout) && Seconds(timeout) is < 1 or > 365d * 24 * 3600)
        {
            problems.Add($"ExecutionTimeout: {timeout.ToHumanString()} is invalid; a standard workflow runs 1 second to 1 year.");
        }
        if (props.CapacityRetryDelay is { } delay && !Token.IsUnresolved(delay) && Seconds(delay) is < 1 or > 24 * 3600)
        {
            problems.Add($"CapacityRetryDelay: {delay.ToHumanString()} is invalid; use 1 second to 1 day.");
        }
        if (props.ImageUri is not null)
        {
            try
            {
                HuggingFaceImage.ValidateImageUri(props.ImageUri);
            }
            catch (ArgumentException e)
            {
                problems.Add($"ImageUri: {e.Message}");
            }
        }
        if (props.Job is not null && props.AllowedInstanceTypes is { Count: > 0 })
        {
            AddRecipeProblems(problems, props);
        }
        Throw(problems);
    }

    private static bool IsReservedHyperparameter(string name) =>
        name.StartsWith("sagemaker_", StringComparison.Ordinal) || name == ReservedHyperparameters.ModelParallelParameters;

    /// <summary>A <see cref="Duration"/> in seconds without the integral-conversion error of <c>ToSeconds()</c>.</summary>
    private static double Seconds(Duration duration) => duration.ToSeconds(new TimeConversionOptions { Integral = false });

    private static void AddRecipeProblems(List<string> problems, HuggingFaceTrainingPipelineProps props)
    {
        // The declared hyperparameter types are the run-time contract: the recipe's own values must fit them, and every
        // value the recipe sends must be declared (else an execution could not even restate the default).
        if (props.Job.HyperparameterTypes is { } types)
        {
            foreach (var (name, value) in props.Job.Hyperparameters)
            {
                if (IsReservedHyperparameter(name))
                {
                    continue;
                }

                if (!types.TryGetValue(name, out var spec))
                {
                    problems.Add($"Job.HyperparameterTypes: '{name}' has a value in Job.Hyperparameters but no declared type; declare it (e.g. HyperparameterSpec.Integer(minimum: 1)).");
                }
                else if (spec.Problem(value) is { } problem)
                {
                    problems.Add($"Job.Hyperparameters['{name}']: {problem} (its declared type).");
                }
            }

            foreach (var (name, spec) in types)
            {
                if (IsReservedHyperparameter(name))
                {
                    problems.Add($"Job.HyperparameterTypes: '{name}' is reserved for SageMaker; declare only the script's own hyperparameters.");
                }
                else if (spec.Choices is not null && spec.Kind != HyperparameterKind.String)
                {
                    problems.Add($"Job.HyperparameterTypes['{name}']: Choices apply to strings only; use Minimum/Maximum for {spec.Kind}.");
                }
            }
        }

        // The recipe itself must sit within the guardrails, or every execution with an empty input would be refused.
        if (!props.AllowedInstanceTypes.Contains(props.Job.InstanceType))
        {
            problems.Add($"Job.InstanceType: '{props.Job.InstanceType}' is not in AllowedInstanceTypes ({string.Join(", ", props.AllowedInstanceTypes)}).");
        }
        // Executions may switch to any allowed type: each must pass the builder's own instance-type rules, or a run-time
        // override could send a request TrainingRequestBuilder would have refused (a CPU type, SMDDP on an unsupported type).
        foreach (var type in props.AllowedInstanceTypes)
        {
            if (CdkTokens.IsUnresolved(type))
            {
                continue;
            }
            if (GpuInstanceTypes.Explain(type) is { } notGpu)
            {
                problems.Add($"AllowedInstanceTypes: {notGpu}");
            }
            else if (props.Job.Distribution is DistributionConfig.SmdDataParallel && !InstanceTypes.SmdDataParallel.Contains(type))
            {
                problems.Add($"AllowedInstanceTypes: SMDDP does not support '{type}'; with Job.Distribution SmdDataParallel allow only {string.Join(", ", InstanceTypes.SmdDataParallel)}.");
            }
        }
        if (props.Job.InstanceCount > props.MaxInstanceCount)
        {
            problems.Add($"Job.InstanceCount: {props.Job.InstanceCount} exceeds MaxInstanceCount {props.MaxInstanceCount}.");
        }
        // The builder's default (the SDK's) is one day.
        var runtime = props.Job.MaxRuntime is { } jobRuntime ? Seconds(jobRuntime) : 86400;
        if (!Token.IsUnresolved(props.MaxRuntime) && runtime > Seconds(props.MaxRuntime))
        {
            problems.Add($"Job.MaxRuntime: {runtime} seconds exceeds MaxRuntime {Seconds(props.MaxRuntime)} seconds.");
        }
        if (props.Tuning is not null)
        {
            if ((props.Tuning.MaxJobs ?? 1) > props.MaxTuningJobs)
            {
                problems.Add($"Tuning.MaxJobs: {props.Tuning.MaxJobs} exceeds MaxTuningJobs {props.MaxTuningJobs}.");
            }
            if (props.Tuning.MaxParallelJobs > props.MaxParallelTuningJobs)
            {
                problems.Add($"Tuning.MaxParallelJobs: {props.Tuning.MaxParallelJobs} exceeds MaxParallelTuningJobs {props.MaxParallelTuningJobs}.");
            }
        }
    }

    private static void Throw(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid HuggingFaceTrainingPipelineProps:\n - " + string.Join("\n - ", problems));
        }
    }
}
