using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.StepFunctions;
using Amazon.CDK.AWS.StepFunctions.Tasks;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The registration half of the pipeline's state graph, after a success output (<c>$.result</c>):
/// <c>PrepareRegistration</c> (the <c>PrepareRequest</c> function, <c>runtime/registration.mjs</c>: the default request
/// built at synthesis with the run's artifact, lineage, model card and idempotency token) -&gt; <c>Registrable?</c> -&gt;
/// <c>RegisterModel</c> (<c>aws-sdk:sagemaker:createModelPackage</c>, throttling and transient errors retried) -&gt;
/// <c>KeepModelPackage</c> -&gt; <c>NotifyRegistered</c> (the version's ARN to the topic) -&gt; <c>RunSucceeded</c> (the result
/// and <c>modelPackage</c>). A refused or failed registration is described with the trained job and the run's result
/// (its artifact) and goes through the failure notification, once.
/// </summary>
internal sealed class PipelineRegistrationStates
{
    /// <summary>The error a run ends with when registering its model failed (after the retries).</summary>
    public const string RegistrationFailedError = "RegistrationFailed";

    /// <summary>The error of a completed training job that reports no model artifact.</summary>
    public const string ModelArtifactsMissingError = "ModelArtifactsMissing";

    /// <summary>
    /// The errors <c>RegisterModel</c> retries with backoff, by the names Step Functions gives them. An AWS SDK
    /// integration names an error <c>&lt;Service&gt;.&lt;Exception&gt;</c>, always with the <c>Exception</c> suffix (Step
    /// Functions developer guide, "AWS SDK service integrations", supported-services-awssdk.html): the SDK's exception
    /// class. An error the service's API model names (for any SageMaker operation) gets its own class; those that
    /// <c>CreateModelPackage</c> lists are <c>ConflictException</c> and <c>ResourceLimitExceeded</c> (botocore's
    /// SageMaker model). Every other service error, throttling (<c>ThrottlingException</c>, which SageMaker's model does
    /// not name) and 5xx among them,
    /// is the service's base class, <c>SageMaker.SageMakerException</c> (as an S3 503 <c>SlowDown</c> reaches a state
    /// machine as <c>S3.S3Exception</c>: https://github.com/cdklabs/construct-hub/pull/1904); so are validation and access
    /// errors, which are retried too and fail again within the backoff. A failure on the client's side (connection,
    /// timeout) is <c>SageMaker.SdkClientException</c> (the same pull request shows <c>S3.SdkClientException</c>). A conflict of concurrent registrations into one group is retried;
    /// the call carries an idempotency token, so a retry never registers twice. <c>ResourceLimitExceededException</c> (a
    /// quota) is not retried.
    /// </summary>
    public static readonly IReadOnlyList<string> RetriedErrors =
        ["SageMaker.SageMakerException", "SageMaker.SdkClientException", "SageMaker.ConflictException"];

    private readonly Construct scope;
    private readonly PipelineFailureStates failures;

    /// <summary>The first registration state; every success output goes on to it.</summary>
    public LambdaInvoke Start { get; }

    /// <summary>Creates the states in <paramref name="scope"/>.</summary>
    public PipelineRegistrationStates(Construct scope, HuggingFaceTrainingPipelineProps props, IFunction prepareFunction,
        PipelineFailureStates failures, JsonObject defaultRequest, Dictionary<string, object> policy)
    {
        this.scope = scope;
        this.failures = failures;
        var stack = Stack.Of(scope);

        // Every registration failure names the trained job and carries the run's result, whose modelArtifacts is intact.
        var describeFailure = failures.Describe("DescribeRegistrationFailure",
            "The model was trained but not registered: the error, and the run's result with its artifact.",
            new Dictionary<string, object>
            {
                ["error"] = RegistrationFailedError,
                ["cause.$"] = "States.Format('The run trained a model but registering it failed: {}: {} The run result (the trained model is intact): {}', $.error.Error, $.error.Cause, States.JsonToString($.result))",
                ["job.$"] = "$.prepared.summary.jobName",
            });
        describeFailure.Next(failures.Notify);
        var describeRefused = failures.Describe("DescribeRegistrationRefused",
            "Nothing SageMaker would take was trained (no artifact): the function's reason.",
            new Dictionary<string, object>
            {
                ["error.$"] = "$.registration.refusal.Error",
                ["cause.$"] = "$.registration.refusal.Cause",
                ["job.$"] = "$.prepared.summary.jobName",
            });
        describeRefused.Next(failures.Notify);

        Start = new LambdaInvoke(scope, "PrepareRegistration", new LambdaInvokeProps
        {
            StateName = "PrepareRegistration",
            Comment = "Builds the CreateModelPackage request: the default request with the run's artifact, lineage and model card.",
            LambdaFunction = prepareFunction,
            Payload = TaskInput.FromObject(new Dictionary<string, object>
            {
                ["register"] = new Dictionary<string, object> { ["defaults"] = CdkValues.From(defaultRequest)!, ["policy"] = policy },
                ["mode.$"] = "$.prepared.mode",
                ["job.$"] = "$.job",
                ["request.$"] = "$.prepared.request",
                ["result.$"] = "$.result",
                ["executionArn.$"] = "$$.Execution.Id",
            }),
            ResultSelector = new Dictionary<string, object>
            {
                ["request.$"] = "$.Payload.request",
                ["summary.$"] = "$.Payload.summary",
                ["refusal.$"] = "$.Payload.refusal",
            },
            ResultPath = "$.registration",
            RetryOnServiceExceptions = true,
        });
        Start.AddCatch(describeFailure, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.error" });

        var registerModel = new CustomState(scope, "RegisterModel", new CustomStateProps
        {
            StateJson = new Dictionary<string, object>
            {
                ["Type"] = "Task",
                ["Comment"] = "CreateModelPackage into the recipe's group (the prepared request is the whole effective input).",
                ["Resource"] = $"arn:{stack.Partition}:states:::aws-sdk:sagemaker:createModelPackage",
                ["InputPath"] = "$.registration.request",
                ["ResultPath"] = "$.registered",
            },
        });
        registerModel.AddRetry(new RetryProps
        {
            Errors = [.. RetriedErrors],
            Interval = Duration.Seconds(5), MaxAttempts = 4, BackoffRate = 2, MaxDelay = Duration.Minutes(2),
            JitterStrategy = JitterType.FULL,
        });
        registerModel.AddCatch(describeFailure, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.error" });

        // The version is the third '/'-separated part of a versioned package's ARN,
        // arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version> (a group name has no '/'), kept as text.
        const string arn = "$.registered.ModelPackageArn";
        const string version = $"States.ArrayGetItem(States.StringSplit({arn}, '/'), 2)";
        var keep = new Pass(scope, "KeepModelPackage", new PassProps
        {
            StateName = "KeepModelPackage",
            Comment = "The registered version for the output and the notification.",
            Parameters = new Dictionary<string, object>
            {
                ["output"] = new Dictionary<string, object>
                {
                    ["modelPackage"] = new Dictionary<string, object>
                    {
                        ["arn.$"] = arn,
                        ["version.$"] = version,
                        ["group.$"] = "$.registration.summary.modelPackageGroupName",
                        ["approvalStatus.$"] = "$.registration.summary.approvalStatus",
                        ["servable.$"] = "$.registration.summary.servable",
                    },
                },
                ["notification"] = new Dictionary<string, object>
                {
                    ["status"] = "REGISTERED",
                    ["job.$"] = "$.registration.summary.jobName",
                    ["modelArtifacts.$"] = "$.registration.summary.modelArtifacts",
                    ["modelPackageArn.$"] = arn,
                    ["modelPackageVersion.$"] = version,
                    ["approvalStatus.$"] = "$.registration.summary.approvalStatus",
                    ["servable.$"] = "$.registration.summary.servable",
                    ["execution.$"] = "$$.Execution.Id",
                },
            },
            ResultPath = "$.registered",
        });

        var succeeded = new Pass(scope, "RunSucceeded", new PassProps
        {
            StateName = "RunSucceeded",
            Comment = "The run's result and the registered version.",
            Parameters = new Dictionary<string, object> { ["output.$"] = "States.JsonMerge($.result, $.registered.output, false)" },
            OutputPath = "$.output",
        });
        var notify = PipelineFailureStates.Publish(scope, props.NotificationTopic!, "NotifyRegistered",
            "Publishes the registered version (ARN, version, approval status) to the notification topic.",
            "Hugging Face model registered", "$.registered.notification", "REGISTERED");
        // The model is registered: a notification that cannot be sent does not fail the run.
        notify.AddCatch(succeeded, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.notificationError" });

        Start.Next(new Choice(scope, "Registrable?", new ChoiceProps { StateName = "Registrable?" })
            .When(Condition.IsNull("$.registration.refusal"), registerModel.Next(keep).Next(notify).Next(succeeded))
            .Otherwise(describeRefused));
    }

    /// <summary>
    /// A choice in front of <paramref name="next"/>: a completed training job without
    /// <c>ModelArtifacts.S3ModelArtifacts</c> ends, notified, with <see cref="ModelArtifactsMissingError"/> (the success
    /// output reads the path, which would otherwise fail the run with an uncatchable <c>States.Runtime</c>).
    /// </summary>
    public Choice RequireModelArtifacts(IChainable next)
    {
        var missing = failures.Describe("DescribeNoModelArtifacts", "The job completed without a model artifact: there is nothing to register.",
            new Dictionary<string, object>
            {
                ["error"] = ModelArtifactsMissingError,
                ["cause.$"] = "States.Format('Training job {} completed without ModelArtifacts.S3ModelArtifacts: there is no model to register.', $.job.TrainingJobName)",
                ["job.$"] = "$.prepared.summary.jobName",
            });
        missing.Next(failures.Notify);
        return new Choice(scope, "HasModelArtifacts?", new ChoiceProps { StateName = "HasModelArtifacts?" })
            .When(Condition.IsPresent("$.job.ModelArtifacts.S3ModelArtifacts"), next)
            .Otherwise(missing);
    }
}
