using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// Validates <see cref="HuggingFaceTrainingPipelineProps"/> at synthesis and fills in the defaults: the guardrails
/// themselves, the recipe against the guardrails (an execution with an empty input must pass them) and the
/// cross-checks of <see cref="PipelineCrossChecks"/> (image, entry point, subnets). Every problem is collected and
/// thrown as one <see cref="ArgumentException"/> in the library's format (construct path, prop, value, what is
/// allowed and the fix; see <see cref="PropsValidation"/>).
/// </summary>
internal static class PipelinePropsValidator
{
    private static readonly Regex PrefixPattern = new(@"^[a-zA-Z0-9](-*[a-zA-Z0-9])*\z", RegexOptions.CultureInvariant);

    /// <summary>One day: the SageMaker Python SDK's default <c>max_run</c>, and the builder's.</summary>
    private const double DefaultJobRuntimeSeconds = 86400;

    /// <summary>The props with the role, guardrail, image and subnet defaults filled in (the topic is created by the
    /// pipeline) and what the jobs get from the platform, after every check passed: the props, the job's and the
    /// tuning job's rules (the request builder's, reported with <c>Job.</c> and <c>Tuning.</c> before the field), all in
    /// one pass.</summary>
    /// <exception cref="ArgumentException">Every invalid prop, in one message.</exception>
    public static (HuggingFaceTrainingPipelineProps Props, ISelectedSubnets? Subnets, TrainingJobResources Resources) Resolve(
        HuggingFaceTrainingPipeline scope, HuggingFaceTrainingPipelineProps props)
    {
        var v = new PropsValidation(scope, nameof(HuggingFaceTrainingPipelineProps));
        v.Require(props.Job is not null, "Job", null, "give the training job definition (HuggingFaceTrainingJobDefinition).");
        v.Require(props.SourceCode is not null, "SourceCode", null, "give the training code, e.g. TrainingSourceCode.FromDirectory(this, \"Code\", \"scripts/train\").");
        v.Require(props.Buckets is not null, "Buckets", null, "give the platform's buckets: a TrainingBuckets, or TrainingBuckets.FromAttributes for existing ones.");
        v.ThrowIfAny();

        var job = props.Job!;
        if (props.ExecutionRole is null)
        {
            CheckDefaultRoleKey(v, props);
        }
        props = props with
        {
            ExecutionRole = props.ExecutionRole ?? scope.CreateExecutionRole(props),
            AllowedInstanceTypes = props.AllowedInstanceTypes ?? [job.InstanceType],
            MaxInstanceCount = props.MaxInstanceCount ?? job.InstanceCount,
            MaxRuntime = props.MaxRuntime ?? job.MaxRuntime ?? Duration.Seconds(DefaultJobRuntimeSeconds),
        };
        CheckGuardrails(v, props);
        if (props.AllowedInstanceTypes is { Count: > 0 })
        {
            CheckRecipe(v, props);
        }

        var imageUri = props.ImageUri;
        var imageChecked = true;
        if (imageUri is null)
        {
            try
            {
                imageUri = HuggingFaceImage.ForScope(scope, job.TransformersVersion, job.PytorchVersion, job.PythonVersion, job.InstanceType);
            }
            catch (ArgumentException e)
            {
                v.Add("Job", $"transformers {job.TransformersVersion}, PyTorch {job.PytorchVersion}, {job.PythonVersion}, {job.InstanceType}",
                    $"there is no Hugging Face training image for these versions ({FirstLine(e.Message)}); choose a supported combination or give ImageUri.");
            }
        }
        else
        {
            try
            {
                HuggingFaceImage.ValidateImageUri(imageUri);
                PipelineCrossChecks.Image(v, imageUri, job, props.ExecutionRole!, Stack.Of(scope));
            }
            catch (ArgumentException e)
            {
                v.Add("ImageUri", imageUri, FirstLine(e.Message));
                imageChecked = false;
            }
        }
        if (imageUri is not null && props.ImageUri is null)
        {
            PipelineCrossChecks.ImageRepositoryOfDefault(v, props.ExecutionRole!);
        }
        PipelineCrossChecks.EntryPoint(v, job, props.SourceCode!);
        var (selection, subnets) = PipelineCrossChecks.Subnets(v, props.Vpc, props.VpcSubnets);

        // The job and the tuning job, as the request builder checks them, in the same message.
        var stack = Stack.Of(scope);
        var resources = new TrainingJobResources
        {
            RoleArn = props.ExecutionRole!.RoleArn,
            ImageUri = imageChecked ? imageUri ?? string.Empty : string.Empty,
            SubmitDirectoryS3Uri = props.SourceCode!.S3Uri,
            OutputS3Uri = $"s3://{props.Buckets!.Artifacts.BucketName}/{props.JobNamePrefix}/",
            CheckpointS3Uri = $"s3://{props.Buckets.Checkpoints.BucketName}/{props.JobNamePrefix}",
            KmsKeyArn = props.EncryptionKey?.KeyArn,
            VolumeKmsKeyArn = props.VolumeEncryptionKey?.KeyArn,
            SubnetIds = subnets?.SubnetIds,
            SecurityGroupIds = props.SecurityGroups?.Select(sg => sg.SecurityGroupId).ToArray(),
            Region = stack.Region,
        };
        var requestProblems = TrainingRequestBuilder.Validate(job, JobOfTuning(job), props.Tuning, resources, ResourceProp);
        foreach (var line in requestProblems.Request) v.AddLine(line);
        foreach (var line in requestProblems.Job) v.AddLine("Job." + line);
        foreach (var line in requestProblems.Tuning) v.AddLine("Tuning." + line);
        CheckRegistration(v, props, job);
        v.ThrowIfAny();
        return (props with { ImageUri = imageUri, VpcSubnets = selection }, subnets, resources);
    }

    /// <summary>The job each tuning trial runs: warm pools exist for training jobs only (SageMaker refuses a keep-alive
    /// in a tuning job's definition).</summary>
    internal static HuggingFaceTrainingJobDefinition JobOfTuning(HuggingFaceTrainingJobDefinition job) => job with { KeepAlivePeriod = null };

    /// <summary>The prop each request resource comes from; null for the image, which <see cref="Resolve"/> checks itself.</summary>
    private static string? ResourceProp(string resource) => resource switch
    {
        "RoleArn" => "ExecutionRole",
        "ImageUri" => null,
        "SubmitDirectoryS3Uri" => "SourceCode",
        "OutputS3Uri" => "Buckets.Artifacts",
        "CheckpointS3Uri" => "Buckets.Checkpoints",
        "KmsKeyArn" => "EncryptionKey",
        "SubnetIds" => "VpcSubnets",
        "SecurityGroupIds" => "SecurityGroups",
        "Region" => "the stack's Region",
        _ => resource,
    };

    /// <summary>The registration settings against the job (the lineage of its channels, the code channel of an isolated
    /// job included, must fit SageMaker's metadata count); a group needs the settings.</summary>
    private static void CheckRegistration(PropsValidation v, HuggingFaceTrainingPipelineProps props, HuggingFaceTrainingJobDefinition job)
    {
        if (props.Registration is null)
        {
            v.Require(props.ModelPackageGroup is null, "ModelPackageGroup", props.ModelPackageGroup?.Node.Path,
                "a group is used only with Registration: give Registration too (the serving image, content and instance types), or leave ModelPackageGroup out.");
            return;
        }
        var channels = job.Channels.Count + (job.EnableNetworkIsolation ? 1 : 0);
        foreach (var line in Registry.ModelRegistrationRequest.Problems(props.Registration, job, channels)) v.AddLine(line);
    }

    /// <summary>The role created by default may use the buckets' key only: another output key needs a role that may use it.</summary>
    private static void CheckDefaultRoleKey(PropsValidation v, HuggingFaceTrainingPipelineProps props)
    {
        if (props.EncryptionKey is { } key && !ReferenceEquals(key, props.Buckets.EncryptionKey) && key.KeyArn != props.Buckets.EncryptionKey.KeyArn)
        {
            v.Add("EncryptionKey", key.Node.Path,
                "it is not Buckets.EncryptionKey, and the execution role created by default may use only the buckets' key; leave EncryptionKey unset, "
                + "pass Buckets.EncryptionKey, or give an ExecutionRole that may use this key.");
        }
    }

    private static void CheckGuardrails(PropsValidation v, HuggingFaceTrainingPipelineProps props)
    {
        var maxPrefix = HuggingFaceTrainingPipeline.MaxJobNamePrefixLength;
        v.Require(props.JobNamePrefix is not null && props.JobNamePrefix.Length >= 1 && props.JobNamePrefix.Length <= maxPrefix && PrefixPattern.IsMatch(props.JobNamePrefix),
            "JobNamePrefix", props.JobNamePrefix,
            $"give 1 to {maxPrefix} characters [a-zA-Z0-9](-*[a-zA-Z0-9])*, e.g. 'hf-translate-dev' (job names are '<prefix>-<execution>', 32 characters at most for tuning jobs, shortened to '<first 23 characters>-<8 hex>': the prefix must survive that).");
        v.Require(props.PrepareRequestReservedConcurrency is null or >= 1, "PrepareRequestReservedConcurrency", props.PrepareRequestReservedConcurrency,
            "give 1 or more, or leave it unset to reserve nothing (the default).");
        v.Require(props.AllowedInstanceTypes is { Count: > 0 }, "AllowedInstanceTypes", props.AllowedInstanceTypes,
            "list the instance types executions may use, e.g. ml.g5.2xlarge, or leave it unset (default: the job's instance type).");
        v.Require(props.MaxInstanceCount is >= 1 and <= 64, "MaxInstanceCount", props.MaxInstanceCount, "give 1 to 64.");
        var maxRuntime = props.MaxRuntime!;
        v.Require(Token.IsUnresolved(maxRuntime) || Seconds(maxRuntime) is >= 1 and <= 28 * 24 * 3600, "MaxRuntime", maxRuntime,
            "give 1 second to 28 days (SageMaker's limit), e.g. Duration.Hours(24).");
        v.Require(props.MaxTuningJobs is >= 1 and <= 500, "MaxTuningJobs", props.MaxTuningJobs,
            "give 1 to 500 (SageMaker allows at most 500 training jobs per tuning job).");
        v.Require(props.MaxParallelTuningJobs is >= 1 and <= 100, "MaxParallelTuningJobs", props.MaxParallelTuningJobs,
            "give 1 to 100 (SageMaker's limit).");
        v.Require(props.MaxParallelTuningJobs <= props.MaxTuningJobs, "MaxParallelTuningJobs", props.MaxParallelTuningJobs,
            $"give at most MaxTuningJobs ({props.MaxTuningJobs}): no more in parallel than in all.");
        v.Require(props.MaxCapacityAttempts is >= 1 and <= 5, "MaxCapacityAttempts", props.MaxCapacityAttempts, "give 1 to 5.");
        if (props.Vpc is not null)
        {
            v.Require(props.SecurityGroups is { Count: >= 1 and <= 5 }, "SecurityGroups", props.SecurityGroups?.Count ?? 0,
                "give 1 to 5 security groups for the jobs with a Vpc.");
        }
        else
        {
            v.Require(props.SecurityGroups is not { Count: > 0 }, "SecurityGroups", props.SecurityGroups?.Count ?? 0,
                "give the Vpc too, or drop the security groups (they apply only with a Vpc).");
        }
        if (props.ExecutionTimeout is { } timeout && !Token.IsUnresolved(timeout))
        {
            v.Require(Seconds(timeout) is >= 1 and <= 365d * 24 * 3600, "ExecutionTimeout", timeout,
                "give 1 second to 1 year (a standard workflow's limit), or leave it unset.");
        }
        if (props.CapacityRetryDelay is { } delay && !Token.IsUnresolved(delay))
        {
            v.Require(Seconds(delay) is >= 1 and <= 24 * 3600, "CapacityRetryDelay", delay, "give 1 second to 1 day.");
        }
    }

    private static bool IsReservedHyperparameter(string name) =>
        name.StartsWith("sagemaker_", StringComparison.Ordinal) || name == ReservedHyperparameters.ModelParallelParameters;

    /// <summary>A <see cref="Duration"/> in seconds without the integral-conversion error of <c>ToSeconds()</c>.</summary>
    private static double Seconds(Duration duration) => duration.ToSeconds(new TimeConversionOptions { Integral = false });

    private static void CheckRecipe(PropsValidation v, HuggingFaceTrainingPipelineProps props)
    {
        var job = props.Job;
        var allowed = props.AllowedInstanceTypes!;
        // The declared hyperparameter types are the run-time contract: the recipe's own values must fit them, and every
        // value the recipe sends must be declared (else an execution could not even restate the default).
        if (job.HyperparameterTypes is { } types)
        {
            foreach (var (name, value) in job.Hyperparameters)
            {
                if (IsReservedHyperparameter(name))
                {
                    continue;
                }

                if (!types.TryGetValue(name, out var spec))
                {
                    v.Add("Job.HyperparameterTypes", name, "it has a value in Job.Hyperparameters but no declared type; declare it (e.g. HyperparameterSpec.Integer(minimum: 1)).");
                }
                else if (spec.Problem(value) is { } problem)
                {
                    v.Add($"Job.Hyperparameters['{name}']", value, $"{problem} (its declared type).");
                }
            }

            foreach (var (name, spec) in types)
            {
                if (IsReservedHyperparameter(name))
                {
                    v.Add("Job.HyperparameterTypes", name, "it is reserved for SageMaker; declare only the script's own hyperparameters.");
                }
                else if (spec.Choices is not null && spec.Kind != HyperparameterKind.String)
                {
                    v.Add($"Job.HyperparameterTypes['{name}'].Choices", spec.Choices, $"Choices apply to strings only; use Minimum/Maximum for {spec.Kind}.");
                }
                else if (spec.Vocabulary is { } vocabulary && (spec.Kind != HyperparameterKind.String || spec.Choices is not null || spec.Pattern is not null))
                {
                    v.Add($"Job.HyperparameterTypes['{name}'].Vocabulary", vocabulary.Name, "a vocabulary applies to a String without Choices or Pattern (its words are what is allowed); remove one of them.");
                }

                foreach (var needs in spec.NeedsNativeBf16 ?? [])
                {
                    // The rule compares what the script sees: a value it accepts, with a vocabulary one of its words.
                    if (spec.Problem(needs) is not null || (spec.Vocabulary is { } words && !words.Words.Contains(needs)))
                    {
                        v.Add($"Job.HyperparameterTypes['{name}'].NeedsNativeBf16", needs, $"name values {name} takes{(spec.Vocabulary is null ? "" : $", as the words of its vocabulary ({string.Join(", ", spec.Vocabulary.Words)})")}.");
                    }
                }
            }

            CheckNativeBf16(v, props, types);
        }

        CheckRules(v, job);

        // The recipe itself must sit within the guardrails, or every execution with an empty input would be refused.
        v.Require(allowed.Contains(job.InstanceType), "Job.InstanceType", job.InstanceType,
            $"give one of AllowedInstanceTypes ({string.Join(", ", allowed)}), or add it to AllowedInstanceTypes.");
        // Executions may switch to any allowed type: each must pass the builder's own instance-type rules, or a run-time
        // override could send a request TrainingRequestBuilder would have refused (a CPU type, SMDDP on an unsupported type).
        foreach (var type in allowed)
        {
            if (CdkTokens.IsUnresolved(type))
            {
                continue;
            }
            if (InstanceTypeCatalog.ExplainNotGpuTraining(type) is { } notGpu)
            {
                v.Add("AllowedInstanceTypes", type, notGpu);
            }
            else if (job.Distribution is DistributionConfig.SmdDataParallel && InstanceTypeCatalog.Find(type)?.SmdDataParallel != true)
            {
                v.Add("AllowedInstanceTypes", type,
                    $"SMDDP does not support it; with Job.Distribution SmdDataParallel allow only {string.Join(", ", InstanceTypeCatalog.SmdDataParallelTypes)}.");
            }
            else if (job.Distribution is DistributionConfig.ModelParallel && InstanceTypeCatalog.Find(type)?.SmdistributedRefused == true)
            {
                v.Add("AllowedInstanceTypes", type,
                    "the SDK refuses model parallel (smdistributed) on it (\"SMModelParallel and SMDataParallel currently do not support p5 instances\"); remove it from AllowedInstanceTypes.");
            }
        }
        v.Require(job.InstanceCount <= props.MaxInstanceCount, "Job.InstanceCount", job.InstanceCount,
            $"give at most MaxInstanceCount ({props.MaxInstanceCount}), or raise MaxInstanceCount.");
        var runtime = job.MaxRuntime is { } jobRuntime ? Seconds(jobRuntime) : DefaultJobRuntimeSeconds;
        if (!Token.IsUnresolved(props.MaxRuntime!))
        {
            v.Require(runtime <= Seconds(props.MaxRuntime!), "Job.MaxRuntime", $"{runtime} seconds",
                $"give at most MaxRuntime ({Seconds(props.MaxRuntime!)} seconds), or raise MaxRuntime.");
        }
        if (props.Tuning is not null)
        {
            v.Require((props.Tuning.MaxJobs ?? 1) <= props.MaxTuningJobs, "Tuning.MaxJobs", props.Tuning.MaxJobs,
                $"give at most MaxTuningJobs ({props.MaxTuningJobs}), or raise MaxTuningJobs.");
            v.Require(props.Tuning.MaxParallelJobs <= props.MaxParallelTuningJobs, "Tuning.MaxParallelJobs", props.Tuning.MaxParallelJobs,
                $"give at most MaxParallelTuningJobs ({props.MaxParallelTuningJobs}), or raise MaxParallelTuningJobs.");
        }
    }

    /// <summary>
    /// The recipe's own values on its own instance type (the default request a run without overrides sends): a value
    /// that needs a GPU with native bfloat16 (<see cref="HyperparameterSpec.NeedsNativeBf16"/>), static or a categorical
    /// value of a tuning range, is refused on a type without (<see cref="InstanceTypeFacts.NativeBf16"/>). PrepareRequest
    /// checks a run's values on the run's type.
    /// </summary>
    private static void CheckNativeBf16(PropsValidation v, HuggingFaceTrainingPipelineProps props, IReadOnlyDictionary<string, HyperparameterSpec> types)
    {
        var job = props.Job;
        if (CdkTokens.IsUnresolved(job.InstanceType) || InstanceTypeCatalog.Find(job.InstanceType) is not { NativeBf16: false } facts)
        {
            return;
        }

        var tuned = (props.Tuning?.Ranges ?? []).OfType<CategoricalRange>().ToDictionary(r => r.Name, r => r.Values ?? [], StringComparer.Ordinal);
        foreach (var (name, spec) in types.Where(t => t.Value.NeedsNativeBf16 is { Count: > 0 }))
        {
            // What a run without overrides gives the script: the tuned values, else the request's, else the script's default.
            IEnumerable<(string Field, object? Value)> values = tuned.TryGetValue(name, out var range)
                ? range.Select(x => ($"Tuning.Ranges['{name}']", x))
                : job.Hyperparameters.TryGetValue(name, out var given) ? [($"Job.Hyperparameters['{name}']", given)]
                : [($"Job.HyperparameterTypes['{name}'].ScriptDefault", spec.ScriptDefault)];
            foreach (var (field, value) in values.Where(x => spec.NeedsNativeBf16For(x.Value)))
            {
                var instead = spec.Vocabulary?.Words.Where(w => !spec.NeedsNativeBf16For(w)).Select(w => $"\"{w}\"").ToList();
                v.Add(field, value, $"needs a GPU that computes in bfloat16 natively, and Job.InstanceType {job.InstanceType} has none (compute capability {facts.ComputeCapability}); "
                    + $"give {(instead is { Count: > 0 } ? string.Join(" or ", instead) : "another value")}, or an instance type whose GPU has it.");
            }
        }
    }

    /// <summary>
    /// The cross-field rules read declared hyperparameters only, and every test can hold: it names values of the
    /// hyperparameter's kind (or null), and a pattern only for a string, in the ECMAScript subset PrepareRequest runs.
    /// </summary>
    private static void CheckRules(PropsValidation v, HuggingFaceTrainingJobDefinition job)
    {
        if (job.HyperparameterRules is not { Count: > 0 } rules)
        {
            return;
        }

        if (job.HyperparameterTypes is not { } types)
        {
            v.Add("Job.HyperparameterRules", $"{rules.Count} rule(s)", "rules read declared hyperparameters; give Job.HyperparameterTypes too.");
            return;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            v.Require(rule.When is { Count: > 0 }, $"Job.HyperparameterRules[{i}].When", "(empty)", "name at least one hyperparameter and a test of it.");
            v.Require(!string.IsNullOrWhiteSpace(rule.Message), $"Job.HyperparameterRules[{i}].Message", rule.Message, "say what is wrong and the fix.");
            foreach (var (part, conditions) in new[] { ("When", rule.When), ("Require", rule.Require) })
            {
                foreach (var (name, test) in conditions ?? new Dictionary<string, HyperparameterCondition>())
                {
                    var field = $"Job.HyperparameterRules[{i}].{part}['{name}']";
                    if (!types.TryGetValue(name, out var spec))
                    {
                        v.Add(field, name, $"not a declared hyperparameter; name one of Job.HyperparameterTypes ({string.Join(", ", types.Keys)}).");
                        continue;
                    }

                    v.Require(test.Given is not null || test.IsNull is not null || test.In is not null || test.NotIn is not null || test.Matches is not null,
                        field, "(no test)", "give Given, IsNull, In, NotIn or Matches.");
                    foreach (var value in (test.In ?? []).Concat(test.NotIn ?? []))
                    {
                        if (value is null)
                        {
                            v.Add(field, "null", "In and NotIn name strings, numbers or booleans; test null with IsNull.");
                        }
                        else if (!HyperparameterCondition.IsScalar(value) || spec.Problem(value) is not null)
                        {
                            v.Add(field, value, $"the test names a value {name} never has; name values the script accepts ({spec.Describe()}).");
                        }
                        else if (spec.Vocabulary is { } vocabulary && !vocabulary.Words.Contains(value))
                        {
                            // The rules see the word a value spells, never another spelling.
                            v.Add(field, value, $"the rules compare the word a value spells; name words of {name}'s vocabulary ({string.Join(", ", vocabulary.Words)}).");
                        }
                    }

                    if (test.Matches is { } pattern)
                    {
                        v.Require(spec.Kind == HyperparameterKind.String, field, pattern, $"Matches tests strings; {name} is {spec.Kind}.");
                        try
                        {
                            _ = new Regex(pattern, RegexOptions.ECMAScript);
                        }
                        catch (ArgumentException e)
                        {
                            v.Add(field, pattern, $"not a regular expression PrepareRequest can run ({e.Message}).");
                        }
                    }
                }
            }
        }
    }

    /// <summary>Another component's message on one line, without its heading and .NET's parameter suffix.</summary>
    internal static string FirstLine(string message)
    {
        var parameter = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        var text = parameter > 0 ? message[..parameter] : message;
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var body = lines.Length > 1 && lines[0].EndsWith(':') ? lines[1..] : lines;
        return string.Join("; ", body.Select(l => l.TrimStart('-', ' ')));
    }
}
