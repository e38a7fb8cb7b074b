using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;

namespace HfSageMaker.Constructs.Network;

/// <summary>Properties of <see cref="IsolatedNetwork"/>.</summary>
public sealed record IsolatedNetworkProps
{
    /// <summary>
    /// Bring your own VPC. When set, no VPC, flow log or NAT gateway is created (they are the VPC owner's), only the
    /// Studio and training security groups; VPC endpoints are added only when <see cref="CreateEndpoints"/> is true.
    /// Default: a new VPC with private isolated subnets, flow logs and the endpoints SageMaker needs.
    /// </summary>
    public IVpc? Vpc { get; init; }

    /// <summary>IPv4 CIDR of the created VPC, /16 to /24. Not allowed with <see cref="Vpc"/>. Default: <c>10.0.0.0/16</c>.</summary>
    public string? Cidr { get; init; }

    /// <summary>
    /// Number of availability zones the created VPC spans (2 or more; one subnet per zone and subnet group).
    /// Synthesis looks the zones up from the stack; prefer <see cref="AvailabilityZones"/> so no lookup happens.
    /// Not allowed with <see cref="AvailabilityZones"/> or <see cref="Vpc"/>. Default: 2.
    /// </summary>
    public int? MaxAzs { get; init; }

    /// <summary>
    /// The exact availability zones of the created VPC (two or more, distinct), e.g. <c>eu-west-1a</c>; fixes them so
    /// synthesis needs no AWS lookup. Default: <see cref="MaxAzs"/> zones of the stack.
    /// </summary>
    public IReadOnlyList<string>? AvailabilityZones { get; init; }

    /// <summary>
    /// Controlled egress: private subnets route to one NAT gateway in a small public subnet, for environments that
    /// must reach the Hugging Face Hub or PyPI. The VPC endpoints stay, so AWS traffic remains private. Costs a NAT
    /// gateway (hourly plus per GB). Not allowed with <see cref="Vpc"/> (egress is then the VPC owner's).
    /// Default: false (no internet gateway, no NAT: subnets are isolated).
    /// </summary>
    public bool ControlledEgress { get; init; }

    /// <summary>
    /// Whether interface endpoints (SageMaker API and runtime, Studio, STS, CloudWatch Logs) and the S3 gateway endpoint
    /// are added. Default: true for a created VPC, false for a bring-your-own VPC (whose owner usually has them; adding
    /// a second private-DNS endpoint for the same service fails).
    /// </summary>
    public bool? CreateEndpoints { get; init; }

    /// <summary>
    /// Subnets of a bring-your-own VPC used by training jobs and Studio. Default: the private isolated subnets
    /// (private subnets with egress when <see cref="ControlledEgress"/> is set on a created VPC).
    /// </summary>
    public SubnetSelection? Subnets { get; init; }

    /// <summary>Retention of the VPC flow log group. Default: one year.</summary>
    public RetentionDays FlowLogRetention { get; init; } = RetentionDays.ONE_YEAR;

    /// <summary>
    /// Customer-managed key that encrypts the VPC flow log group (e.g. <c>TrainingBuckets.EncryptionKey</c>); its key policy
    /// gets the CloudWatch Logs statement for log groups of this account and region. Not used with <see cref="Vpc"/> (no
    /// flow log is created). Default: none (CloudWatch Logs' own encryption).
    /// </summary>
    public IKey? FlowLogEncryptionKey { get; init; }

    /// <summary>What happens to the flow log group when it leaves the stack. Default: <see cref="Amazon.CDK.RemovalPolicy.RETAIN"/>.</summary>
    public RemovalPolicy? RemovalPolicy { get; init; }
}
