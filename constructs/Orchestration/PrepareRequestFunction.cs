using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The Node.js function of the pipeline's <c>PrepareRequest</c> state (<c>runtime/prepare-request.mjs</c>): its log
/// group, its role (writes its own logs, nothing else), in a VPC its security group without egress, and the cdk-nag
/// suppressions with their reasons. Construct IDs are children of the pipeline: <c>PrepareRequestLogs</c>,
/// <c>PrepareRequestRole</c>, <c>PrepareRequestSecurityGroup</c>, <c>PrepareRequestFunction</c>.
/// </summary>
internal static class PrepareRequestFunction
{
    /// <summary>Creates the function and its log group, role and security group in <paramref name="scope"/>.</summary>
    public static Function Create(Construct scope, HuggingFaceTrainingPipelineProps props, RetentionDays retention, RemovalPolicy removal)
    {
        var logGroup = new LogGroup(scope, "PrepareRequestLogs", new LogGroupProps
        {
            Retention = retention,
            RemovalPolicy = removal,
            EncryptionKey = props.EncryptionKey,
        });
        var role = new Role(scope, "PrepareRequestRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
            Description = "PrepareRequest function: writes its own logs, nothing else (it makes no AWS calls).",
        });
        logGroup.GrantWrite(role);
        SecurityGroup? securityGroup = null;
        if (props.Vpc is not null)
        {
            securityGroup = new SecurityGroup(scope, "PrepareRequestSecurityGroup", new SecurityGroupProps
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

        var function = new Function(scope, "PrepareRequestFunction", new FunctionProps
        {
            Description = "Validates a training pipeline execution input and prepares the SageMaker request.",
            Runtime = LambdaRuntimes.NodeJs,
            Handler = "prepare-request.handler",
            Code = Code.FromAsset(PrepareRequestAsset.Directory()),
            Role = role,
            MemorySize = 256,
            Timeout = Duration.Seconds(30),
            // Nothing reserved by default: Lambda keeps 100 of the account's concurrency unreserved and new accounts
            // start with a quota of 10, so a reservation fails the first deployment (see the prop).
            ReservedConcurrentExecutions = props.PrepareRequestReservedConcurrency,
            LogGroup = logGroup,
            Tracing = Tracing.ACTIVE,
            Vpc = props.Vpc,
            VpcSubnets = props.VpcSubnets,
            SecurityGroups = securityGroup is null ? null : [securityGroup],
        });
        var suppressions = new List<NagSuppression>
        {
            new("AwsSolutions-IAM5", "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (added by the CDK for active tracing); the EC2 network interface actions of a VPC function cannot be scoped to interfaces that do not exist yet.",
                ["Resource::*"]),
        };
        NagSuppressions.Add(role.Node.FindChild("DefaultPolicy").Node.DefaultChild!, suppressions.ToArray());
        CustomerManagedPolicies.ConvertDefaultPolicy(role);
        NagSuppressions.Add(function,
            LambdaRuntimes.SuppressNewerThanCloudFormation,
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
        if (props.PrepareRequestReservedConcurrency is null)
        {
            var concurrency = $"Reserved concurrency is an opt-in (PrepareRequestReservedConcurrency): Lambda keeps {LambdaUnreservedMinimum} of the account's concurrency unreserved and new accounts start with a quota of 10, so a reservation by default would fail the first deployment; the function runs once per pipeline execution for well under a second.";
            NagSuppressions.Add(function,
                new NagSuppression("HIPAA.Security-LambdaConcurrency", concurrency),
                new NagSuppression("NIST.800.53.R5-LambdaConcurrency", concurrency));
        }
        if (props.PrepareRequestReservedConcurrency is { } reserved)
            Annotations.Of(function).AddWarningV2(WarningIds.ReservedConcurrency,
                $"PrepareRequestReservedConcurrency reserves {reserved}: the Lambda quota 'Concurrent executions' (L-B99A9384) of the "
                + $"account must be at least {LambdaUnreservedMinimum + reserved} ({reserved} reserved + {LambdaUnreservedMinimum} Lambda keeps "
                + "unreserved); new accounts start at 10. Check: aws service-quotas get-service-quota --service-code lambda --quota-code L-B99A9384.");
        return function;
    }

    /// <summary>
    /// The concurrency Lambda keeps unreserved in every account
    /// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
    /// </summary>
    public const int LambdaUnreservedMinimum = 100;
}
