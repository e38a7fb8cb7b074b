using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.StepFunctions;
using Amazon.CDK.AWS.StepFunctions.Tasks;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Operations;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// A Step Functions state machine that runs one training recipe as a service: data scientists start an execution with
/// a small JSON input (train or tune, and the overrides the environment allows) instead of calling
/// <c>estimator.fit()</c> / <c>tuner.fit()</c>.
/// </summary>
/// <remarks>
/// <para>The default <c>CreateTrainingJob</c> and <c>CreateHyperParameterTuningJob</c> requests are built at synthesis
/// by <see cref="TrainingRequestBuilder"/> and embedded in the definition (so <c>cdk diff</c> shows every request
/// change). The first state, <c>PrepareRequest</c>, runs a small Node.js function that validates the input against
/// the guardrails and patches only well-defined request paths; invalid input fails before any SageMaker call.</para>
/// <para>Failures: SageMaker throttling and transient errors are retried with backoff and jitter; quota errors end
/// with the Service Quotas name to request; capacity errors start the job again (new name) a bounded number of
/// times; algorithm errors end with the job's failure reason. Every failure publishes to the notification topic and
/// ends in the <c>Failed</c> state. Stopping the execution stops the job (the <c>.sync</c> integration does it).</para>
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

    /// <summary>The state machine's role: the principal that creates the SageMaker jobs.</summary>
    public IPrincipal GrantPrincipal => StateMachine.Role.GrantPrincipal;

    /// <summary>Names of the recipe's metric definitions (what SageMaker publishes to CloudWatch for each job).</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>The job name prefix; every job this pipeline creates is named <c>&lt;prefix&gt;-…</c>.</summary>
    public string JobNamePrefix { get; }

    /// <summary>Creates the pipeline.</summary>
    /// <param name="scope">Parent construct.</param>
    /// <param name="id">Construct id.</param>
    /// <param name="props">The recipe, the platform resources and the guardrails.</param>
    /// <exception cref="ArgumentException">Every invalid prop, in one message.</exception>
    public HuggingFaceTrainingPipeline(Construct scope, string id, HuggingFaceTrainingPipelineProps props) : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Validate(props);
        JobNamePrefix = props.JobNamePrefix;
        MetricNames = [.. props.Job.MetricDefinitions.Select(m => m.Name)];
        var stack = Stack.Of(this);

        // ---- default requests (built once, at synthesis) ----
        var subnets = props.Vpc?.SelectSubnets(props.VpcSubnets ?? new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED });
        var resources = new TrainingJobResources
        {
            RoleArn = props.ExecutionRole.RoleArn,
            ImageUri = props.ImageUri,
            SubmitDirectoryS3Uri = props.SourceCode.S3Uri,
            OutputS3Uri = $"s3://{props.ArtifactsBucket.BucketName}/{props.JobNamePrefix}/",
            CheckpointS3Uri = $"s3://{props.CheckpointsBucket.BucketName}/{props.JobNamePrefix}",
            KmsKeyArn = props.EncryptionKey?.KeyArn,
            SubnetIds = subnets?.SubnetIds,
            SecurityGroupIds = props.SecurityGroups?.Select(sg => sg.SecurityGroupId).ToArray(),
            Region = stack.Region,
        };
        DefaultTrainingRequest = TrainingRequestBuilder.CreateTrainingJob(props.Job, resources, null);
        DefaultTuningRequest = props.Tuning is null ? null
            : TrainingRequestBuilder.CreateHyperParameterTuningJob(
                // Warm pools exist for training jobs only (SageMaker refuses a keep-alive in a tuning job's definition).
                props.Job with { KeepAlivePeriod = null }, props.Tuning, resources, null);
        props.SourceCode.GrantRead(props.ExecutionRole);

        var removal = props.RemovalPolicy ?? RemovalPolicy.RETAIN;
        var retention = props.LogRetention ?? RetentionDays.ONE_YEAR;

        // ---- PrepareRequest function ----
        PrepareFunction = CreatePrepareFunction(props, retention, removal);

        // ---- states ----
        var maxRuntimeSeconds = (long)props.MaxRuntime.ToSeconds();
        var policy = new Dictionary<string, object>
        {
            ["jobNamePrefix"] = props.JobNamePrefix,
            ["allowedInstanceTypes"] = props.AllowedInstanceTypes.ToArray(),
            ["maxInstanceCount"] = props.MaxInstanceCount,
            ["maxRuntimeSeconds"] = maxRuntimeSeconds,
            ["datasetsBucket"] = props.DatasetsBucket.BucketName,
            ["maxTuningJobs"] = props.MaxTuningJobs,
            ["maxParallelTuningJobs"] = props.MaxParallelTuningJobs,
        };
        var defaults = new Dictionary<string, object> { ["training"] = ToCdkValue(DefaultTrainingRequest)! };
        if (DefaultTuningRequest is not null)
        {
            defaults["tuning"] = ToCdkValue(DefaultTuningRequest)!;
        }

        var initialize = new Pass(this, "Initialize", new PassProps
        {
            StateName = "Initialize",
            Comment = "Keeps the execution input and starts the capacity attempt counter.",
            Parameters = new Dictionary<string, object> { ["input.$"] = "$", ["attempt"] = 1 },
        });

        var prepare = new LambdaInvoke(this, "PrepareRequest", new LambdaInvokeProps
        {
            StateName = "PrepareRequest",
            Comment = "Validates the input against the environment's guardrails and applies the overrides to the default request.",
            LambdaFunction = PrepareFunction,
            Payload = TaskInput.FromObject(new Dictionary<string, object>
            {
                ["input.$"] = "$.input",
                ["attempt.$"] = "$.attempt",
                ["executionName.$"] = "$$.Execution.Name",
                ["policy"] = policy,
                ["defaults"] = defaults,
            }),
            ResultSelector = new Dictionary<string, object>
            {
                ["mode.$"] = "$.Payload.mode",
                ["request.$"] = "$.Payload.request",
                ["summary.$"] = "$.Payload.summary",
            },
            ResultPath = "$.prepared",
            RetryOnServiceExceptions = true,
        });

        // Failure handling, shared by both job kinds.
        var failed = new Fail(this, "Failed", new FailProps
        {
            StateName = "Failed",
            Comment = "Every failure ends here, after the notification.",
            ErrorPath = "$.failure.error",
            CausePath = "$.failure.cause",
        });
        var notify = new SnsPublish(this, "NotifyFailure", new SnsPublishProps
        {
            StateName = "NotifyFailure",
            Comment = "Publishes the failure to the platform notification topic.",
            Topic = props.NotificationTopic,
            Subject = "Hugging Face training run failed",
            Message = TaskInput.FromJsonPathAt("States.JsonToString($.failure)"),
            MessageAttributes = new Dictionary<string, IMessageAttribute>
            {
                ["status"] = new MessageAttribute { Value = "FAILED" },
            },
            ResultPath = JsonPath.DISCARD,
        });
        notify.AddRetry(new RetryProps
        {
            Errors = ["States.ALL"], Interval = Duration.Seconds(2), MaxAttempts = 3, BackoffRate = 2,
            JitterStrategy = JitterType.FULL,
        });
        notify.AddCatch(failed, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.notificationError" });
        notify.Next(failed);

        Pass Describe(string name, string comment, IDictionary<string, object> failure) => new(this, name, new PassProps
        {
            StateName = name,
            Comment = comment,
            Parameters = new Dictionary<string, object>(failure)
            {
                ["execution.$"] = "$$.Execution.Id",
                ["status"] = "FAILED",
            },
            ResultPath = "$.failure",
        });

        var parseInvalidInput = new Pass(this, "ParseInvalidInput", new PassProps
        {
            StateName = "ParseInvalidInput",
            Comment = "The function's error payload (errorType, errorMessage) arrives as a JSON string in Cause.",
            Parameters = new Dictionary<string, object> { ["payload.$"] = "States.StringToJson($.error.Cause)" },
            ResultPath = "$.error",
        });
        parseInvalidInput.Next(Describe("DescribeInvalidInput", "No SageMaker call was made: the input names a field the environment does not allow.",
            new Dictionary<string, object>
            {
                ["error"] = InvalidInputError,
                ["cause.$"] = "$.error.payload.errorMessage",
                ["job"] = "none: the input was rejected before any SageMaker call",
            }).Next(notify));

        var describeOther = Describe("DescribeOtherFailure", "Any other error (SageMaker validation, permissions, a stopped job, ...): error and cause as received.",
            new Dictionary<string, object> { ["error.$"] = "$.error.Error", ["cause.$"] = "$.error.Cause", ["job"] = "see cause" });
        describeOther.Next(notify);

        prepare.AddCatch(parseInvalidInput, new CatchProps { Errors = [InvalidInputError], ResultPath = "$.error" });
        prepare.AddCatch(describeOther, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.error" });

        var describeQuota = Describe("DescribeQuotaExceeded", "SageMaker refused the job for a service quota: name the quota to request.",
            new Dictionary<string, object>
            {
                ["error"] = "QuotaExceeded",
                ["cause.$"] = "States.Format('SageMaker quota exceeded for {} x {}. Request an increase of the Service Quotas quota \"{}\" (Service Quotas console, service Amazon SageMaker) or choose another instance type. SageMaker said: {}', $.prepared.summary.instanceCount, $.prepared.summary.instanceType, $.prepared.summary.quotaName, $.error.Cause)",
                ["job.$"] = "$.prepared.summary.jobName",
            });
        describeQuota.Next(notify);

        var describeJobFailure = Describe("DescribeJobFailure", "The job failed (AlgorithmError and the like): end with its failure reason.",
            new Dictionary<string, object>
            {
                ["error"] = "JobFailed",
                ["cause.$"] = "$.failedJob.FailureReason",
                ["job.$"] = "$.prepared.summary.jobName",
            });
        describeJobFailure.Next(notify);

        var capacityAttempts = props.MaxCapacityAttempts;
        var describeCapacity = Describe("DescribeCapacityExhausted", "Capacity errors on every attempt: give up with the last failure reason.",
            new Dictionary<string, object>
            {
                ["error"] = "InsufficientCapacity",
                ["cause.$"] = "States.Format('No capacity after {} attempts for {} x {} (spot: {}). Last failure: {}', $.attempt, $.prepared.summary.instanceCount, $.prepared.summary.instanceType, $.prepared.summary.spot, $.failedJob.FailureReason)",
                ["job.$"] = "$.prepared.summary.jobName",
            });
        describeCapacity.Next(notify);

        var nextAttempt = new Pass(this, "NextCapacityAttempt", new PassProps
        {
            StateName = "NextCapacityAttempt",
            Comment = "Starts over with a new job name (SageMaker job names are never reusable).",
            Parameters = new Dictionary<string, object> { ["input.$"] = "$.input", ["attempt.$"] = "States.MathAdd($.attempt, 1)" },
        });
        nextAttempt.Next(prepare);
        var waitForCapacity = new Wait(this, "WaitForCapacity", new WaitProps
        {
            StateName = "WaitForCapacity",
            Comment = "Gives SageMaker time to free capacity before the next attempt.",
            Time = WaitTime.Duration(props.CapacityRetryDelay ?? Duration.Minutes(10)),
        });
        waitForCapacity.Next(nextAttempt);

        var capacityGate = new Choice(this, "RetryCapacity?", new ChoiceProps { StateName = "RetryCapacity?" })
            .When(Condition.NumberLessThan("$.attempt", capacityAttempts), waitForCapacity)
            .Otherwise(describeCapacity);
        var isCapacity = new Choice(this, "CapacityError?", new ChoiceProps { StateName = "CapacityError?" })
            .When(Condition.StringMatches("$.failedJob.FailureReason", "*CapacityError*"), capacityGate)
            .Otherwise(describeJobFailure);
        var hasReason = new Choice(this, "HasFailureReason?", new ChoiceProps { StateName = "HasFailureReason?" })
            .When(Condition.IsPresent("$.failedJob.FailureReason"), isCapacity)
            .Otherwise(describeOther);
        var parseJob = new Pass(this, "ParseFailedJob", new PassProps
        {
            StateName = "ParseFailedJob",
            Comment = "The .sync integration reports a failed job with its Describe* response as a JSON string in Cause.",
            Parameters = new Dictionary<string, object> { ["job.$"] = "States.StringToJson($.error.Cause)" },
            ResultPath = "$.parsed",
        });
        var liftJob = new Pass(this, "KeepFailedJob", new PassProps
        {
            StateName = "KeepFailedJob",
            InputPath = "$.parsed.job",
            ResultPath = "$.failedJob",
        });
        parseJob.Next(liftJob).Next(hasReason);
        var classify = new Choice(this, "JobFailureKind?", new ChoiceProps { StateName = "JobFailureKind?" })
            .When(Condition.StringMatches("$.error.Cause", "{*"), parseJob)
            .Otherwise(describeOther);

        CustomState SageMakerTask(string name, string api, string comment)
        {
            var task = new CustomState(this, name, new CustomStateProps
            {
                StateJson = new Dictionary<string, object>
                {
                    ["Type"] = "Task",
                    ["Comment"] = comment,
                    ["Resource"] = $"arn:{stack.Partition}:states:::sagemaker:{api}.sync",
                    // The prepared request is the whole effective input: it reaches SageMaker unchanged.
                    ["InputPath"] = "$.prepared.request",
                    ["ResultPath"] = "$.job",
                },
            });
            task.AddRetry(new RetryProps
            {
                // Throttling and 5xx surface as AmazonSageMakerException; bounded, so a validation error ends soon.
                Errors = ["SageMaker.AmazonSageMakerException"],
                Interval = Duration.Seconds(5), MaxAttempts = 4, BackoffRate = 2, MaxDelay = Duration.Minutes(2),
                JitterStrategy = JitterType.FULL,
            });
            task.AddCatch(describeQuota, new CatchProps { Errors = ["SageMaker.ResourceLimitExceededException"], ResultPath = "$.error" });
            task.AddCatch(classify, new CatchProps { Errors = ["States.TaskFailed"], ResultPath = "$.error" });
            task.AddCatch(describeOther, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.error" });
            return task;
        }

        var train = SageMakerTask("RunTrainingJob", "createTrainingJob", "CreateTrainingJob and wait for the job (stopping the execution stops the job).");
        var trainingOutput = new Dictionary<string, object>
        {
            ["status"] = "Completed",
            ["mode"] = "train",
            ["jobName.$"] = "$.job.TrainingJobName",
            ["jobArn.$"] = "$.job.TrainingJobArn",
            ["modelArtifacts.$"] = "$.job.ModelArtifacts.S3ModelArtifacts",
            ["settings.$"] = "$.prepared.summary",
        };
        train.Next(new Choice(this, "HasFinalMetrics?", new ChoiceProps { StateName = "HasFinalMetrics?" })
            .When(Condition.IsPresent("$.job.FinalMetricDataList"), new Pass(this, "TrainingSucceeded", new PassProps
            {
                StateName = "TrainingSucceeded",
                Parameters = new Dictionary<string, object>(trainingOutput) { ["finalMetrics.$"] = "$.job.FinalMetricDataList" },
            }))
            .Otherwise(new Pass(this, "TrainingSucceededWithoutMetrics", new PassProps
            {
                StateName = "TrainingSucceededWithoutMetrics",
                Parameters = new Dictionary<string, object>(trainingOutput) { ["finalMetrics"] = Array.Empty<object>() },
            })));

        var chooseMode = new Choice(this, "TrainOrTune?", new ChoiceProps { StateName = "TrainOrTune?" })
            .When(Condition.StringEquals("$.prepared.mode", "train"), train);
        if (DefaultTuningRequest is not null)
        {
            var tune = SageMakerTask("RunTuningJob", "createHyperParameterTuningJob", "CreateHyperParameterTuningJob and wait for it (stopping the execution stops it).");
            var noBest = Describe("DescribeNoBestTrainingJob", "The tuning job completed without a successful training job.",
                new Dictionary<string, object>
                {
                    ["error"] = "NoBestTrainingJob",
                    ["cause.$"] = "States.Format('Tuning job {} completed without a best training job; training job counts: {}', $.job.HyperParameterTuningJobName, States.JsonToString($.job.TrainingJobStatusCounters))",
                    ["job.$"] = "$.prepared.summary.jobName",
                });
            noBest.Next(notify);
            tune.Next(new Choice(this, "HasBestTrainingJob?", new ChoiceProps { StateName = "HasBestTrainingJob?" })
                .When(Condition.IsPresent("$.job.BestTrainingJob"), new Pass(this, "TuningSucceeded", new PassProps
                {
                    StateName = "TuningSucceeded",
                    Parameters = new Dictionary<string, object>
                    {
                        ["status"] = "Completed",
                        ["mode"] = "tune",
                        ["tuningJobName.$"] = "$.job.HyperParameterTuningJobName",
                        ["tuningJobArn.$"] = "$.job.HyperParameterTuningJobArn",
                        ["bestTrainingJob"] = new Dictionary<string, object>
                        {
                            ["jobName.$"] = "$.job.BestTrainingJob.TrainingJobName",
                            ["jobArn.$"] = "$.job.BestTrainingJob.TrainingJobArn",
                            ["objective.$"] = "$.job.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric",
                            ["tunedHyperParameters.$"] = "$.job.BestTrainingJob.TunedHyperParameters",
                            ["modelArtifacts.$"] = "States.Format('{}/{}/output/model.tar.gz', $.prepared.summary.outputS3Uri, $.job.BestTrainingJob.TrainingJobName)",
                        },
                        ["trainingJobCounts.$"] = "$.job.TrainingJobStatusCounters",
                        ["settings.$"] = "$.prepared.summary",
                    },
                }))
                .Otherwise(noBest));
            chooseMode.When(Condition.StringEquals("$.prepared.mode", "tune"), tune);
        }

        var definition = initialize.Next(prepare).Next(chooseMode);

        // ---- state machine ----
        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            // Step Functions requires the /aws/vendedlogs/ prefix to keep the log resource policy small; the name is
            // derived from the construct's unique address, so two pipelines never collide.
            LogGroupName = $"/aws/vendedlogs/states/{stack.StackName}-{Node.Id}-{Node.Addr[..8]}",
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
            Timeout = props.ExecutionTimeout ?? DefaultTimeout(props),
        });

        AddJobPermissions(props, stack);
        // The two log groups are encrypted with EncryptionKey: CloudWatch Logs must be allowed to use it.
        if (props.EncryptionKey is not null) LogGroupKeyPolicy.Allow(this, props.EncryptionKey);
        if (props.NotificationTopicKey is not null)
        {
            props.NotificationTopicKey.Grant(StateMachine, "kms:Decrypt", "kms:GenerateDataKey*");
        }
        AddSuppressions();
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

    private Function CreatePrepareFunction(HuggingFaceTrainingPipelineProps props, RetentionDays retention, RemovalPolicy removal)
    {
        var logGroup = new LogGroup(this, "PrepareRequestLogs", new LogGroupProps
        {
            Retention = retention,
            RemovalPolicy = removal,
            EncryptionKey = props.EncryptionKey,
        });
        var role = new Role(this, "PrepareRequestRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
            Description = "PrepareRequest function: writes its own logs, nothing else (it makes no AWS calls).",
        });
        logGroup.GrantWrite(role);
        SecurityGroup? securityGroup = null;
        if (props.Vpc is not null)
        {
            securityGroup = new SecurityGroup(this, "PrepareRequestSecurityGroup", new SecurityGroupProps
            {
                Vpc = props.Vpc,
                AllowAllOutbound = false,
                Description = "PrepareRequest function: no network access needed (pure computation).",
            });
            // Creating and deleting the function's network interfaces; EC2 ENI describe actions cannot be scoped.
            role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Actions = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
                Resources = ["*"],
            }));
        }

        var function = new Function(this, "PrepareRequestFunction", new FunctionProps
        {
            Description = "Validates a training pipeline execution input and prepares the SageMaker request.",
            Runtime = new Amazon.CDK.AWS.Lambda.Runtime("nodejs22.x", RuntimeFamily.NODEJS),
            Handler = "prepare-request.handler",
            Code = Code.FromAsset(RuntimeAssetDirectory()),
            Role = role,
            MemorySize = 256,
            Timeout = Duration.Seconds(30),
            ReservedConcurrentExecutions = 10,
            LogGroup = logGroup,
            Tracing = Tracing.ACTIVE,
            Vpc = props.Vpc,
            VpcSubnets = props.Vpc is null ? null : props.VpcSubnets ?? new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED },
            SecurityGroups = securityGroup is null ? null : [securityGroup],
        });
        var suppressions = new List<NagSuppression>
        {
            new("AwsSolutions-IAM5", "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (added by the CDK for active tracing); the EC2 network interface actions of a VPC function cannot be scoped to interfaces that do not exist yet.",
                ["Resource::*"]),
        };
        NagSuppressions.Add(role.Node.FindChild("DefaultPolicy").Node.DefaultChild!, suppressions.ToArray());
        NagSuppressions.Add(function,
            new NagSuppression("HIPAA.Security-LambdaDLQ", "Invoked synchronously by Step Functions only (lambda:invoke, RequestResponse): a dead-letter queue applies to asynchronous invocations; errors go back to the state machine, which notifies and fails."),
            new NagSuppression("NIST.800.53.R5-LambdaDLQ", "Invoked synchronously by Step Functions only (lambda:invoke, RequestResponse): a dead-letter queue applies to asynchronous invocations; errors go back to the state machine, which notifies and fails."));
        if (props.Vpc is null)
        {
            var reason = "The function is pure computation over its payload and makes no network calls; no VPC was given to the pipeline.";
            NagSuppressions.Add(function,
                new NagSuppression("HIPAA.Security-LambdaInsideVPC", reason),
                new NagSuppression("NIST.800.53.R5-LambdaInsideVPC", reason),
                new NagSuppression("PCI.DSS.321-LambdaInsideVPC", reason));
        }
        return function;
    }

    /// <summary>ARN pattern of the jobs this pipeline may manage: <c>&lt;resource&gt;/&lt;prefix&gt;-*</c>.</summary>
    private string JobArn(Stack stack, string resource) =>
        stack.FormatArn(new ArnComponents { Service = "sagemaker", Resource = resource, ResourceName = $"{JobNamePrefix}-*" });

    private void AddJobPermissions(HuggingFaceTrainingPipelineProps props, Stack stack)
    {
        // Confused-deputy protection on the role the state machine created (Step Functions developer guide): Step
        // Functions may assume it only for state machines of this account and region.
        if (StateMachine.Role.Node.DefaultChild is CfnRole stateMachineRole)
        {
            stateMachineRole.AddPropertyOverride("AssumeRolePolicyDocument.Statement.0.Condition", new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["aws:SourceArn"] = stack.FormatArn(new ArnComponents
                    {
                        Service = "states", Resource = "stateMachine", ResourceName = "*", ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
                    }),
                },
            });
        }
        var trainingJobs = JobArn(stack, "training-job");
        var tuningJobs = JobArn(stack, "hyper-parameter-tuning-job");
        var tuning = DefaultTuningRequest is not null;

        // Create only within the cost guardrails (sagemaker:InstanceTypes, sagemaker:MaxRuntimeInSeconds).
        var create = new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CreateJobsWithinGuardrails",
            Actions = tuning ? ["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"] : ["sagemaker:CreateTrainingJob"],
            Resources = tuning ? [trainingJobs, tuningJobs] : [trainingJobs],
        });
        TrainingCostConditions.Apply(create, props.AllowedInstanceTypes, props.MaxRuntime);
        StateMachine.AddToRolePolicy(create);

        StateMachine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ManageOwnJobs",
            Actions = tuning
                ? ["sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:DescribeHyperParameterTuningJob",
                    "sagemaker:StopHyperParameterTuningJob", "sagemaker:AddTags", "sagemaker:ListTags"]
                : ["sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:AddTags", "sagemaker:ListTags"],
            Resources = tuning ? [trainingJobs, tuningJobs] : [trainingJobs],
        }));
        StateMachine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PassOnlyTheExecutionRoleToSageMaker",
            Actions = ["iam:PassRole"],
            Resources = [props.ExecutionRole.RoleArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "sagemaker.amazonaws.com" },
            },
        }));
        var rules = new List<string>
        {
            stack.FormatArn(new ArnComponents { Service = "events", Resource = "rule", ResourceName = "StepFunctionsGetEventsForSageMakerTrainingJobsRule" }),
        };
        if (tuning)
        {
            rules.Add(stack.FormatArn(new ArnComponents { Service = "events", Resource = "rule", ResourceName = "StepFunctionsGetEventsForSageMakerTuningJobsRule" }));
        }
        StateMachine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "SyncIntegrationEventRules",
            Actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            Resources = rules.ToArray(),
        }));
    }

    private void AddSuppressions()
    {
        var stack = Stack.Of(this);
        var policy = StateMachine.Role.Node.TryFindChild("DefaultPolicy")?.Node.DefaultChild;
        if (policy is null)
        {
            return;
        }
        NagSuppressions.Add(policy,
            new NagSuppression("AwsSolutions-IAM5",
                "Job ARNs end in '<JobNamePrefix>-*' because job names are chosen per execution (the prefix is the scope); "
                + "lambda:InvokeFunction on '<function arn>:*' covers the function's versions (added by the CDK LambdaInvoke task); "
                + "the CloudWatch Logs delivery actions (logs:CreateLogDelivery, ...) and X-Ray actions support no resource-level permissions; "
                + "kms:GenerateDataKey* (GenerateDataKey and its WithoutPlaintext variant) on the notification topic's key only, needed to publish to the encrypted topic.",
                ["Resource::*", "Action::kms:GenerateDataKey*",
                    NagFindings.Resource(this, JobArn(stack, "training-job")),
                    NagFindings.Resource(this, JobArn(stack, "hyper-parameter-tuning-job")),
                    NagFindings.Resource(this, $"{PrepareFunction.FunctionArn}:*")]));
    }

    private static Duration DefaultTimeout(HuggingFaceTrainingPipelineProps props)
    {
        // Worst case per attempt: spot may wait up to twice the run time; tuning runs ceil(max jobs / parallel) rounds.
        var perJob = props.MaxRuntime.ToSeconds() * 2;
        var rounds = props.Tuning is null ? 1 : Math.Ceiling(props.MaxTuningJobs / (double)Math.Max(1, props.MaxParallelTuningJobs));
        var delay = (props.CapacityRetryDelay ?? Duration.Minutes(10)).ToSeconds();
        var seconds = props.MaxCapacityAttempts * (perJob * rounds + delay) + 3600;
        return Duration.Seconds(Math.Min(seconds, 365d * 24 * 3600));
    }

    private static readonly Regex PrefixPattern = new("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", RegexOptions.CultureInvariant);

    private static void Validate(HuggingFaceTrainingPipelineProps props)
    {
        var problems = new List<string>();
        if (props.JobNamePrefix is null || props.JobNamePrefix.Length is < 1 or > 12 || !PrefixPattern.IsMatch(props.JobNamePrefix))
        {
            problems.Add($"JobNamePrefix: '{props.JobNamePrefix}' is invalid; use 1 to 12 characters [a-zA-Z0-9](-*[a-zA-Z0-9])* (job names are '<prefix>-<execution>', 32 characters at most for tuning jobs).");
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

    /// <summary>A <see cref="Duration"/> in seconds without the integral-conversion error of <c>ToSeconds()</c>.</summary>
    private static double Seconds(Duration duration) => duration.ToSeconds(new TimeConversionOptions { Integral = false });

    private static void AddRecipeProblems(List<string> problems, HuggingFaceTrainingPipelineProps props)
    {
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

    /// <summary>Converts a request to the plain dictionaries/arrays/primitives jsii passes to the definition.</summary>
    internal static object? ToCdkValue(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => ToCdkValue(kv.Value)),
        JsonArray a => a.Select(ToCdkValue).ToArray(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v => JsonSerializer.Deserialize<JsonElement>(v.ToJsonString()).ToString(),
        _ => throw new ArgumentException($"unsupported JSON node {node.GetType().Name}"),
    };

    /// <summary>Writes the embedded run-time code to a content-addressed directory (the Lambda asset).</summary>
    private static string RuntimeAssetDirectory()
    {
        const string resource = "HfSageMaker.Constructs.Orchestration.runtime.prepare-request.mjs";
        using var stream = typeof(HuggingFaceTrainingPipeline).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from the assembly");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var directory = Path.Combine(Path.GetTempPath(), $"hf-sagemaker-prepare-request-{hash}");
        var file = Path.Combine(directory, "prepare-request.mjs");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(directory);
            var temp = file + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, file, overwrite: true);
        }
        return directory;
    }
}
