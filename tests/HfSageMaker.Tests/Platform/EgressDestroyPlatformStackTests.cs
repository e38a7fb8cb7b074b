using Amazon.CDK.Assertions;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>The controlled-egress, throw-away environment: the options that differ from the defaults.</summary>
[Collection(PlatformCollection.Name)]
public sealed class EgressDestroyPlatformStackTests(EgressDestroyStackFixture fixture) : IClassFixture<EgressDestroyStackFixture>
{
    private Template T => fixture.Template;

    [Fact]
    public void Controlled_egress_adds_one_nat_gateway_in_public_subnets_that_assign_no_public_ips()
    {
        T.ResourceCountIs("AWS::EC2::NatGateway", 1);
        T.ResourceCountIs("AWS::EC2::InternetGateway", 1);
        var subnets = Resources(T, "AWS::EC2::Subnet").Values.Select(s => s.GetProperty("Properties")).ToList();
        Assert.Equal(4, subnets.Count);
        Assert.All(subnets, s => Assert.False(s.GetProperty("MapPublicIpOnLaunch").GetBoolean()));
        Assert.Equal(2, subnets.Count(s => s.GetProperty("CidrBlock").GetString()!.EndsWith("/28")));
        // Private subnets route 0.0.0.0/0 to the NAT gateway.
        T.HasResourceProperties("AWS::EC2::Route", Match.ObjectLike(new Dictionary<string, object>
        {
            ["DestinationCidrBlock"] = "0.0.0.0/0", ["NatGatewayId"] = Match.AnyValue(),
        }));
    }

    [Fact]
    public void Quota_preflight_counts_the_nat_gateway_and_elastic_ip_of_controlled_egress()
    {
        var quotas = HfSageMaker.Infra.Quotas.AccountQuotas.For(
            PlatformFixtures.Config(HfSageMaker.Infra.Configuration.NetworkMode.ControlledEgress)).ToDictionary(q => q.QuotaCode, q => q.Value);
        Assert.Equal(Resources(T, "AWS::EC2::NatGateway").Count, quotas["L-FE5A380F"]);
        Assert.Equal(Resources(T, "AWS::EC2::EIP").Count, quotas["L-0263D0A3"]);
    }

    [Fact]
    public void Controlled_egress_keeps_the_endpoints_flow_log_and_studio_in_the_private_subnets()
    {
        T.ResourceCountIs("AWS::EC2::VPCEndpoint", 7);
        T.ResourceCountIs("AWS::EC2::FlowLog", 1);
        var domainSubnets = Single(T, "AWS::SageMaker::Domain").GetProperty("Properties").GetProperty("SubnetIds").GetRawText();
        Assert.Contains("PrivateSubnet1", domainSubnets);
        Assert.DoesNotContain("PublicSubnet", domainSubnets);
    }

    [Fact]
    public void Destroy_environment_deletes_buckets_key_and_log_group_and_is_not_termination_protected()
    {
        foreach (var type in new[] { "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup" })
            Assert.All(Resources(T, type).Values, r => Assert.Equal("Delete", r.GetProperty("DeletionPolicy").GetString()));
        Assert.Equal(4, Resources(T, "AWS::S3::Bucket").Count);
        // No auto-delete Lambda: a non-empty bucket makes stack deletion fail, on purpose.
        T.ResourceCountIs("Custom::S3AutoDeleteObjects", 0);
        Assert.False(fixture.Stack.TerminationProtection);
    }

    [Fact]
    public void Logical_ids_of_stateful_resources_do_not_depend_on_the_environment_options()
    {
        Assert.Contains("StorageDatasets615E7AC1", Resources(T, "AWS::S3::Bucket").Keys);
        Assert.Contains("StorageKeyBAA9457B", Resources(T, "AWS::KMS::Key").Keys);
        Assert.Contains("Studio43727D10", Resources(T, "AWS::SageMaker::Domain").Keys);
    }
}
