using System.Text.Json;
using Amazon.CDK.Assertions;
using HfSageMaker.Infra.Recipes;
using Xunit;
using static HfSageMaker.Tests.Platform.TemplateJson;

namespace HfSageMaker.Tests.Platform;

/// <summary>The model registry in a retaining environment: one group per recipe, its output, the pipeline role scoped
/// to its own group, the registration states and the approval rule.</summary>
public sealed partial class IsolatedPlatformStackTests
{
    private static string Text(JsonElement e) => e.GetRawText();

    [Fact]
    public void Every_recipe_has_one_retained_model_package_group_named_from_its_prefix_and_the_stack()
    {
        var groups = Resources(T, "AWS::SageMaker::ModelPackageGroup");
        Assert.Equal(fixture.Stack.Pipelines.Count, groups.Count);
        foreach (var (recipe, pipeline) in fixture.Stack.Pipelines)
        {
            var id = groups.Keys.Single(k => k.StartsWith(RecipeRegistry.Get(recipe).PipelineConstructId + "ModelPackageGroup", StringComparison.Ordinal));
            var group = groups[id];
            Assert.Equal("Retain", group.GetProperty("DeletionPolicy").GetString());
            Assert.Equal("Retain", group.GetProperty("UpdateReplacePolicy").GetString());
            var name = Text(group.GetProperty("Properties").GetProperty("ModelPackageGroupName"));
            // <prefix>-<first 8 hex digits of the stack's UUID>: a re-created stack never meets its retained group's name.
            Assert.StartsWith($$"""{"Fn::Join":["-",["{{pipeline.JobNamePrefix}}",{"Fn::Select":[0,{"Fn::Split":["-",{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}]}]}""", name);
        }
    }

    [Fact]
    public void Each_group_name_is_a_stack_output()
    {
        foreach (var recipe in fixture.Stack.Pipelines.Keys.Select(RecipeRegistry.Get))
        {
            var output = T.FindOutputs(recipe.ModelPackageGroupOutputId, Match.AnyValue());
            Assert.Single(output);
        }
    }

    [Fact]
    public void The_pipeline_role_registers_only_into_its_own_group_and_only_pending_manual_approval()
    {
        foreach (var (recipe, pipeline) in fixture.Stack.Pipelines)
        {
            var prefix = RecipeRegistry.Get(recipe).PipelineConstructId;
            var statements = Statements(T, prefix).Where(s => Actions(s).Any(a => a.Contains("ModelPackage", StringComparison.Ordinal))).ToList();
            var register = Assert.Single(statements);
            Assert.Equal(["sagemaker:CreateModelPackage"], Actions(register));
            // The group's versions only (model-package/<group name>/*, the group name built from the recipe's prefix).
            var resource = Text(register.GetProperty("Resource"));
            Assert.Contains(":model-package/", resource);
            Assert.Contains($"\"{pipeline.JobNamePrefix}\"", resource);
            Assert.EndsWith("\"/*\"]]}", resource);
            Assert.Equal("""{"StringEquals":{"sagemaker:ModelApprovalStatus":["PendingManualApproval"]}}""", Text(register.GetProperty("Condition")));
        }
    }

    [Fact]
    public void Approvals_and_rejections_of_every_group_are_sent_to_the_notification_topic()
    {
        var rule = Resources(T, "AWS::Events::Rule").Single(r => r.Key.StartsWith("ModelApprovalsRule", StringComparison.Ordinal)).Value;
        var pattern = rule.GetProperty("Properties").GetProperty("EventPattern");
        Assert.Equal("""["aws.sagemaker"]""", Text(pattern.GetProperty("source")));
        Assert.Equal("""["SageMaker Model Package State Change"]""", Text(pattern.GetProperty("detail-type")));
        Assert.Equal("""["Approved","Rejected"]""", Text(pattern.GetProperty("detail").GetProperty("ModelApprovalStatus")));
        // Completed versions only: the status events of a version registered Approved, or being deleted, carry it too
        // (tests/node/model-approval-events.test.mjs matches the rule against them).
        Assert.Equal("""["Completed"]""", Text(pattern.GetProperty("detail").GetProperty("ModelPackageStatus")));
        var names = pattern.GetProperty("detail").GetProperty("ModelPackageGroupName").EnumerateArray().Select(Text).ToList();
        Assert.Equal(fixture.Stack.Pipelines.Count, names.Count);
        foreach (var pipeline in fixture.Stack.Pipelines.Values)
            Assert.Contains(names, n => n.Contains($"\"{pipeline.JobNamePrefix}\"", StringComparison.Ordinal));
        var target = Assert.Single(rule.GetProperty("Properties").GetProperty("Targets").EnumerateArray());
        Assert.Equal(JsonSerializer.Serialize(fixture.Stack.Resolve(fixture.Stack.Notifications.Topic.TopicArn)), Text(target.GetProperty("Arn")));
        Assert.Contains("is <detail-ModelApprovalStatus>", target.GetProperty("InputTransformer").GetProperty("InputTemplate").GetString());
    }
}
