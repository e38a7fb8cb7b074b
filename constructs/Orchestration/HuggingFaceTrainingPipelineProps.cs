using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using HfSageMaker.Constructs.Registry;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>Properties of <see cref="HuggingFaceTrainingPipeline"/>. Required: the job, the source code, the buckets and
/// the job name prefix; everything else has a documented default.</summary>
public sealed record HuggingFaceTrainingPipelineProps
{
    /// <summary>The training job every execution starts from (the recipe). Executions may override only what the
    /// guardrails below allow.</summary>
    public required HuggingFaceTrainingJobDefinition Job { get; init; }

    /// <summary>The tuning job executions with <c>"mode": "tune"</c> run. Default: none (tuning input is rejected).</summary>
    public TuningDefinition? Tuning { get; init; }

    /// <summary>The platform's buckets and their key (<see cref="TrainingBuckets"/>, or existing ones from
    /// <see cref="TrainingBuckets.FromAttributes"/>): data channel overrides must point under <c>Datasets</c>, jobs write
    /// their artefacts to <c>s3://&lt;Artifacts&gt;/&lt;JobNamePrefix&gt;/</c> and sync checkpoints to
    /// <c>s3://&lt;Checkpoints&gt;/&lt;JobNamePrefix&gt;/&lt;job name&gt;</c>.</summary>
    public required ITrainingBuckets Buckets { get; init; }

    /// <summary>The role SageMaker assumes for the jobs; the state machine may pass only this role. A
    /// <c>SageMakerExecutionRole.Role</c> (then the image is checked against the repositories it may pull) or any
    /// <see cref="IRole"/>, e.g. <c>SageMakerExecutionRole.FromRoleArn</c>. Default: a role is created (construct id
    /// <c>ExecutionRole</c>, a <see cref="SageMakerExecutionRole"/>) with least privilege: read <see cref="Buckets"/>'
    /// datasets, read and write its artifacts and checkpoints, use its key, pull the training image's repository in the
    /// stack's region (the Hugging Face DLC repository unless <see cref="ImageUri"/> names another), and with a
    /// <see cref="Vpc"/> the network-interface actions of <c>VpcConfig</c> in that VPC. An <see cref="EncryptionKey"/>
    /// other than the buckets' key needs a role of your own that may use it.</summary>
    public IRole? ExecutionRole { get; init; }

    /// <summary>KMS key of the job outputs and volumes, and of the pipeline's log groups. Default: the service keys
    /// for the jobs and CloudWatch Logs' own encryption for the log groups.</summary>
    public IKey? EncryptionKey { get; init; }

    /// <summary>
    /// KMS key of the jobs' ML storage volumes (<c>VolumeKmsKeyId</c>, the SDK's <c>volume_kms_key</c>) when it differs
    /// from <see cref="EncryptionKey"/>. Sent only on instance types without local NVMe storage (p3, g3), at synthesis and
    /// after a run-time instance-type override; the execution role is allowed <c>kms:CreateGrant</c> and
    /// <c>kms:DescribeKey</c> on it for AWS resources only. Default: <see cref="EncryptionKey"/>.
    /// </summary>
    public IKey? VolumeEncryptionKey { get; init; }

    /// <summary>Training image URI. A Hugging Face DLC URI must match the job's transformers, PyTorch and Python
    /// versions; any image must come from a repository (and region) the execution role may pull, when that is known.
    /// Default: the Hugging Face DLC of the job's versions and instance type in the stack's region
    /// (<c>HuggingFaceImage.ForScope</c>).</summary>
    public string? ImageUri { get; init; }

    /// <summary>The training code archive (<c>sourcedir.tar.gz</c>); the execution role is granted read access to it. It
    /// must contain the job's <c>EntryPoint</c>.</summary>
    public required TrainingSourceCode SourceCode { get; init; }

    /// <summary>VPC the jobs (and the request-preparation function) run in. Default: no VPC.</summary>
    public IVpc? Vpc { get; init; }

    /// <summary>Subnets of the jobs (and of the function) in <see cref="Vpc"/>; must select at least one subnet of the
    /// VPC. Default: the VPC's private isolated subnets, or its private subnets with egress when it has no isolated
    /// ones.</summary>
    public SubnetSelection? VpcSubnets { get; init; }

    /// <summary>Security groups of the jobs; required with <see cref="Vpc"/> (1 to 5).</summary>
    public IReadOnlyList<ISecurityGroup>? SecurityGroups { get; init; }

    /// <summary>Topic every failed execution publishes to. Default: a topic is created (construct id
    /// <c>NotificationTopic</c>, TLS-only publishing) encrypted with <see cref="EncryptionKey"/>, or with the AWS
    /// managed key <c>alias/aws/sns</c> without one; subscribe to <c>HuggingFaceTrainingPipeline.NotificationTopic</c>.</summary>
    public ITopic? NotificationTopic { get; init; }

    /// <summary>The KMS key of <see cref="NotificationTopic"/>; the state machine is granted use of it to publish.
    /// Default: none (the topic is unencrypted or uses the AWS managed key).</summary>
    public IKey? NotificationTopicKey { get; init; }

    /// <summary>Instance types executions may choose (cost guardrail, enforced in the input validation and in IAM).
    /// Default: only the job's instance type.</summary>
    public IReadOnlyList<string>? AllowedInstanceTypes { get; init; }

    /// <summary>Largest instance count an execution may request (1 to 64). Default: the job's instance count.</summary>
    public int? MaxInstanceCount { get; init; }

    /// <summary>Largest <c>MaxRuntimeInSeconds</c> an execution may request (cost guardrail, also an IAM condition),
    /// 1 second to 28 days. Default: the job's <c>MaxRuntime</c>, or one day (the SageMaker Python SDK's default)
    /// when the job sets none.</summary>
    public Duration? MaxRuntime { get; init; }

    /// <summary>Largest <c>MaxNumberOfTrainingJobs</c> of a tuning execution. Default: 20.</summary>
    public int MaxTuningJobs { get; init; } = 20;

    /// <summary>Largest <c>MaxParallelTrainingJobs</c> of a tuning execution. Default: 2.</summary>
    public int MaxParallelTuningJobs { get; init; } = 2;

    /// <summary>Prefix of every job name, 1 to 20 characters <c>[a-zA-Z0-9](-*[a-zA-Z0-9])*</c>; the state machine's
    /// IAM policy covers only jobs named <c>&lt;prefix&gt;-*</c>. Give each pipeline of an account and region its own
    /// prefix, one that is not '&lt;another prefix&gt;-…' (the app uses <c>hf-&lt;recipe&gt;-&lt;environment&gt;</c>).</summary>
    public required string JobNamePrefix { get; init; }

    /// <summary>How many times a job that failed for lack of capacity (<c>CapacityError</c>) is started in total.
    /// 1 to 5. Default: 3.</summary>
    public int MaxCapacityAttempts { get; init; } = 3;

    /// <summary>Wait before a capacity retry. Default: 10 minutes.</summary>
    public Duration? CapacityRetryDelay { get; init; }

    /// <summary>Execution timeout. Default: long enough for every capacity attempt of the largest allowed job
    /// (spot wait included; tuning: MaxTuningJobs / MaxParallelTuningJobs rounds) plus an hour, at most one year.</summary>
    public Duration? ExecutionTimeout { get; init; }

    /// <summary>
    /// Concurrency reserved for the PrepareRequest function, 1 or more. Default: none reserved (the function shares the
    /// account's unreserved pool). Lambda keeps at least 100 of the account's concurrency unreserved (new accounts
    /// start with a quota of 10, so any reservation fails there), so reserving N needs the Lambda quota "Concurrent
    /// executions" (L-B99A9384) to be at least N + 100; the pipeline adds a warning annotation naming that value.
    /// </summary>
    public int? PrepareRequestReservedConcurrency { get; init; }

    /// <summary>
    /// Register what every successful run trained in the SageMaker Model Registry: after a training job, or after a
    /// tuning job for its best training job, the state machine sends <c>CreateModelPackage</c> into
    /// <see cref="ModelPackageGroup"/> with this serving container, the run's artifact and its lineage, and publishes
    /// the version's ARN to <see cref="NotificationTopic"/>. The state machine's role may register only into that group
    /// and only with <see cref="ModelRegistration.ApprovalStatus"/>. Default: nothing is registered.
    /// </summary>
    public ModelRegistration? Registration { get; init; }

    /// <summary>
    /// The group <see cref="Registration"/> registers into (a <see cref="Registry.ModelPackageGroup"/>, or an existing one
    /// from <see cref="Registry.ModelPackageGroup.FromModelPackageGroupName"/>). Default with a <see cref="Registration"/>: a
    /// group is created (construct id <c>ModelPackageGroup</c>, named <c>&lt;JobNamePrefix&gt;-&lt;8 hex digits of the
    /// stack's UUID&gt;</c>, with <see cref="RemovalPolicy"/>).
    /// </summary>
    public IModelPackageGroup? ModelPackageGroup { get; init; }

    /// <summary>Retention of the execution and function logs. Default: one year.</summary>
    public RetentionDays? LogRetention { get; init; }

    /// <summary>What happens to the log groups (and the model package group created by default) when the stack is
    /// deleted. Default: <see cref="RemovalPolicy.RETAIN"/>.</summary>
    public RemovalPolicy? RemovalPolicy { get; init; }
}
