using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Constructs;
using HfSageMaker.Constructs.Compliance;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// The EC2 network-interface permissions SageMaker uses with an execution role when jobs (<c>VpcConfig</c>) or Studio
/// apps (a <c>VpcOnly</c> domain) run in a VPC: the mutating actions limited to that VPC with the <c>ec2:Vpc</c>
/// condition key (supported by the network-interface, subnet and security-group resource types), the Describe actions
/// on '*'. Shared by the job role and the Studio user role so both carry exactly the same statements.
/// </summary>
internal static class SageMakerVpcPermissions
{
    /// <summary>Adds the statements to <paramref name="role"/> and returns the IAM5 suppression for its default policy.</summary>
    public static NagSuppression Grant(IConstruct scope, IRole role, IVpc vpc)
    {
        var stack = Stack.Of(scope);
        var vpcArn = $"arn:{stack.Partition}:ec2:{stack.Region}:{stack.Account}:vpc/{vpc.VpcId}";
        string Ec2(string type) => $"arn:{stack.Partition}:ec2:{stack.Region}:{stack.Account}:{type}/*";
        var vpcCondition = new Dictionary<string, object>
        {
            ["ArnEquals"] = new Dictionary<string, object> { ["ec2:Vpc"] = vpcArn },
        };
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CreateNetworkInterfacesInVpc",
            Actions = ["ec2:CreateNetworkInterface"],
            Resources = [Ec2("network-interface"), Ec2("subnet"), Ec2("security-group")],
            Conditions = vpcCondition,
        }));
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ManageNetworkInterfacesInVpc",
            Actions = ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"],
            Resources = [Ec2("network-interface")],
            Conditions = vpcCondition,
        }));
        // Describe* and DeleteNetworkInterfacePermission support no resource-level permissions: resource '*'.
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "DescribeVpcResources",
            Actions =
            [
                "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
            ],
            Resources = ["*"],
        }));
        return new NagSuppression("AwsSolutions-IAM5",
            "EC2 Describe* actions and ec2:DeleteNetworkInterfacePermission support no resource-level permissions (AWS Service Authorization Reference), hence '*'. Network interfaces get generated ids when SageMaker creates them, hence network-interface/*, subnet/* and security-group/*, each limited by the ec2:Vpc condition to the platform VPC.",
            ["Resource::*", .. new[] { "network-interface", "subnet", "security-group" }.Select(t => NagFindings.Resource(scope, Ec2(t)))]);
    }
}
