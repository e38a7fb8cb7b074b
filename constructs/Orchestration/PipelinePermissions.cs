using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Operations;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The state machine role's policy: create jobs only within the cost guardrails and under the job name prefix, manage
/// only its own jobs, pass only the execution role to SageMaker, the <c>.sync</c> event rules, the confused-deputy
/// condition on the trust policy, and the cdk-nag suppressions with their reasons.
/// </summary>
internal static class PipelinePermissions
{
    /// <summary>ARN pattern of the jobs this pipeline may manage: <c>&lt;resource&gt;/&lt;prefix&gt;-*</c>.</summary>
    private static string JobArn(HuggingFaceTrainingPipeline pipeline, Stack stack, string resource) =>
        stack.FormatArn(new ArnComponents { Service = "sagemaker", Resource = resource, ResourceName = $"{pipeline.JobNamePrefix}-*" });

    /// <summary>Adds the SageMaker, <c>iam:PassRole</c> and event-rule statements and the trust condition.</summary>
    public static void AddJobPermissions(HuggingFaceTrainingPipeline pipeline, HuggingFaceTrainingPipelineProps props)
    {
        var stack = Stack.Of(pipeline);
        var stateMachine = pipeline.StateMachine;
        // Confused-deputy protection on the role the state machine created (Step Functions developer guide): Step
        // Functions may assume it only for state machines of this account and region.
        if (stateMachine.Role.Node.DefaultChild is CfnRole stateMachineRole)
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
        var trainingJobs = JobArn(pipeline, stack, "training-job");
        var tuningJobs = JobArn(pipeline, stack, "hyper-parameter-tuning-job");
        var tuning = pipeline.DefaultTuningRequest is not null;

        // Create only within the cost guardrails (sagemaker:InstanceTypes, sagemaker:MaxRuntimeInSeconds). The tuning
        // action gets its own statement: its request may carry no MaxRuntimeInSeconds key, so its cap is ...IfExists
        // (TrainingCostConditions explains the readings); PrepareRequest enforces the cap on every request.
        var create = new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CreateJobsWithinGuardrails",
            Actions = ["sagemaker:CreateTrainingJob"],
            // A tuning job's training jobs are created by SageMaker under the tuning job, not by this role.
            Resources = [trainingJobs],
        });
        TrainingCostConditions.Apply(create, props.AllowedInstanceTypes!, props.MaxRuntime!);
        stateMachine.AddToRolePolicy(create);
        if (tuning)
        {
            var createTuning = new PolicyStatement(new PolicyStatementProps
            {
                Sid = "CreateTuningJobsWithinGuardrails",
                Actions = [TrainingCostConditions.TuningAction],
                Resources = [tuningJobs],
            });
            TrainingCostConditions.Apply(createTuning, props.AllowedInstanceTypes!, props.MaxRuntime!);
            stateMachine.AddToRolePolicy(createTuning);
        }

        stateMachine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ManageOwnJobs",
            Actions = tuning
                ? ["sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:DescribeHyperParameterTuningJob",
                    "sagemaker:StopHyperParameterTuningJob", "sagemaker:AddTags", "sagemaker:ListTags"]
                : ["sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:AddTags", "sagemaker:ListTags"],
            Resources = tuning ? [trainingJobs, tuningJobs] : [trainingJobs],
        }));
        stateMachine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PassOnlyTheExecutionRoleToSageMaker",
            Actions = ["iam:PassRole"],
            Resources = [props.ExecutionRole!.RoleArn],
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
        stateMachine.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "SyncIntegrationEventRules",
            Actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            Resources = rules.ToArray(),
        }));
    }

    /// <summary>The cdk-nag suppressions of the state machine role's policy, each with its reason.</summary>
    public static void AddSuppressions(HuggingFaceTrainingPipeline pipeline)
    {
        var stack = Stack.Of(pipeline);
        var stateMachine = pipeline.StateMachine;
        var policy = stateMachine.Role.Node.TryFindChild("DefaultPolicy")?.Node.DefaultChild;
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
                    NagFindings.Resource(pipeline, JobArn(pipeline, stack, "training-job")),
                    NagFindings.Resource(pipeline, JobArn(pipeline, stack, "hyper-parameter-tuning-job")),
                    NagFindings.Resource(pipeline, $"{pipeline.PrepareFunction.FunctionArn}:*")]));
    }
}
