using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The <c>policy</c> of the <c>PrepareRequest</c> payload: the environment's guardrails and everything a run-time choice
/// changes, computed here at synthesis so that the function holds no SageMaker tables. Per allowed instance type: the
/// resource configuration's volume key and <c>sagemaker_instance_type</c> (<see cref="TrainingRequestBuilder"/>), and the
/// Service Quotas names and, where the recipe declares a value that needs it, whether the GPU computes in bfloat16
/// natively; the spot wait bounds; the job name rules and API limits (the validators' constants); the tuning enums and
/// the tuning rules of the strategies a run can reach (<see cref="TuningRules"/>); the recipe's declared hyperparameter types.
/// </summary>
internal static class PrepareRequestPolicy
{
    /// <summary>
    /// Strategies an execution may switch a tuning run to. Grid and Hyperband need a recipe built for them (what each
    /// takes: <see cref="TuningRules"/>), so a recipe chooses them at synthesis.
    /// </summary>
    public static readonly IReadOnlyList<TuningStrategy> RunTimeStrategies = [TuningStrategy.Bayesian, TuningStrategy.Random];

    /// <summary>Builds the policy (values may be tokens).</summary>
    public static Dictionary<string, object> Build(HuggingFaceTrainingPipelineProps props, TrainingJobResources resources)
    {
        var job = props.Job;
        var maxRuntimeSeconds = (long)props.MaxRuntime!.ToSeconds();
        var instanceTypes = new JsonObject();
        var needsNativeBf16 = job.HyperparameterTypes?.Values.Any(s => s.NeedsNativeBf16 is { Count: > 0 }) == true;
        foreach (var type in props.AllowedInstanceTypes!)
        {
            var choice = TrainingRequestBuilder.InstanceTypeChoice(job, resources, type);
            choice["quotaNames"] = new JsonObject { ["onDemand"] = TrainingQuotaNames.OnDemand(type), ["spot"] = TrainingQuotaNames.Spot(type) };
            if (needsNativeBf16 && !CdkTokens.IsUnresolved(type) && InstanceTypeCatalog.Find(type)?.NativeBf16 == false)
            {
                // The type's GPU has no native bfloat16 (the catalog): PrepareRequest refuses the recipe's values that need it.
                choice["nativeBf16"] = false;
            }

            instanceTypes[type] = choice;
        }

        var policy = new Dictionary<string, object>
        {
            ["jobNamePrefix"] = props.JobNamePrefix,
            ["jobNames"] = new Dictionary<string, object>
            {
                ["alphabet"] = TrainingDefinitionValidator.JobNameAlphabet,
                ["trainingMaxLength"] = TrainingDefinitionValidator.MaxTrainingJobNameLength,
                ["tuningMaxLength"] = TrainingDefinitionValidator.MaxTuningJobNameLength,
            },
            ["instanceTypes"] = CdkValues.From(instanceTypes)!,
            ["instanceCount"] = InstanceCount(props),
            ["maxRuntimeSeconds"] = maxRuntimeSeconds,
            ["spot"] = new Dictionary<string, object>
            {
                // What the builder sends (or would send with spot on): a run that changes only the run time keeps it, as
                // the SDK keeps an estimator's max_wait when max_run changes, raised to the run time where SageMaker
                // requires MaxWaitTimeInSeconds >= MaxRuntimeInSeconds (botocore StoppingCondition).
                ["defaultMaxWaitSeconds"] = TrainingRequestBuilder.MaxWaitSeconds(job),
                // The builder's default ratio (twice the run time) over the environment's maximum, at most 28 days.
                ["maxWaitSeconds"] = Math.Min(2 * maxRuntimeSeconds, TrainingDefinitionValidator.MaxRuntimeSeconds),
            },
            ["datasetsBucket"] = props.Buckets.Datasets.BucketName,
            // The channels a run may point elsewhere: the job's own (the builder adds the code channel of an isolated job).
            ["channels"] = (job.Channels ?? []).Select(c => c.Name).ToArray(),
            ["limits"] = new Dictionary<string, object>
            {
                ["hyperparameters"] = TrainingDefinitionValidator.MaxHyperparameters,
                ["hyperparameterKeyLength"] = TrainingDefinitionValidator.MaxHyperparameterKeyLength,
                ["hyperparameterValueLength"] = TrainingDefinitionValidator.MaxHyperparameterValueLength,
                ["s3UriLength"] = TrainingDefinitionValidator.MaxS3UriLength,
            },
            ["reservedHyperparameters"] = new Dictionary<string, object>
            {
                ["prefix"] = ReservedHyperparameters.ReservedPrefix,
                ["names"] = new[] { ReservedHyperparameters.ModelParallelParameters },
            },
        };
        if (job.HyperparameterTypes is { Count: > 0 } types)
        {
            // The recipe's declared hyperparameter types: PrepareRequest enforces them on every override.
            policy["hyperparameters"] = CdkValues.From(new JsonObject(types.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)Declaration(job, t.Key, t.Value)))))!;
        }

        if (HyperparameterRules(job) is { } rules)
        {
            // The recipe's cross-field rules: PrepareRequest checks them on the final request (runtime/rules.mjs).
            policy["hyperparameterRules"] = CdkValues.From(rules)!;
        }

        if (TrainingRequestBuilder.TrafficEncryptionFollowsInstanceCount(job))
        {
            // The builder's default (traffic encrypted when more than one instance runs) follows a run-time instance count.
            policy["encryptTrafficWhenMultiInstance"] = true;
        }

        if (props.Tuning is not null)
        {
            var tuning = new Dictionary<string, object>
            {
                ["maxJobs"] = props.MaxTuningJobs,
                ["maxParallelJobs"] = props.MaxParallelTuningJobs,
                ["strategies"] = RunTimeStrategies.Select(s => s.ToString()).ToArray(),
                ["earlyStoppingTypes"] = Enum.GetNames<EarlyStoppingType>(),
                ["scalingTypes"] = Enum.GetNames<ScalingType>(),
                ["warmStartTypes"] = Enum.GetNames<WarmStartType>(),
                ["tunedParameters"] = TrainingDefinitionValidator.MaxTunedParameters,
                ["categoricalValues"] = TuningValidator.MaxCategoricalValues,
                ["categoricalValueLength"] = TuningValidator.MaxCategoricalValueLength,
                ["warmStartParents"] = TuningValidator.MaxWarmStartParents,
                ["maxRandomSeed"] = TuningValidator.MaxRandomSeed,
            };
            // What the strategies a run can reach (the recipe's and RunTimeStrategies) and the range scalings take: the
            // tuning rules' own entries (TuningRules), which PrepareRequest checks the run's tuning overrides against.
            foreach (var (key, json) in TuningRules.PolicyJson([props.Tuning.Strategy, .. RunTimeStrategies]))
            {
                tuning[key] = CdkValues.From(json)!;
            }

            policy["tuning"] = tuning;
        }

        return policy;
    }

    /// <summary>
    /// The policy's <c>hyperparameterRules</c>: the job's rules and, for every name they read that the default request
    /// leaves out, the script's default (<see cref="HyperparameterSpec.ScriptDefault"/>, when not null), which the rules
    /// read when a run does not set it either. Null without rules.
    /// </summary>
    /// <param name="job">The job definition (validated).</param>
    internal static JsonObject? HyperparameterRules(HuggingFaceTrainingJobDefinition job)
    {
        if (job.HyperparameterRules is not { Count: > 0 } rules || job.HyperparameterTypes is not { } types)
        {
            return null;
        }

        var defaults = new JsonObject();
        foreach (var name in rules.SelectMany(r => r.Names()).Distinct(StringComparer.Ordinal))
        {
            if (!job.Hyperparameters.ContainsKey(name) && types.TryGetValue(name, out var spec) && spec.ScriptDefault is { } value)
            {
                defaults[name] = HyperparameterCondition.ToJsonValue(value);
            }
        }

        var json = new JsonObject { ["rules"] = new JsonArray([.. rules.Select(r => (JsonNode?)r.ToJson())]) };
        if (defaults.Count > 0) json["scriptDefaults"] = defaults;
        return json;
    }

    /// <summary>
    /// A declaration as PrepareRequest reads it (<see cref="HyperparameterSpec.ToJson"/>), with the script's default as
    /// <c>scriptDefault</c> where a value needs native bfloat16 and the default request leaves the name out (the run then
    /// gets the script's default, which PrepareRequest checks on the run's instance type).
    /// </summary>
    private static JsonObject Declaration(HuggingFaceTrainingJobDefinition job, string name, HyperparameterSpec spec)
    {
        var json = spec.ToJson();
        if (spec.NeedsNativeBf16 is { Count: > 0 } && !job.Hyperparameters.ContainsKey(name) && spec.ScriptDefault is { } value)
        {
            json["scriptDefault"] = HyperparameterCondition.ToJsonValue(value);
        }

        return json;
    }

    /// <summary>
    /// The instance counts a run may ask for (<see cref="HuggingFaceTrainingJobDefinition.MaxInstancesPerRun"/>): a job
    /// that runs on one instance without a distribution keeps one instance; a distribution, or a job built for several
    /// instances, lets a run use up to <c>MaxInstanceCount</c>.
    /// </summary>
    private static Dictionary<string, object> InstanceCount(HuggingFaceTrainingPipelineProps props)
    {
        var max = props.Job.MaxInstancesPerRun(props.MaxInstanceCount!.Value);
        var count = new Dictionary<string, object> { ["max"] = max };
        if (max < props.MaxInstanceCount)
        {
            count["why"] = "this recipe runs no distribution: every extra instance would train its own copy of the model";
        }

        return count;
    }
}
