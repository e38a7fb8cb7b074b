using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The state machine role's policies: create jobs only within the platform's guardrails and under the job name prefix, manage
/// only its own jobs, pass only the execution role to SageMaker, the <c>.sync</c> event rules, the confused-deputy
/// condition on the trust policy, and the cdk-nag suppressions with their reasons.
/// </summary>
internal static class PipelinePermissions
{
    /// <summary>ARN pattern of the jobs this pipeline may manage: <c>&lt;resource&gt;/&lt;prefix&gt;-*</c>.</summary>
    private static string JobArn(HuggingFaceTrainingPipeline pipeline, Stack stack, string resource) =>
        stack.FormatArn(new ArnComponents { Service = "sagemaker", Resource = resource, ResourceName = $"{pipeline.JobNamePrefix}-*" });

    /// <summary>
    /// The invariants of every request the pipeline sends, from the same values its default requests are built from
    /// (<paramref name="resources"/>, the job definition): the VPC only when the requests carry a <c>VpcConfig</c>
    /// (subnets and security groups), the output key when they name one, the volume key PrepareRequest and the request
    /// builder fall back to (the output key), isolation when the job is isolated, and inter-container traffic encryption
    /// required when every request sends it, else refused only when sent as false (the SDK's and the pipeline's
    /// requests send it only with more than one instance unless the job says otherwise).
    /// </summary>
    internal static SageMakerJobGuardrails Guardrails(HuggingFaceTrainingPipelineProps props, TrainingJobResources resources)
    {
        var job = props.Job;
        var vpc = resources.SubnetIds is not null && resources.SecurityGroupIds is not null;
        var alwaysEncrypted = job.EncryptInterContainerTraffic ?? !TrainingRequestBuilder.TrafficEncryptionFollowsInstanceCount(job);
        return new SageMakerJobGuardrails
        {
            AllowedInstanceTypes = props.AllowedInstanceTypes!,
            MaxRuntime = props.MaxRuntime!,
            SubnetIds = vpc ? resources.SubnetIds : null,
            SecurityGroupIds = vpc ? resources.SecurityGroupIds : null,
            OutputKmsKeyArn = resources.KmsKeyArn,
            VolumeKmsKeyArn = resources.VolumeKmsKeyArn ?? resources.KmsKeyArn,
            NetworkIsolation = job.EnableNetworkIsolation ? true : null,
            InterContainerTrafficEncryptionWhenSent = !alwaysEncrypted,
            MaxWarmPoolKeepAlive = job.KeepAlivePeriod,
        };
    }

    /// <summary>Adds the SageMaker, <c>iam:PassRole</c> and event-rule statements and the trust condition.</summary>
    public static void AddJobPermissions(HuggingFaceTrainingPipeline pipeline, HuggingFaceTrainingPipelineProps props, TrainingJobResources resources)
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

        // Create only within the platform invariants (SageMakerJobGuardrails, the conditions the Studio role's notebook
        // policy uses too): instance types and run time, the pipeline's subnets and security groups, isolation,
        // traffic encryption, the output and volume keys. IAM then refuses a request PrepareRequest should not have let
        // through. The statements go into their own customer managed policy (child id JobGuardrails), which grows with the
        // subnets and instance types, so the state machine's default policy keeps its own 6,144-character quota.
        var guardrails = Guardrails(props, resources);
        // A tuning job's training jobs are created by SageMaker under the tuning job, not by this role; the tuning action
        // has its own statement, whose run-time cap is ...IfExists (TrainingCostConditions explains the readings, and
        // PrepareRequest enforces the cap on every request).
        var statements = guardrails.CreateStatements(trainingJobs, tuning ? tuningJobs : null).ToList();
        string[] createActions = tuning
            ? [SageMakerJobGuardrails.CreateTrainingJob, SageMakerJobGuardrails.CreateHyperParameterTuningJob]
            : [SageMakerJobGuardrails.CreateTrainingJob];
        if (guardrails.DenyVolumesWithoutKey("DenyEbsVolumesWithoutVolumeKey", createActions, tuning ? [trainingJobs, tuningJobs] : [trainingJobs],
                InstanceTypeCatalog.AcceptsVolumeKmsKey) is { } deny)
            statements.Add(deny);
        var policy = new ManagedPolicy(pipeline, "JobGuardrails", new ManagedPolicyProps
        {
            Description = "Training pipeline: create jobs only under its prefix and within the platform's guardrails",
            Roles = [stateMachine.Role],
            Statements = [.. statements],
        });
        // The first execution may start as soon as the state machine exists (the state machine resource, not its
        // construct: the role is a child of it and the policy names the role).
        stateMachine.Node.DefaultChild!.Node.AddDependency(policy);
        NagSuppressions.Add(policy, new NagSuppression("AwsSolutions-IAM5",
            "Job ARNs end in '<JobNamePrefix>-*' because job names are chosen per execution (the prefix is the scope); creation is further limited by SageMaker condition keys to the platform's instance types, run time, subnets, security groups, isolation, traffic encryption and keys.",
            tuning
                ? [NagFindings.Resource(pipeline, trainingJobs), NagFindings.Resource(pipeline, tuningJobs)]
                : [NagFindings.Resource(pipeline, trainingJobs)]));

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
                + "kms:GenerateDataKey* (GenerateDataKey and its WithoutPlaintext variant) on the notification topic's key only, needed to publish to the encrypted topic"
                + (pipeline.ModelPackageGroup is null ? "." : "; model package versions are numbered by SageMaker (model-package/<group>/<version>), so registering into the pipeline's one group names '<group>/*', with the approval status as a condition."),
                [.. new[] { "Resource::*", "Action::kms:GenerateDataKey*",
                    NagFindings.Resource(pipeline, JobArn(pipeline, stack, "training-job")),
                    NagFindings.Resource(pipeline, JobArn(pipeline, stack, "hyper-parameter-tuning-job")),
                    NagFindings.Resource(pipeline, $"{pipeline.PrepareFunction.FunctionArn}:*") }
                    .Concat(pipeline.ModelPackageGroup is { } group ? [NagFindings.Resource(pipeline, group.ModelPackagesArn)] : [])]));
    }
}
