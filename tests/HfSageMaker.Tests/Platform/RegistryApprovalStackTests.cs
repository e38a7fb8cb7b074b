using System.Text.Json;
using HfSageMaker.Infra.Configuration;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>An environment that approves automatically and names its approvers: the pipeline role may register
/// Approved (and pending, for what cannot be served), and the approvers' roles get UpdateModelPackage on the
/// environment's groups' versions only, in a customer managed policy.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RegistryApprovalStackTests
{
    private const string Approver = "arn:aws:iam::123456789012:role/ml/model-approvers";

    private static readonly (Infra.TrainingPlatformStack Stack, Amazon.CDK.Assertions.Template Template) Synthesized = Synth();

    private static (Infra.TrainingPlatformStack, Amazon.CDK.Assertions.Template) Synth()
    {
        var (stack, template, _) = PlatformFixtures.Synth(PlatformFixtures.Config() with
        {
            Registry = new RegistryConfig { Approval = ApprovalMode.Automatic, Approvers = [Approver] },
        });
        return (stack, template);
    }

    [Fact]
    public void Automatic_approval_registers_approved_and_the_role_may_register_approved_or_pending_only()
    {
        var (stack, template) = Synthesized;
        foreach (var pipeline in stack.Pipelines.Values)
            Assert.Equal("Approved", pipeline.DefaultRegistrationRequest!["ModelApprovalStatus"]!.GetValue<string>());
        var register = Resources(template, "AWS::IAM::ManagedPolicy").Values
            .SelectMany(p => p.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            .Where(s => List(s.GetProperty("Action")).Contains("sagemaker:CreateModelPackage")).ToList();
        Assert.Equal(stack.Pipelines.Count, register.Count);
        // The translation recipe (this environment's one) has no servable rule: Approved only. (A recipe with one, as
        // llm-sft, may also register pending: ModelRegistrationTests.)
        Assert.All(register, s => Assert.Equal("""{"StringEquals":{"sagemaker:ModelApprovalStatus":["Approved"]}}""", s.GetProperty("Condition").GetRawText()));
    }

    [Fact]
    public void The_named_approvers_may_update_the_environments_versions_only_through_a_managed_policy()
    {
        var (stack, template) = Synthesized;
        var policy = Resources(template, "AWS::IAM::ManagedPolicy").Single(p => p.Key.StartsWith("ModelApprovers", StringComparison.Ordinal)).Value;
        Assert.Equal("""["model-approvers"]""", policy.GetProperty("Properties").GetProperty("Roles").GetRawText());
        var statements = policy.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray().ToList();
        var update = statements.Single(s => List(s.GetProperty("Action")).Contains("sagemaker:UpdateModelPackage"));
        var resource = update.GetProperty("Resource");
        var resources = resource.ValueKind == JsonValueKind.Array ? resource.EnumerateArray().Select(r => r.GetRawText()).ToList() : [resource.GetRawText()];
        Assert.Equal(stack.Pipelines.Count, resources.Count);
        Assert.All(resources, r => Assert.Contains(":model-package/", r));
        Assert.DoesNotContain(Resources(template, "AWS::IAM::Policy"), p => p.Value.GetRawText().Contains("UpdateModelPackage", StringComparison.Ordinal));
    }
}
