using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Network;

/// <summary>
/// The network SageMaker training jobs and a VpcOnly Studio domain run in. By default a VPC with private isolated
/// subnets only (no internet gateway, no NAT), VPC flow logs to CloudWatch Logs, a default security group stripped of
/// all rules, an S3 gateway endpoint and interface endpoints for the SageMaker API and runtime, the Studio UI
/// (<c>aws.sagemaker.&lt;region&gt;.studio</c>), STS, CloudWatch Logs and Step Functions (Studio users start training
/// runs). DLC images are pulled by the SageMaker
/// platform, not through the VPC, so no ECR endpoints are needed. Controlled egress adds one NAT gateway.
/// Or bring your own <see cref="IVpc"/>: then only the security groups are created.
/// </summary>
/// <remarks>
/// <b>Egress.</b> The training and Studio security groups accept traffic only from themselves but allow all outbound
/// traffic. In the isolated default the route tables are the egress control: there is no internet or NAT gateway, so
/// the only destinations outside the VPC are S3 (gateway endpoint) and the interface endpoints. Narrowing the security
/// group egress to S3 would need the region's S3 prefix-list id, which CloudFormation cannot resolve without a lookup or
/// custom resource; with <see cref="IsolatedNetworkProps.ControlledEgress"/> outbound internet access is the point; and
/// Studio apps also reach their home EFS through the security groups SageMaker adds. The PrepareRequest function of the
/// pipeline has a security group with no egress at all.
/// </remarks>
public sealed partial class IsolatedNetwork : Construct
{
    /// <summary>Default CIDR of the created VPC.</summary>
    public const string DefaultCidr = "10.0.0.0/16";

    /// <summary>Default number of availability zones of the created VPC.</summary>
    public const int DefaultMaxAzs = 2;

    /// <summary>Name of the subnet group training jobs, Studio and the endpoints use in the created VPC.</summary>
    public const string PrivateSubnetGroupName = "Private";

    /// <summary>The VPC (created or brought).</summary>
    public IVpc Vpc { get; }

    /// <summary>
    /// Construct IDs of the interface endpoints created with the VPC (one each; the quota preflight counts them against
    /// "Interface and Gateway Load Balancer endpoints per VPC"). An S3 gateway endpoint comes with them.
    /// </summary>
    public static IReadOnlyList<string> InterfaceEndpoints { get; } =
        ["SageMakerApiEndpoint", "SageMakerRuntimeEndpoint", "StudioEndpoint", "StsEndpoint", "LogsEndpoint", "StepFunctionsEndpoint"];

    /// <summary>
    /// Security group for training and tuning jobs (<c>VpcConfig.SecurityGroupIds</c>): all traffic from itself, which
    /// distributed training needs between the job's instances; all outbound. Not narrowed to ports on purpose: the
    /// inter-container traffic encryption every job has on runs IPsec between the instances, UDP 500 and the IP
    /// protocols ESP (50) and AH (51), which no TCP/UDP port rule admits (SageMaker developer guide, "Protect
    /// communications between ML compute instances in a distributed training job",
    /// https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html); the collective libraries (NCCL, torch
    /// distributed) pick their TCP ports at run time; and an EFA-enabled instance needs a group that "allows all inbound
    /// and outbound traffic to and from the security group itself" (Amazon EC2 user guide, "Get started with EFA and
    /// NCCL", https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start-nccl.html).
    /// </summary>
    public ISecurityGroup TrainingSecurityGroup { get; }

    /// <summary>
    /// Security group for Studio apps: from itself only NFS (TCP 2049) to the home EFS and TCP 8192-65535 between the
    /// apps, the ports AWS documents for a VpcOnly domain; all outbound.
    /// </summary>
    public ISecurityGroup StudioSecurityGroup { get; }

    /// <summary>The TCP ports Studio apps use between each other (from, to), inclusive.</summary>
    public static (int From, int To) StudioAppPorts { get; } = (8192, 65535);

    /// <summary>
    /// Security group of the interface endpoints: HTTPS (443) from inside the VPC only, no outbound. Null when no
    /// endpoints are created. Reuse it for further endpoints (e.g. CodeArtifact) added with
    /// <c>Vpc.AddInterfaceEndpoint</c>.
    /// </summary>
    public ISecurityGroup? EndpointSecurityGroup { get; }

    /// <summary>The subnets training jobs (<c>VpcConfig.Subnets</c>), Studio and the endpoints use.</summary>
    public SubnetSelection TrainingSubnets { get; }

    /// <summary>The VPC flow log; null for a bring-your-own VPC.</summary>
    public FlowLog? FlowLog { get; }

    /// <summary>Whether the private subnets route to a NAT gateway (controlled egress).</summary>
    public bool ControlledEgress { get; }

    /// <summary>Creates the network.</summary>
    /// <exception cref="ArgumentException">The props are inconsistent; the message lists every problem.</exception>
    public IsolatedNetwork(Construct scope, string id, IsolatedNetworkProps? props = null) : base(scope, id)
    {
        props ??= new IsolatedNetworkProps();
        Validate(props);
        ControlledEgress = props.ControlledEgress;
        var cidr = props.Cidr ?? DefaultCidr;

        if (props.Vpc is null)
        {
            var vpc = new Vpc(this, "Vpc", new VpcProps
            {
                IpAddresses = IpAddresses.Cidr(cidr),
                AvailabilityZones = props.AvailabilityZones?.ToArray(),
                MaxAzs = props.AvailabilityZones is null ? props.MaxAzs ?? DefaultMaxAzs : null,
                NatGateways = props.ControlledEgress ? 1 : 0,
                CreateInternetGateway = props.ControlledEgress,
                EnableDnsHostnames = true, // required by interface endpoints with private DNS
                EnableDnsSupport = true,
                // Removes every rule of the default security group (cdk-nag EC2 default SG rules; CIS 5.4).
                RestrictDefaultSecurityGroup = true,
                SubnetConfiguration = props.ControlledEgress
                    ?
                    [
                        // The NAT gateway only needs a few addresses; instances never get public IPs.
                        new SubnetConfiguration { Name = "Public", SubnetType = SubnetType.PUBLIC, CidrMask = 28, MapPublicIpOnLaunch = false },
                        new SubnetConfiguration { Name = PrivateSubnetGroupName, SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
                    ]
                    : [new SubnetConfiguration { Name = PrivateSubnetGroupName, SubnetType = SubnetType.PRIVATE_ISOLATED }],
            });
            Vpc = vpc;
            TrainingSubnets = new SubnetSelection { SubnetGroupName = PrivateSubnetGroupName };

            var logGroup = new LogGroup(this, "FlowLogGroup", new LogGroupProps
            {
                Retention = props.FlowLogRetention,
                RemovalPolicy = props.RemovalPolicy ?? RemovalPolicy.RETAIN,
                // Adding or changing KmsKeyId updates the group in place (AssociateKmsKey): no replacement.
                EncryptionKey = props.FlowLogEncryptionKey,
            });
            if (props.FlowLogEncryptionKey is { } flowLogKey) LogGroupKeyPolicy.Allow(this, flowLogKey);
            // Our own delivery role: CDK's default grants the role iam:PassRole on itself with no iam:PassedToService
            // condition (a pass permission the role never uses; only the deployer passes it). This role may write to
            // its log group only, and is handed to the flow log without policy updates so CDK adds nothing to it.
            var flowLogRole = new Role(this, "FlowLogRole", new RoleProps
            {
                Description = "Delivers the VPC flow log to its CloudWatch Logs group",
                AssumedBy = new ServicePrincipal("vpc-flow-logs.amazonaws.com", new ServicePrincipalOpts
                {
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Stack.Of(this).Account },
                    },
                }),
            });
            // A customer managed policy, not an inline one (HIPAA/NIST IAMNoInlinePolicy).
            var delivery = new ManagedPolicy(this, "FlowLogDelivery", new ManagedPolicyProps
            {
                Roles = [flowLogRole],
                Statements =
                [
                    new PolicyStatement(new PolicyStatementProps
                    {
                        Actions = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resources = [logGroup.LogGroupArn],
                    }),
                ],
            });
            FlowLog = new FlowLog(this, "FlowLog", new FlowLogProps
            {
                ResourceType = FlowLogResourceType.FromVpc(vpc),
                Destination = FlowLogDestination.ToCloudWatchLogs(logGroup, flowLogRole.WithoutPolicyUpdates()),
                TrafficType = FlowLogTrafficType.ALL,
            });
            // Delivery starts with the flow log: the role must hold its permissions by then.
            FlowLog.Node.AddDependency(delivery);
            FixRestrictDefaultSecurityGroupProvider();
            NagSuppressions.Add(vpc, DefaultSecurityGroupEvidence("HIPAA.Security-VPCDefaultSecurityGroupClosed"),
                DefaultSecurityGroupEvidence("NIST.800.53.R5-VPCDefaultSecurityGroupClosed"));
        }
        else
        {
            Vpc = props.Vpc;
            TrainingSubnets = props.Subnets ?? new SubnetSelection { SubnetType = SubnetType.PRIVATE_ISOLATED };
        }

        var training = new SecurityGroup(this, "TrainingSecurityGroup", new SecurityGroupProps
        {
            Vpc = Vpc,
            Description = "SageMaker training jobs: traffic between the instances of a job",
            AllowAllOutbound = true,
        });
        // EC2 accepts only a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* in rule descriptions (no apostrophe; checked over every
        // template by tests/node/api-strings.test.mjs). All traffic: IPsec of inter-container encryption, collective
        // ports chosen at run time, EFA (see TrainingSecurityGroup).
        training.AddIngressRule(training, Port.AllTraffic(), "Distributed training between the instances of a job");
        TrainingSecurityGroup = training;
        var allTraffic = "From this group itself only (no CIDR, no other group): distributed training needs every protocol between the instances of a job, namely IPsec of inter-container traffic encryption (UDP 500, ESP 50, AH 51; SageMaker developer guide, train-encrypt), collective ports chosen at run time, and EFA's all-traffic self rule (EC2 user guide, efa-start-nccl).";
        foreach (var rule in training.Node.Children.OfType<CfnSecurityGroupIngress>())
            NagSuppressions.Add(rule,
                new NagSuppression("HIPAA.Security-EC2RestrictedCommonPorts", allTraffic),
                new NagSuppression("NIST.800.53.R5-EC2RestrictedCommonPorts", allTraffic));

        var studio = new SecurityGroup(this, "StudioSecurityGroup", new SecurityGroupProps
        {
            Vpc = Vpc,
            Description = "SageMaker Studio apps: home EFS (NFS) and traffic between apps",
            AllowAllOutbound = true,
        });
        // Exactly the two self rules AWS documents for a VpcOnly domain ("Connect Amazon SageMaker Studio in a VPC to
        // External Resources", Requirements to use VPC only mode:
        // https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html): NFS over TCP 2049
        // between the apps and the home EFS, and TCP 8192-65535 within the group between the apps. (The group
        // description is create-only in CloudFormation and stays as it was.)
        studio.AddIngressRule(studio, Port.Tcp(2049), "NFS to the Studio home EFS");
        studio.AddIngressRule(studio, Port.TcpRange(StudioAppPorts.From, StudioAppPorts.To), "TCP between Studio apps of the domain");
        StudioSecurityGroup = studio;

        if (props.CreateEndpoints ?? props.Vpc is null)
            EndpointSecurityGroup = AddEndpoints(props.Vpc is null ? cidr : Vpc.VpcCidrBlock);
    }

    private SecurityGroup AddEndpoints(string vpcCidr)
    {
        var sg = new SecurityGroup(this, "EndpointSecurityGroup", new SecurityGroupProps
        {
            Vpc = Vpc,
            Description = "VPC interface endpoints: HTTPS from inside the VPC only",
            AllowAllOutbound = false,
        });
        sg.AddIngressRule(Peer.Ipv4(vpcCidr), Port.Tcp(443), "HTTPS from inside the VPC");

        // Training jobs in a VPC always need S3 through the gateway endpoint (free), even with network isolation.
        new GatewayVpcEndpoint(this, "S3Endpoint", new GatewayVpcEndpointProps
        {
            Vpc = Vpc,
            Service = GatewayVpcEndpointAwsService.S3,
            Subnets = [TrainingSubnets],
        });

        var region = Stack.Of(this).Region;
        // Services by name, as aws-cdk-lib's own constants are defined (aws-ec2/lib/vpc-endpoint.ts, e.g. SAGEMAKER_API =
        // new InterfaceVpcEndpointAwsService('sagemaker.api')): reading one constant from .NET initializes all ~320 of
        // the class, one jsii round trip each (about 0.3 s of every synthesis).
        var services = InterfaceEndpoints.Select(id => (Id: id, Service: id switch
        {
            "SageMakerApiEndpoint" => (IInterfaceVpcEndpointService)new InterfaceVpcEndpointAwsService("sagemaker.api"),
            "SageMakerRuntimeEndpoint" => new InterfaceVpcEndpointAwsService("sagemaker.runtime"),
            // The Studio UI over PrivateLink (VpcOnly domains opened from inside the VPC).
            "StudioEndpoint" => new InterfaceVpcEndpointService($"aws.sagemaker.{region}.studio", 443),
            "StsEndpoint" => new InterfaceVpcEndpointAwsService("sts"),
            "LogsEndpoint" => new InterfaceVpcEndpointAwsService("logs"),
            // Studio users start, watch and stop training runs (the state machine) from their apps.
            "StepFunctionsEndpoint" => new InterfaceVpcEndpointAwsService("states"),
            _ => throw new InvalidOperationException($"no service for endpoint {id}"),
        }));
        foreach (var (id, service) in services)
        {
            new InterfaceVpcEndpoint(this, id, new InterfaceVpcEndpointProps
            {
                Vpc = Vpc,
                Service = service,
                Subnets = TrainingSubnets,
                SecurityGroups = [sg],
                Open = false,
                PrivateDnsEnabled = true,
            });
        }
        return sg;
    }

    /// <summary>
    /// <c>RestrictDefaultSecurityGroup</c> deploys a CDK-owned custom resource provider (one per stack) whose Lambda
    /// uses the AWS-managed basic execution policy (accepted here, with a reason) and the runtime aws-cdk-lib 2.160
    /// pins from its region facts: <c>nodejs20.x</c>, whose creation AWS blocked on 2026-06-01 (cfn-lint E2533), so a
    /// first deployment would fail. The provider's handler (plain JavaScript using the AWS SDK v3 the runtime ships)
    /// is moved to <see cref="LambdaRuntimes.NodeJsName"/>, the runtime our own function uses, with the same
    /// AwsSolutions-L1 suppression.
    /// </summary>
    private void FixRestrictDefaultSecurityGroupProvider()
    {
        var provider = Stack.Of(this).Node.TryFindChild("Custom::VpcRestrictDefaultSGCustomResourceProvider");
        if (provider is null) return;
        if (provider.Node.TryFindChild("Role") is CfnResource role)
        {
            NagSuppressions.Add(role, new NagSuppression("AwsSolutions-IAM4",
                "CDK's VpcRestrictDefaultSG custom resource provider (aws-cdk-lib) attaches AWSLambdaBasicExecutionRole, which only allows writing the provider's own CloudWatch logs.",
                ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]));
            var inline = "The role of CDK's VpcRestrictDefaultSG custom resource provider (aws-cdk-lib CustomResourceProvider) renders its one policy inline, about 300 characters: ec2:AuthorizeSecurityGroupIngress/Egress and ec2:RevokeSecurityGroupIngress/Egress on this VPC's default security group only.";
            NagSuppressions.Add(role,
                new NagSuppression("HIPAA.Security-IAMNoInlinePolicy", inline),
                new NagSuppression("NIST.800.53.R5-IAMNoInlinePolicy", inline));
        }
        if (provider.Node.TryFindChild("Handler") is CfnResource handler)
        {
            handler.AddPropertyOverride("Runtime", LambdaRuntimes.NodeJsName);
            NagSuppressions.Add(handler, LambdaRuntimes.SuppressNewerThanCloudFormation);
            var dlq = "CDK's VpcRestrictDefaultSG provider is invoked synchronously by CloudFormation as a custom resource: a failure fails and rolls back the stack operation; a dead-letter queue applies to asynchronous invocations only.";
            var concurrency = "Runs only while CloudFormation creates, updates or deletes the VPC, one invocation each; a reservation would take from the account's unreserved concurrency (100 always kept unreserved, quota 10 in new accounts) for a function idle between deployments.";
            var outsideVpc = "Calls the EC2 API while the VPC is being created, to remove the default security group's rules: inside the isolated VPC it could not reach EC2 (no EC2 interface endpoint, no NAT); it handles no platform data.";
            NagSuppressions.Add(handler,
                new NagSuppression("HIPAA.Security-LambdaDLQ", dlq), new NagSuppression("NIST.800.53.R5-LambdaDLQ", dlq),
                new NagSuppression("HIPAA.Security-LambdaConcurrency", concurrency), new NagSuppression("NIST.800.53.R5-LambdaConcurrency", concurrency),
                new NagSuppression("HIPAA.Security-LambdaInsideVPC", outsideVpc), new NagSuppression("NIST.800.53.R5-LambdaInsideVPC", outsideVpc));
        }
    }

    /// <summary>The suppression of a VPC whose default security group RestrictDefaultSecurityGroup strips.</summary>
    private static NagSuppression DefaultSecurityGroupEvidence(string rule) => new(rule,
        "RestrictDefaultSecurityGroup removes every rule of this VPC's default security group at deployment (CDK's Custom::VpcRestrictDefaultSG naming the VPC's DefaultSecurityGroup; checked over every synthesized template by checkDefaultSecurityGroupsRestricted in tests/node/lib/policy-checks.mjs). The rule looks for that custom resource as a sibling construct, which a check of the template alone cannot see.");

    private void Validate(IsolatedNetworkProps props)
    {
        var v = new PropsValidation(this, nameof(IsolatedNetworkProps));
        if (props.Vpc is not null)
        {
            v.Require(props.Cidr is null, "Cidr", props.Cidr, "a bring-your-own Vpc keeps its own CIDR; leave Cidr unset.");
            v.Require(props.MaxAzs is null, "MaxAzs", props.MaxAzs, "a bring-your-own Vpc keeps its own zones; leave MaxAzs unset.");
            v.Require(props.AvailabilityZones is null, "AvailabilityZones", props.AvailabilityZones,
                "a bring-your-own Vpc keeps its own zones; leave AvailabilityZones unset.");
            v.Require(props.FlowLogEncryptionKey is null, "FlowLogEncryptionKey", "(set)",
                "a bring-your-own Vpc gets no flow log from this construct; leave FlowLogEncryptionKey unset.");
            v.Require(!props.ControlledEgress, "ControlledEgress", props.ControlledEgress,
                "egress of a bring-your-own Vpc is its owner's; leave ControlledEgress false and choose Subnets with the routing you need.");
        }
        else
        {
            v.Require(props.Subnets is null, "Subnets", "(set)", "Subnets selects subnets of a bring-your-own Vpc only; leave it unset or pass Vpc.");
        }

        if (props.Cidr is { } cidr && !PropsValidation.IsToken(cidr))
        {
            var m = CidrPattern().Match(cidr);
            var valid = m.Success && m.Groups.Cast<System.Text.RegularExpressions.Group>().Skip(1).Take(4).All(g => int.Parse(g.Value) <= 255);
            var prefix = m.Success ? int.Parse(m.Groups[5].Value) : -1;
            v.Require(valid && prefix is >= 16 and <= 24, "Cidr", cidr, "give an IPv4 CIDR block from /16 to /24, e.g. '10.0.0.0/16'.");
        }

        if (props.MaxAzs is { } maxAzs)
        {
            v.Require(maxAzs >= 1, "MaxAzs", maxAzs, "give 1 or more zones (2 or more survive a zone outage).");
            v.Require(props.AvailabilityZones is null, "MaxAzs", maxAzs, "set either MaxAzs or AvailabilityZones, not both.");
        }

        if (props.AvailabilityZones is { } azs)
        {
            var region = Stack.Of(this).Region;
            if (azs.Count == 0)
                v.Add("AvailabilityZones", azs, "give one or more zones, e.g. ['eu-west-1a', 'eu-west-1b'].");
            if (azs.Distinct(StringComparer.Ordinal).Count() != azs.Count)
                v.Add("AvailabilityZones", azs, "each zone may appear only once.");
            foreach (var az in azs.Where(az => !PropsValidation.IsToken(az)))
            {
                if (string.IsNullOrWhiteSpace(az)
                    || (!CdkTokens.IsUnresolved(region) && !az.StartsWith(region, StringComparison.Ordinal)))
                    v.Add("AvailabilityZones", az, $"give zones of the stack's region '{region}', e.g. '{region}a'.");
            }
        }
        v.ThrowIfAny();
    }

    [GeneratedRegex(@"^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})\z")]
    private static partial Regex CidrPattern();
}
