using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.Events;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// Day-to-day visibility of the training pipeline: a CloudWatch dashboard (executions started/succeeded/failed/timed
/// out/aborted, the training metrics of the jobs, GPU memory), alarms on failed and timed-out executions, and EventBridge
/// rules that forward SageMaker training and tuning job state changes, as a readable message, to the notification topic.
/// </summary>
public sealed class TrainingMonitoring : Construct
{
    /// <summary>CloudWatch namespace where SageMaker publishes training job metrics (metric definitions and system metrics).</summary>
    public const string TrainingJobsNamespace = "/aws/sagemaker/TrainingJobs";

    /// <summary>Statuses of a training or tuning job that end it; the rules forward only these.</summary>
    public static IReadOnlyList<string> TerminalStatuses { get; } = ["Completed", "Failed", "Stopped"];

    private static readonly Regex PrefixPattern = new(@"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}\z", RegexOptions.CultureInvariant);
    private static readonly Regex MetricNamePattern = new(@"^[A-Za-z0-9_.:/\-]{1,255}\z", RegexOptions.CultureInvariant);

    /// <summary>The dashboard.</summary>
    public Dashboard Dashboard { get; }

    /// <summary>Alarm on at least one failed execution in five minutes.</summary>
    public Alarm FailedExecutionsAlarm { get; }

    /// <summary>Alarm on at least one timed-out execution in five minutes.</summary>
    public Alarm TimedOutExecutionsAlarm { get; }

    /// <summary>Rule forwarding terminal training job state changes to the topic.</summary>
    public Rule TrainingJobStateRule { get; }

    /// <summary>Rule forwarding terminal hyperparameter tuning job state changes to the topic.</summary>
    public Rule TuningJobStateRule { get; }

    /// <summary>Creates the dashboard, alarms and rules.</summary>
    /// <exception cref="ArgumentException">The prefix or a metric name is invalid; every problem in one message.</exception>
    public TrainingMonitoring(Construct scope, string id, TrainingMonitoringProps props) : base(scope, id)
    {
        Validate(this, props);
        var period = Duration.Minutes(5);
        var sm = props.StateMachine;
        var sum = new MetricOptions { Statistic = "Sum", Period = period };

        FailedExecutionsAlarm = new Alarm(this, "FailedExecutionsAlarm", new AlarmProps
        {
            AlarmDescription = "A training pipeline execution failed. The notification topic also carries the failure message "
                + "from the state machine; open the execution in the Step Functions console for the failing state.",
            Metric = sm.MetricFailed(sum),
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        TimedOutExecutionsAlarm = new Alarm(this, "TimedOutExecutionsAlarm", new AlarmProps
        {
            AlarmDescription = "A training pipeline execution ran past the state machine's own timeout (a job that reaches its "
                + "MaxRuntimeInSeconds ends as Stopped or Failed instead). Check whether jobs waited long for spot capacity "
                + "or capacity retries, and the pipeline's ExecutionTimeout.",
            Metric = sm.MetricTimedOut(sum),
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        var action = new SnsAction(props.AlarmTopic);
        FailedExecutionsAlarm.AddAlarmAction(action);
        TimedOutExecutionsAlarm.AddAlarmAction(action);

        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps
        {
            DashboardName = props.DashboardName,
            DefaultInterval = Duration.Days(7),
        });
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Pipeline executions",
                Width = 16,
                Height = 6,
                Left =
                [
                    sm.MetricStarted(new MetricOptions { Statistic = "Sum", Period = period, Label = "Started" }),
                    sm.MetricSucceeded(new MetricOptions { Statistic = "Sum", Period = period, Label = "Succeeded" }),
                    sm.MetricFailed(new MetricOptions { Statistic = "Sum", Period = period, Label = "Failed" }),
                    sm.MetricTimedOut(new MetricOptions { Statistic = "Sum", Period = period, Label = "TimedOut" }),
                    sm.MetricAborted(new MetricOptions { Statistic = "Sum", Period = period, Label = "Aborted" }),
                ],
            }),
            new AlarmStatusWidget(new AlarmStatusWidgetProps
            {
                Title = "Pipeline alarms",
                Width = 8,
                Height = 6,
                Alarms = [FailedExecutionsAlarm, TimedOutExecutionsAlarm],
            }));

        var metricWidgets = props.MetricNames
            .Select(name => (IWidget)TrainingMetricWidget(name, "Average", props.JobNamePrefix, period, $"Training metric: {name}"))
            .Append(TrainingMetricWidget("GPUMemoryUtilization", "Maximum", props.JobNamePrefix, period, "GPU memory utilization (%)"))
            .Append(TrainingMetricWidget("GPUUtilization", "Average", props.JobNamePrefix, period, "GPU utilization (%)"))
            .ToArray();
        for (var i = 0; i < metricWidgets.Length; i += 3)
            Dashboard.AddWidgets(metricWidgets.Skip(i).Take(3).ToArray());

        TrainingJobStateRule = new Rule(this, "TrainingJobStateRule", new RuleProps
        {
            Description = $"Forwards terminal state changes of SageMaker training jobs named {props.JobNamePrefix}* to the notification topic.",
            EventPattern = new EventPattern
            {
                Source = ["aws.sagemaker"],
                DetailType = ["SageMaker Training Job State Change"],
                Detail = new Dictionary<string, object>
                {
                    // "<prefix>-" as IAM scopes it, so "hf-translate" does not match "hf-translate2-..."; the trials of a
                    // tuning job (they carry TuningJobArn) are left to the tuning job's own rule: one message per run.
                    ["TrainingJobName"] = Amazon.CDK.AWS.Events.Match.Prefix(props.JobNamePrefix + "-"),
                    ["TuningJobArn"] = new[] { new Dictionary<string, object> { ["exists"] = false } },
                    ["TrainingJobStatus"] = TerminalStatuses.ToArray(),
                },
            },
        });
        TrainingJobStateRule.AddTarget(new TopicRuleTarget(props.AlarmTopic, RuleTargetInput.FromText(
            $"SageMaker training job {EventField.FromPath("$.detail.TrainingJobName")} is "
            + $"{EventField.FromPath("$.detail.TrainingJobStatus")} (account {EventField.Account}, region {EventField.Region}, "
            + $"{EventField.Time}). Failure reason: {EventField.FromPath("$.detail.FailureReason")}. "
            + $"Model artifacts: {EventField.FromPath("$.detail.ModelArtifacts.S3ModelArtifacts")}")));

        TuningJobStateRule = new Rule(this, "TuningJobStateRule", new RuleProps
        {
            Description = $"Forwards terminal state changes of SageMaker tuning jobs named {props.JobNamePrefix}* to the notification topic.",
            EventPattern = new EventPattern
            {
                Source = ["aws.sagemaker"],
                DetailType = ["SageMaker HyperParameter Tuning Job State Change"],
                Detail = new Dictionary<string, object>
                {
                    ["HyperParameterTuningJobName"] = Amazon.CDK.AWS.Events.Match.Prefix(props.JobNamePrefix + "-"),
                    ["HyperParameterTuningJobStatus"] = TerminalStatuses.ToArray(),
                },
            },
        });
        TuningJobStateRule.AddTarget(new TopicRuleTarget(props.AlarmTopic, RuleTargetInput.FromText(
            $"SageMaker tuning job {EventField.FromPath("$.detail.HyperParameterTuningJobName")} is "
            + $"{EventField.FromPath("$.detail.HyperParameterTuningJobStatus")} (account {EventField.Account}, region "
            + $"{EventField.Region}, {EventField.Time}). Failure reason: {EventField.FromPath("$.detail.FailureReason")}. "
            + $"Best training job: {EventField.FromPath("$.detail.BestTrainingJob.TrainingJobName")}")));
    }

    /// <summary>
    /// A graph of one training job metric for every job of the platform: a CloudWatch SEARCH over
    /// <see cref="TrainingJobsNamespace"/> by <c>Host</c>, so each job (and each instance) appears as its own line
    /// without the dashboard knowing job names in advance.
    /// </summary>
    private static GraphWidget TrainingMetricWidget(string metricName, string statistic, string prefix, Duration period, string title) =>
        new(new GraphWidgetProps
        {
            Title = title,
            Width = 8,
            Height = 6,
            Left =
            [
                new MathExpression(new MathExpressionProps
                {
                    Expression = SearchExpression(metricName, statistic, prefix, period),
                    UsingMetrics = new Dictionary<string, IMetric>(),
                    Label = "",
                    Period = period,
                }),
            ],
        });

    /// <summary>The SEARCH expression graphing <paramref name="metricName"/> of the jobs named <paramref name="prefix"/>*.</summary>
    public static string SearchExpression(string metricName, string statistic, string prefix, Duration period) =>
        $"SEARCH('{{\"{TrainingJobsNamespace}\",Host}} MetricName=\"{metricName}\" Host:\"{prefix}\"', '{statistic}', {period.ToSeconds()})";

    private static void Validate(IConstruct scope, TrainingMonitoringProps props)
    {
        var problems = new List<string>();
        if (props.StateMachine is null)
            problems.Add("StateMachine is null; pass the training pipeline's state machine.");
        if (props.AlarmTopic is null)
            problems.Add("AlarmTopic is null; pass the topic of PlatformNotifications.");
        if (props.JobNamePrefix is null || !PrefixPattern.IsMatch(props.JobNamePrefix))
            problems.Add($"JobNamePrefix is '{props.JobNamePrefix}'; give 1 to 32 letters, digits or hyphens, starting and ending "
                + "with a letter or digit (the start of every training and tuning job name), e.g. 'hf-dev'.");
        foreach (var m in (props.MetricNames ?? []).Where(m => m is null || !MetricNamePattern.IsMatch(m)))
            problems.Add($"MetricNames contains '{m}'; give the Name of a metric definition (letters, digits, _ . : / -), e.g. 'eval_bleu'.");
        foreach (var d in (props.MetricNames ?? []).Where(m => m is not null).GroupBy(m => m, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"MetricNames lists '{d.Key}' {d.Count()} times; list each metric once.");
        if (props.DashboardName is { } name && !CdkTokens.IsUnresolved(name) && !Regex.IsMatch(name, "^[A-Za-z0-9_-]{1,255}\\z"))
            problems.Add($"DashboardName is '{name}'; CloudWatch allows 1 to 255 letters, digits, '-' and '_'.");
        PropsValidation.ThrowIfAny(scope, nameof(TrainingMonitoringProps), problems);
    }
}
