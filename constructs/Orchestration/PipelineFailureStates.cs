using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.StepFunctions;
using Amazon.CDK.AWS.StepFunctions.Tasks;
using Constructs;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The failure half of the pipeline's state graph, shared by both job kinds: every failure is described (error, cause,
/// job, execution), published to the notification topic and ends in <c>Failed</c>; invalid input is caught after
/// <c>PrepareRequest</c>; a failed job is classified (capacity errors start a new attempt, bounded; algorithm errors
/// end with the job's failure reason).
/// </summary>
internal sealed class PipelineFailureStates
{
    private readonly Construct scope;

    /// <summary>Publishes <c>$.failure</c> to the notification topic, then fails.</summary>
    public SnsPublish Notify { get; }

    /// <summary>Any other error: error and cause as received.</summary>
    public Pass DescribeOther { get; }

    /// <summary>SageMaker refused the job for a service quota.</summary>
    public Pass DescribeQuota { get; }

    /// <summary>Entry point for a failed <c>.sync</c> task (<c>States.TaskFailed</c>): classifies the job's failure.</summary>
    public Choice Classify { get; }

    /// <summary>Creates the failure states in <paramref name="scope"/> and the catches of <paramref name="prepare"/>.</summary>
    public PipelineFailureStates(Construct scope, HuggingFaceTrainingPipelineProps props, LambdaInvoke prepare, IFunction prepareFunction)
    {
        this.scope = scope;
        var failed = new Fail(scope, "Failed", new FailProps
        {
            StateName = "Failed",
            Comment = "Every failure ends here, after the notification.",
            ErrorPath = "$.failure.error",
            CausePath = "$.failure.cause",
        });
        var notify = Publish(scope, props.NotificationTopic!, "NotifyFailure", "Publishes the failure to the platform notification topic.",
            "Hugging Face training run failed", "$.failure", "FAILED");
        notify.AddCatch(failed, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.notificationError" });
        notify.Next(failed);


        var describeOther = Describe("DescribeOtherFailure", "Any other error (SageMaker validation, permissions, a stopped job, ...): error and cause as received.",
            new Dictionary<string, object> { ["error.$"] = "$.error.Error", ["cause.$"] = "$.error.Cause", ["job"] = "see cause" });
        describeOther.Next(notify);

        // A Cause is untrusted text (cut when long, or not JSON): States.StringToJson on it would fail with
        // States.Runtime, which no Pass state can catch, and the run would end without the notification. The function
        // parses it instead; if even that fails, the failure is reported as received.
        var parseInvalidInput = ParseCause(prepareFunction, "ParseInvalidInput", "invalidInput",
            "The function's error payload (errorType, errorMessage) arrives as a JSON string in Cause: keep its message, bounded.",
            new Dictionary<string, object> { ["message.$"] = "$.Payload.message" }, "$.invalid", describeOther);
        parseInvalidInput.Next(Describe("DescribeInvalidInput", "No SageMaker call was made: the input names a field the environment does not allow.",
            new Dictionary<string, object>
            {
                ["error"] = HuggingFaceTrainingPipeline.InvalidInputError,
                ["cause.$"] = "$.invalid.message",
                ["job"] = "none: the input was rejected before any SageMaker call",
            }).Next(notify));

        prepare.AddCatch(parseInvalidInput, new CatchProps { Errors = [HuggingFaceTrainingPipeline.InvalidInputError], ResultPath = "$.error" });
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

        var nextAttempt = new Pass(scope, "NextCapacityAttempt", new PassProps
        {
            StateName = "NextCapacityAttempt",
            Comment = "Starts over with a new job name (SageMaker job names are never reusable).",
            Parameters = new Dictionary<string, object> { ["input.$"] = "$.input", ["attempt.$"] = "States.MathAdd($.attempt, 1)" },
        });
        nextAttempt.Next(prepare);
        var waitForCapacity = new Wait(scope, "WaitForCapacity", new WaitProps
        {
            StateName = "WaitForCapacity",
            Comment = "Gives SageMaker time to free capacity before the next attempt.",
            Time = WaitTime.Duration(props.CapacityRetryDelay ?? Duration.Minutes(10)),
        });
        waitForCapacity.Next(nextAttempt);

        var capacityGate = new Choice(scope, "RetryCapacity?", new ChoiceProps { StateName = "RetryCapacity?" })
            .When(Condition.NumberLessThan("$.attempt", capacityAttempts), waitForCapacity)
            .Otherwise(describeCapacity);
        var isCapacity = new Choice(scope, "CapacityError?", new ChoiceProps { StateName = "CapacityError?" })
            .When(Condition.StringMatches("$.failedJob.FailureReason", "*CapacityError*"), capacityGate)
            .Otherwise(describeJobFailure);
        var hasReason = new Choice(scope, "HasFailureReason?", new ChoiceProps { StateName = "HasFailureReason?" })
            .When(Condition.IsPresent("$.failedJob.FailureReason"), isCapacity)
            .Otherwise(describeOther);
        var parseJob = ParseCause(prepareFunction, "ParseFailedJob", "failedJob",
            "The .sync integration reports a failed job with its Describe* response as a JSON string in Cause ({} when it is not JSON).",
            new Dictionary<string, object> { ["job.$"] = "$.Payload.job" }, "$.parsed", describeOther);
        var liftJob = new Pass(scope, "KeepFailedJob", new PassProps
        {
            StateName = "KeepFailedJob",
            InputPath = "$.parsed.job",
            ResultPath = "$.failedJob",
        });
        parseJob.Next(liftJob).Next(hasReason);
        var classify = new Choice(scope, "JobFailureKind?", new ChoiceProps { StateName = "JobFailureKind?" })
            .When(Condition.StringMatches("$.error.Cause", "{*"), parseJob)
            .Otherwise(describeOther);

        Notify = notify;
        DescribeOther = describeOther;
        DescribeQuota = describeQuota;
        Classify = classify;
    }

    /// <summary>
    /// A notification state: publishes the JSON of <paramref name="messagePath"/> to <paramref name="topic"/> with the
    /// message attribute <c>status</c>, keeps the state as it was, and retries any error 3 times (2 s × 2ⁿ, full jitter).
    /// </summary>
    public static SnsPublish Publish(Construct scope, ITopic topic, string name, string comment, string subject, string messagePath, string status)
    {
        var notify = new SnsPublish(scope, name, new SnsPublishProps
        {
            StateName = name,
            Comment = comment,
            Topic = topic,
            Subject = subject,
            Message = TaskInput.FromJsonPathAt($"States.JsonToString({messagePath})"),
            MessageAttributes = new Dictionary<string, IMessageAttribute>
            {
                ["status"] = new MessageAttribute { Value = status },
            },
            ResultPath = JsonPath.DISCARD,
        });
        notify.AddRetry(new RetryProps
        {
            Errors = ["States.ALL"], Interval = Duration.Seconds(2), MaxAttempts = 3, BackoffRate = 2,
            JitterStrategy = JitterType.FULL,
        });
        return notify;
    }

    /// <summary>
    /// A <c>Pass</c> state whose output is only <c>{ failure: <paramref name="failure"/> + execution and status }</c>:
    /// the input and the request are dropped, so the notification path carries a small, bounded state.
    /// </summary>
    public Pass Describe(string name, string comment, IDictionary<string, object> failure) => new(scope, name, new PassProps
    {
        StateName = name,
        Comment = comment,
        Parameters = new Dictionary<string, object>
        {
            ["failure"] = new Dictionary<string, object>(failure)
            {
                ["execution.$"] = "$$.Execution.Id",
                ["status"] = "FAILED",
            },
        },
    });

    /// <summary>Invokes the PrepareRequest function's cause parser on <c>$.error.Cause</c>; any failure of it goes to <paramref name="fallback"/>.</summary>
    private LambdaInvoke ParseCause(IFunction function, string name, string parse, string comment, IDictionary<string, object> selector, string resultPath, IChainable fallback)
    {
        var task = new LambdaInvoke(scope, name, new LambdaInvokeProps
        {
            StateName = name,
            Comment = comment,
            LambdaFunction = function,
            Payload = TaskInput.FromObject(new Dictionary<string, object> { ["parse"] = parse, ["cause.$"] = "$.error.Cause" }),
            ResultSelector = selector,
            ResultPath = resultPath,
            RetryOnServiceExceptions = true,
        });
        task.AddCatch(fallback, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.parseError" });
        return task;
    }
}
