using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.StepFunctions;
using Amazon.CDK.AWS.StepFunctions.Tasks;
using Constructs;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The pipeline's states: <c>Initialize</c> -&gt; <c>PrepareRequest</c> (the policy of <see cref="PrepareRequestPolicy"/>
/// and the default requests travel in its payload) -&gt; <c>TrainOrTune?</c> -&gt; the SageMaker <c>.sync</c> task -&gt; a success output,
/// and with a registration the model's registration after it (<see cref="PipelineRegistrationStates"/>). Failure handling
/// is in <see cref="PipelineFailureStates"/>. State names are the construct IDs and part of the contract (tests and
/// executions read them).
/// </summary>
internal static class PipelineStateGraph
{
    /// <summary>Creates the states in <paramref name="scope"/> and returns the chain the state machine starts with.</summary>
    public static IChainable Build(Construct scope, HuggingFaceTrainingPipelineProps props, IFunction prepareFunction,
        JsonObject defaultTrainingRequest, JsonObject? defaultTuningRequest, Dictionary<string, object> policy,
        (JsonObject Request, Dictionary<string, object> Policy)? registration)
    {
        var stack = Stack.Of(scope);
        var defaults = new Dictionary<string, object> { ["training"] = CdkValues.From(defaultTrainingRequest)! };
        if (defaultTuningRequest is not null)
        {
            defaults["tuning"] = CdkValues.From(defaultTuningRequest)!;
        }

        var initialize = new Pass(scope, "Initialize", new PassProps
        {
            StateName = "Initialize",
            Comment = "Keeps the execution input and starts the capacity attempt counter.",
            // The context object, not "$": a JSON null input (StartExecution accepts any JSON text) has no value at "$",
            // and Initialize would fail with States.Runtime before any catch could notify; PrepareRequest reads null as {}.
            Parameters = new Dictionary<string, object> { ["input.$"] = "$$.Execution.Input", ["attempt"] = 1 },
        });

        var prepare = new LambdaInvoke(scope, "PrepareRequest", new LambdaInvokeProps
        {
            StateName = "PrepareRequest",
            Comment = "Validates the input against the environment's guardrails and applies the overrides to the default request.",
            LambdaFunction = prepareFunction,
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

        var failures = new PipelineFailureStates(scope, props, prepare, prepareFunction);
        // With a registration, each success output becomes the run's result ($.result) and the registration follows.
        var register = registration is { } r ? new PipelineRegistrationStates(scope, props, prepareFunction, failures, r.Request, r.Policy) : null;
        string? resultPath = register is null ? null : "$.result";

        CustomState SageMakerTask(string name, string api, string comment)
        {
            var task = new CustomState(scope, name, new CustomStateProps
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
            task.AddCatch(failures.DescribeQuota, new CatchProps { Errors = ["SageMaker.ResourceLimitExceededException"], ResultPath = "$.error" });
            task.AddCatch(failures.Classify, new CatchProps { Errors = ["States.TaskFailed"], ResultPath = "$.error" });
            task.AddCatch(failures.DescribeOther, new CatchProps { Errors = ["States.ALL"], ResultPath = "$.error" });
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
        var withMetrics = new Pass(scope, "TrainingSucceeded", new PassProps
        {
            StateName = "TrainingSucceeded",
            Parameters = new Dictionary<string, object>(trainingOutput) { ["finalMetrics.$"] = "$.job.FinalMetricDataList" },
            ResultPath = resultPath,
        });
        var withoutMetrics = new Pass(scope, "TrainingSucceededWithoutMetrics", new PassProps
        {
            StateName = "TrainingSucceededWithoutMetrics",
            Parameters = new Dictionary<string, object>(trainingOutput) { ["finalMetrics"] = Array.Empty<object>() },
            ResultPath = resultPath,
        });
        var hasMetrics = new Choice(scope, "HasFinalMetrics?", new ChoiceProps { StateName = "HasFinalMetrics?" })
            .When(Condition.IsPresent("$.job.FinalMetricDataList"), withMetrics)
            .Otherwise(withoutMetrics);
        if (register is null)
        {
            train.Next(hasMetrics);
        }
        else
        {
            // The output names the artifact ($.job.ModelArtifacts.S3ModelArtifacts): a job without one ends here, notified.
            train.Next(register.RequireModelArtifacts(hasMetrics));
            withMetrics.Next(register.Start);
            withoutMetrics.Next(register.Start);
        }

        var chooseMode = new Choice(scope, "TrainOrTune?", new ChoiceProps { StateName = "TrainOrTune?" })
            .When(Condition.StringEquals("$.prepared.mode", "train"), train);
        if (defaultTuningRequest is not null)
        {
            var tune = SageMakerTask("RunTuningJob", "createHyperParameterTuningJob", "CreateHyperParameterTuningJob and wait for it (stopping the execution stops it).");
            var noBest = failures.Describe("DescribeNoBestTrainingJob", "The tuning job completed without a successful training job.",
                new Dictionary<string, object>
                {
                    ["error"] = "NoBestTrainingJob",
                    ["cause.$"] = "States.Format('Tuning job {} completed without a best training job; training job counts: {}', $.job.HyperParameterTuningJobName, States.JsonToString($.job.TrainingJobStatusCounters))",
                    ["job.$"] = "$.prepared.summary.jobName",
                });
            noBest.Next(failures.Notify);
            // HyperParameterTrainingJobSummary.FinalHyperParameterTuningJobObjectiveMetric is optional in the API model: a
            // best job without it ends as TuningSucceededWithoutObjective (no "objective"), not in a States.Runtime error.
            var bestTrainingJob = new Dictionary<string, object>
            {
                ["jobName.$"] = "$.job.BestTrainingJob.TrainingJobName",
                ["jobArn.$"] = "$.job.BestTrainingJob.TrainingJobArn",
                ["tunedHyperParameters.$"] = "$.job.BestTrainingJob.TunedHyperParameters",
                ["modelArtifacts.$"] = "States.Format('{}/{}/output/model.tar.gz', $.prepared.summary.outputS3Uri, $.job.BestTrainingJob.TrainingJobName)",
            };
            Pass TuningOutput(string name, Dictionary<string, object> best) => new(scope, name, new PassProps
            {
                StateName = name,
                ResultPath = resultPath,
                Parameters = new Dictionary<string, object>
                {
                    ["status"] = "Completed",
                    ["mode"] = "tune",
                    ["tuningJobName.$"] = "$.job.HyperParameterTuningJobName",
                    ["tuningJobArn.$"] = "$.job.HyperParameterTuningJobArn",
                    ["bestTrainingJob"] = best,
                    ["trainingJobCounts.$"] = "$.job.TrainingJobStatusCounters",
                    ["settings.$"] = "$.prepared.summary",
                },
            });
            var tuned = TuningOutput("TuningSucceeded",
                new Dictionary<string, object>(bestTrainingJob) { ["objective.$"] = "$.job.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric" });
            var tunedWithoutObjective = TuningOutput("TuningSucceededWithoutObjective", bestTrainingJob);
            if (register is not null)
            {
                tuned.Next(register.Start);
                tunedWithoutObjective.Next(register.Start);
            }

            var hasObjective = new Choice(scope, "HasBestObjective?", new ChoiceProps { StateName = "HasBestObjective?" })
                .When(Condition.IsPresent("$.job.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric"), tuned)
                .Otherwise(tunedWithoutObjective);
            tune.Next(new Choice(scope, "HasBestTrainingJob?", new ChoiceProps { StateName = "HasBestTrainingJob?" })
                .When(Condition.IsPresent("$.job.BestTrainingJob"), hasObjective)
                .Otherwise(noBest));
            chooseMode.When(Condition.StringEquals("$.prepared.mode", "tune"), tune);
        }

        return initialize.Next(prepare).Next(chooseMode);
    }
}
