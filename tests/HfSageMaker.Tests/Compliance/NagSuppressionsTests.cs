using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.SNS;
using HfSageMaker.Constructs.Compliance;
using Xunit;

namespace HfSageMaker.Tests.Compliance;

public class NagSuppressionsTests
{
    [Fact]
    public void Suppressions_are_written_as_cdk_nag_metadata_and_merged_per_rule()
    {
        var stack = new Stack(new App(), "S");
        var topic = new Topic(stack, "Topic");
        NagSuppressions.Add(topic, new NagSuppression("AwsSolutions-IAM5", "Wildcard needed because the key id is unknown", ["Resource::*"]));
        NagSuppressions.Add(topic, new NagSuppression("AwsSolutions-IAM5", "Wildcard needed because the key id is unknown", ["Action::kms:*"]),
            new NagSuppression("AwsSolutions-SNS3", "Publishers are AWS services that always use TLS here"));

        var resources = Template.FromStack(stack).FindResources("AWS::SNS::Topic");
        var json = System.Text.Json.JsonSerializer.Serialize(resources.Values.Single());
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var rules = doc.RootElement.GetProperty("Metadata").GetProperty("cdk_nag").GetProperty("rules_to_suppress");
        Assert.Equal(2, rules.GetArrayLength());
        var iam5 = rules.EnumerateArray().Single(r => r.GetProperty("id").GetString() == "AwsSolutions-IAM5");
        Assert.Equal(new[] { "Action::kms:*", "Resource::*" }, iam5.GetProperty("applies_to").EnumerateArray().Select(e => e.GetString()).ToArray());
        var sns3 = rules.EnumerateArray().Single(r => r.GetProperty("id").GetString() == "AwsSolutions-SNS3");
        Assert.False(sns3.TryGetProperty("applies_to", out _));
    }

    [Theory]
    [InlineData("AwsSolutions-S1", "", null, "Reason for 'AwsSolutions-S1'")]
    [InlineData("AwsSolutions-S1", "too short", null, "at least 20 characters")]
    [InlineData("AwsSolutions-IAM5", "A long enough reason with evidence", null, "AppliesTo for 'AwsSolutions-IAM5' is empty")]
    [InlineData("", "A long enough reason with evidence", null, "Id is empty")]
    public void Suppression_without_evidence_is_rejected_with_a_message_naming_the_problem(string id, string reason, string? applies, string expected)
    {
        var stack = new Stack(new App(), "S");
        var topic = new Topic(stack, "Topic");
        var ex = Assert.Throws<ArgumentException>(() => NagSuppressions.Add(topic,
            new NagSuppression(id, reason, applies is null ? null : [applies])));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("S/Topic", ex.Message);
    }
}
