using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.StepFunctions;
using Constructs;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Registry;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// A Step Functions state machine that runs one training recipe as a service: data scientists start an execution with
/// a small JSON input (train or tune, and the overrides the environment allows) instead of calling
/// <c>estimator.fit()</c> / <c>tuner.fit()</c>.
/// </summary>
/// <remarks>
/// <para>The default <c>CreateTrainingJob</c> and <c>CreateHyperParameterTuningJob</c> requests are built at synthesis
/// by the library's request builder and embedded in the definition (so <c>cdk diff</c> shows every request
/// change). The first state, <c>PrepareRequest</c>, runs a small Node.js function that validates the input against
/// the guardrails and patches only well-defined request paths; invalid input fails before any SageMaker call.</para>
/// <para>Failures: SageMaker throttling and transient errors are retried with backoff and jitter; quota errors end
/// with the Service Quotas name to request; capacity errors start the job again (new name) a bounded number of
/// times; algorithm errors end with the job's failure reason. Every failure publishes to the notification topic and
/// ends in the <c>Failed</c> state. Stopping the execution stops the job (the <c>.sync</c> integration does it).</para>
/// <para>Where the pieces live: props checks in <c>PipelinePropsValidator</c>, the states in <c>PipelineStateGraph</c>
/// (failure handling in <c>PipelineFailureStates</c>), the state machine role's policy in
/// <c>PipelinePermissions</c>, the <c>PrepareRequest</c> function in <c>PrepareRequestFunction</c> (its code asset in
/// <c>PrepareRequestAsset</c>) and the default execution timeout in <c>PipelineExecutionTimeout</c>.</para>
/// </remarks>
public sealed class HuggingFaceTrainingPipeline : Construct, IGrantable
{
    /// <summary>Error name the state machine ends with when the input is invalid.</summary>
    public const string InvalidInputError = "InvalidInput";

    /// <summary>The Step Functions state machine (standard workflow).</summary>
    public StateMachine StateMachine { get; }

    /// <summary>The function of the <c>PrepareRequest</c> state.</summary>
    public Function PrepareFunction { get; }

    /// <summary>The execution log group (level ALL, under <c>/aws/vendedlogs/states/</c>).</summary>
    public ILogGroup LogGroup { get; }

    /// <summary>The default <c>CreateTrainingJob</c> request (no job name) embedded in the definition.</summary>
    public JsonObject DefaultTrainingRequest { get; }

    /// <summary>The default <c>CreateHyperParameterTuningJob</c> request (no job name), or null without tuning.</summary>
    public JsonObject? DefaultTuningRequest { get; }

    /// <summary>The role the jobs run with: <see cref="HuggingFaceTrainingPipelineProps.ExecutionRole"/>, or the one
    /// created by default (construct id <c>ExecutionRole</c>).</summary>
    public IRole ExecutionRole { get; }

    /// <summary>The state machine's role: the principal that creates the SageMaker jobs.</summary>
    public IPrincipal GrantPrincipal => StateMachine.Role.GrantPrincipal;

    /// <summary>Names of the recipe's metric definitions (what SageMaker publishes to CloudWatch for each job).</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>The job name prefix; every job this pipeline creates is named <c>&lt;prefix&gt;-…</c>.</summary>
    public string JobNamePrefix { get; }

    /// <summary>
    /// The longest <see cref="HuggingFaceTrainingPipelineProps.JobNamePrefix"/>: tuning job names are at most 32
    /// characters and PrepareRequest shortens a longer '&lt;prefix&gt;-&lt;execution&gt;' to its first 23 characters, a
    /// hyphen and 8 hex characters of its SHA-256; 20 keeps '&lt;prefix&gt;-' and 2 characters of the execution name in
    /// every shortened name (the hash keeps it unique).
    /// </summary>
    public const int MaxJobNamePrefixLength = 20;

    /// <summary>The topic failed executions publish to: the one given, or the one created (construct id
    /// <c>NotificationTopic</c>); subscribe to it.</summary>
    public ITopic NotificationTopic { get; }

    /// <summary>The group successful runs register into (<see cref="HuggingFaceTrainingPipelineProps.Registration"/>): the
    /// one given, or the one created (construct id <c>ModelPackageGroup</c>); null without a registration.</summary>
    public IModelPackageGroup? ModelPackageGroup { get; }

    /// <summary>The default <c>CreateModelPackage</c> request embedded in the definition (the run adds the artifact, its
    /// lineage, the model card and a token), or null without a registration.</summary>
    public JsonObject? DefaultRegistrationRequest { get; }

    /// <summary>Creates the pipeline.</summary>
    /// <param name="scope">Parent construct.</param>
    /// <param name="id">Construct id.</param>
    /// <param name="props">The recipe, the platform resources and the guardrails.</param>
    /// <exception cref="ArgumentException">Every invalid prop, in one message.</exception>
    public HuggingFaceTrainingPipeline(Construct scope, string id, HuggingFaceTrainingPipelineProps props) : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        (props, _, var resources) = PipelinePropsValidator.Resolve(this, props);
        ExecutionRole = props.ExecutionRole!;
        JobNamePrefix = props.JobNamePrefix;
        MetricNames = [.. props.Job.MetricDefinitions.Select(m => m.Name)];
        var stack = Stack.Of(this);

        // ---- default requests (built once, at synthesis; Resolve reported every problem they could have) ----
        DefaultTrainingRequest = TrainingRequestBuilder.CreateTrainingJob(props.Job, resources, null);
        DefaultTuningRequest = props.Tuning is null ? null
            : TrainingRequestBuilder.CreateHyperParameterTuningJob(PipelinePropsValidator.JobOfTuning(props.Job), props.Tuning, resources, null);
        props.SourceCode.GrantRead(ExecutionRole);

        var removal = props.RemovalPolicy ?? RemovalPolicy.RETAIN;
        var retention = props.LogRetention ?? RetentionDays.ONE_YEAR;

        PrepareFunction = PrepareRequestFunction.Create(this, props, retention, removal);
        if (props.NotificationTopic is null)
        {
            props = props with { NotificationTopic = CreateNotificationTopic(props.EncryptionKey), NotificationTopicKey = props.EncryptionKey };
        }
        NotificationTopic = props.NotificationTopic!;
        (JsonObject, Dictionary<string, object>)? registration = null;
        if (props.Registration is { } settings)
        {
            ModelPackageGroup = props.ModelPackageGroup ?? new ModelPackageGroup(this, "ModelPackageGroup", new ModelPackageGroupProps
            {
                ModelPackageGroupName = Registry.ModelPackageGroup.NameUniqueToStack(this, props.JobNamePrefix),
                Description = $"Models trained by the Hugging Face training pipeline '{props.JobNamePrefix}'.",
                RemovalPolicy = removal,
            });
            DefaultRegistrationRequest = ModelRegistrationRequest.Default(settings, ModelPackageGroup.ModelPackageGroupName, props.Job, stack.Region);
            registration = (DefaultRegistrationRequest, ModelRegistrationRequest.Policy(settings));
        }
        var definition = PipelineStateGraph.Build(this, props, PrepareFunction, DefaultTrainingRequest, DefaultTuningRequest,
            PrepareRequestPolicy.Build(props, resources), registration);

        // ---- state machine ----
        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            // Step Functions requires the /aws/vendedlogs/ prefix to keep the log resource policy small; the name is
            // derived from the construct's unique address, so two pipelines never collide, and ends with the stack's
            // UUID (the last part of AWS::StackId), so re-creating a deleted stack whose group was retained creates a
            // new group instead of failing with "already exists" (the retained one keeps the old stack's UUID).
            LogGroupName = $"/aws/vendedlogs/states/{stack.StackName}-{Node.Id}-{Node.Addr[..8]}-{Fn.Select(2, Fn.Split("/", stack.StackId))}",
            Retention = retention,
            RemovalPolicy = removal,
            EncryptionKey = props.EncryptionKey,
        });
        StateMachine = new StateMachine(this, "Resource", new StateMachineProps
        {
            DefinitionBody = DefinitionBody.FromChainable(definition),
            StateMachineType = StateMachineType.STANDARD,
            Comment = $"Hugging Face training pipeline '{props.JobNamePrefix}': train or tune from a JSON input (see the README).",
            Logs = new LogOptions { Destination = LogGroup, Level = LogLevel.ALL, IncludeExecutionData = true },
            TracingEnabled = true,
            Timeout = props.ExecutionTimeout ?? PipelineExecutionTimeout.Default(props),
        });

        PipelinePermissions.AddJobPermissions(this, props, resources);
        if (props.Registration is { } registering)
        {
            // Into this group only, and only with the configured status (pending manual approval unless automatic).
            ModelPackageGroup!.GrantRegister(StateMachine, ModelRegistrationRequest.Statuses(registering));
        }
        if (props.VolumeEncryptionKey is not null)
        {
            // As SageMakerExecutionRole does for the platform key: SageMaker creates the volume grants as the job's role.
            foreach (var statement in AwsResourceGrants.AllowForAwsResources("UseVolumeKeyForAwsResources", props.VolumeEncryptionKey.KeyArn))
                ExecutionRole.AddToPrincipalPolicy(statement);
        }

        // The two log groups are encrypted with EncryptionKey: CloudWatch Logs must be allowed to use it.
        if (props.EncryptionKey is not null) LogGroupKeyPolicy.Allow(this, props.EncryptionKey);
        if (props.NotificationTopicKey is not null)
        {
            props.NotificationTopicKey.Grant(StateMachine, "kms:Decrypt", "kms:GenerateDataKey*");
        }
        PipelinePermissions.AddSuppressions(this);
        // A customer managed policy, not inline: grants added later (e.g. through GrantPrincipal) land in it too.
        CustomerManagedPolicies.ConvertDefaultPolicy(StateMachine.Role);
    }

    /// <summary>
    /// The default execution role: a <see cref="SageMakerExecutionRole"/> over the given buckets (and their key) and VPC,
    /// pulling the training image's repository (the Hugging Face DLC repository unless a literal <c>ImageUri</c> names
    /// another).
    /// </summary>
    internal IRole CreateExecutionRole(HuggingFaceTrainingPipelineProps props)
    {
        var repository = props.ImageUri is { } image ? HuggingFaceImage.RepositoryOf(image) : null;
        var role = new SageMakerExecutionRole(this, "ExecutionRole", new SageMakerExecutionRoleProps
        {
            Buckets = props.Buckets,
            Vpc = props.Vpc,
            ImageRepositories = repository is null ? null : [repository],
        });
        return role.Role;
    }

    private Topic CreateNotificationTopic(IKey? key)
    {
        var topic = new Topic(this, "NotificationTopic", new TopicProps
        {
            DisplayName = $"Hugging Face training pipeline {JobNamePrefix}",
            // SNS requires a KMS key for encryption at rest; the AWS managed key needs no key policy for Step Functions
            // to publish in this account.
            MasterKey = key ?? Amazon.CDK.AWS.KMS.Alias.FromAliasName(this, "NotificationTopicAwsManagedKey", "alias/aws/sns"),
        });
        // TLS only. (TopicProps.EnforceSSL adds its statement only to a policy that exists for other reasons.)
        topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EnforceTls",
            Effect = Effect.DENY,
            Principals = [new AnyPrincipal()],
            Actions = ["sns:Publish"],
            Resources = [topic.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" },
            },
        }));
        return topic;
    }

    /// <summary>Lets <paramref name="grantee"/> start executions (e.g. a data scientist role or a CI pipeline).</summary>
    /// <returns>The grant.</returns>
    public Grant GrantStartExecution(IGrantable grantee) => StateMachine.GrantStartExecution(grantee);

    /// <summary>Lets <paramref name="grantee"/> list and describe executions and read their history.</summary>
    /// <returns>The grant.</returns>
    public Grant GrantRead(IGrantable grantee) => StateMachine.GrantRead(grantee);

    /// <summary>Lets <paramref name="grantee"/> stop executions (which stops their jobs).</summary>
    /// <returns>The grant.</returns>
    public Grant GrantStopExecution(IGrantable grantee) => StateMachine.GrantExecution(grantee, "states:StopExecution");
}
