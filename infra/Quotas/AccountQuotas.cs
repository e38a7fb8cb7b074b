using HfSageMaker.Constructs.Network;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra.Quotas;

/// <summary>One non-SageMaker-instance quota that the first deployment or the first run of an environment needs.</summary>
/// <param name="ServiceCode">Service Quotas service code (<c>vpc</c>, <c>ec2</c>, <c>lambda</c>).</param>
/// <param name="QuotaCode">Service Quotas quota code, e.g. <c>L-29B6F2EB</c>.</param>
/// <param name="QuotaName">The exact Service Quotas name.</param>
/// <param name="Value">How many of it the environment's stack uses (the applied value must leave room for it).</param>
/// <param name="Default">The default applied value of a new account.</param>
/// <param name="Basis">What in the stack uses it, and the documentation page of the quota.</param>
public sealed record AccountQuotaRequirement(string ServiceCode, string QuotaCode, string QuotaName, int Value, int Default, string Basis);

/// <summary>
/// The account quotas besides the SageMaker instance quotas of <see cref="QuotaPlan"/> that a first deployment needs:
/// the environment's VPC, its interface and gateway endpoints, and with controlled egress its NAT gateway and Elastic IP.
/// Names, codes and defaults: Amazon VPC quotas (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html),
/// AWS PrivateLink quotas (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html) and Amazon EC2
/// Elastic IP quotas (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit).
/// The values are what this environment's stack uses; other VPCs, endpoints and addresses in the same account and region
/// count against the same quotas.
/// </summary>
public static class AccountQuotas
{
    /// <summary>The Lambda quota a reserved concurrency counts against (not reserved by default).</summary>
    public const string LambdaConcurrencyQuotaCode = "L-B99A9384";

    /// <summary>The requirements of one environment.</summary>
    public static IReadOnlyList<AccountQuotaRequirement> For(EnvironmentConfig environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var interfaceEndpoints = IsolatedNetwork.InterfaceEndpoints.Count;
        var list = new List<AccountQuotaRequirement>
        {
            new("vpc", "L-F678F1CE", "VPCs per Region", 1, 5, "the environment's own VPC"),
            new("vpc", "L-29B6F2EB", "Interface and Gateway Load Balancer endpoints per VPC", interfaceEndpoints, 50,
                $"{interfaceEndpoints} interface endpoints ({string.Join(", ", IsolatedNetwork.InterfaceEndpoints)}) in the environment's VPC"),
            new("vpc", "L-1B52E74A", "Gateway VPC endpoints per Region", 1, 20, "the S3 gateway endpoint of the environment's VPC"),
        };
        if (environment.Network.Mode == NetworkMode.ControlledEgress)
        {
            list.Add(new("vpc", "L-FE5A380F", "NAT gateways per Availability Zone", 1, 5, "controlled egress: one NAT gateway"));
            list.Add(new("ec2", "L-0263D0A3", "EC2-VPC Elastic IPs", 1, 5, "controlled egress: the NAT gateway's address"));
        }
        return list;
    }
}
