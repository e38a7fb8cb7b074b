using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.StepFunctions;

namespace HfSageMaker.Constructs.Operations;

/// <summary>Properties of <see cref="TrainingMonitoring"/>.</summary>
public sealed record TrainingMonitoringProps
{
    /// <summary>The training pipeline's state machine whose executions are graphed and alarmed on.</summary>
    public required IStateMachine StateMachine { get; init; }

    /// <summary>
    /// Topic that receives alarm and job state change notifications (<see cref="PlatformNotifications.Topic"/>). The rules
    /// publish without adding a topic policy, so the topic's policy (and, when encrypted, its key policy) must already
    /// let <c>events.amazonaws.com</c> and <c>cloudwatch.amazonaws.com</c> publish, as <see cref="PlatformNotifications"/>
    /// sets up; with another topic, job state events are dropped silently.
    /// </summary>
    public required ITopic AlarmTopic { get; init; }

    /// <summary>
    /// Names of the training job metric definitions to graph (e.g. <c>train_loss</c>, <c>eval_loss</c>, <c>eval_bleu</c>);
    /// SageMaker publishes each to the CloudWatch namespace <c>/aws/sagemaker/TrainingJobs</c> with the dimension
    /// <c>Host</c> = <c>&lt;job name&gt;/algo-&lt;n&gt;</c>. Default: no metric widgets.
    /// </summary>
    public IReadOnlyList<string> MetricNames { get; init; } = [];

    /// <summary>
    /// Prefix of the training and tuning job names this platform starts; the job state change rules and the metric
    /// widgets only consider jobs whose name starts with it. Letters, digits and hyphens, 1 to 32 characters.
    /// </summary>
    public required string JobNamePrefix { get; init; }

    /// <summary>Dashboard name, unique in the account and region. Default: CloudFormation generates one.</summary>
    public string? DashboardName { get; init; }
}
