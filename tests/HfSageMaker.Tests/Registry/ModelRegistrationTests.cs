using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Registry;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Registry;

/// <summary>
/// The model package group construct (name, retention, import, grants) and a pipeline's registration: the default group,
/// the group-scoped and status-conditioned statement, the registration states, and every bad registration setting in the
/// pipeline's one error.
/// </summary>
public sealed class ModelRegistrationTests : IDisposable
{
    private const string KeyArn = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    private const string InferenceImage = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04";

    private readonly string _scripts = Directory.CreateTempSubdirectory("hf-registry-").FullName;

    public ModelRegistrationTests() => File.WriteAllText(Path.Combine(_scripts, "train.py"), "print('train')\n");

    public void Dispose() => Directory.Delete(_scripts, recursive: true);

    private static Stack NewStack(string name) =>
        new(new App(), name, new StackProps { Env = new Amazon.CDK.Environment { Account = "111122223333", Region = "eu-west-1" } });

    private HuggingFaceTrainingPipelineProps Props(Stack stack, ModelRegistration? registration, IModelPackageGroup? group = null)
    {
        var buckets = TrainingBuckets.FromAttributes(stack, "Buckets", new TrainingBucketsAttributes
        {
            Datasets = Bucket.FromBucketName(stack, "Datasets", "team-datasets"),
            Artifacts = Bucket.FromBucketName(stack, "Artifacts", "team-artifacts"),
            Checkpoints = Bucket.FromBucketName(stack, "Checkpoints", "team-checkpoints"),
            EncryptionKey = Key.FromKeyArn(stack, "Key", KeyArn),
        });
        return new HuggingFaceTrainingPipelineProps
        {
            Job = new HuggingFaceTrainingJobDefinition
            {
                EntryPoint = "train.py", TransformersVersion = "4.36.0", PytorchVersion = "2.1.0", PythonVersion = "py310",
                InstanceType = "ml.g5.xlarge", MaxRuntime = Duration.Hours(2),
                Hyperparameters = new Dictionary<string, object?> { ["epochs"] = 1, ["merge"] = false },
                MetricDefinitions = [new MetricDefinition("eval_loss", "eval_loss=([0-9.]+)")],
            },
            SourceCode = TrainingSourceCode.FromDirectory(stack, "Code", _scripts),
            Buckets = buckets,
            JobNamePrefix = "team-sent",
            Registration = registration,
            ModelPackageGroup = group,
        };
    }

    private static ModelRegistration Registration() => new()
    {
        ImageUri = InferenceImage,
        ContentTypes = ["application/json"],
        ResponseTypes = ["application/json"],
        RealtimeInstanceTypes = ["ml.g5.xlarge"],
    };

    private static List<JsonElement> RoleStatements(Template template) =>
        template.FindResources("AWS::IAM::ManagedPolicy").Values
            .Select(p => JsonSerializer.SerializeToElement(p))
            .SelectMany(p => p.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            .ToList();

    [Fact]
    public void A_group_is_retained_by_default_and_named_uniquely_to_the_stack_unless_given_a_name()
    {
        var stack = NewStack("Groups");
        _ = new ModelPackageGroup(stack, "ByDefault");
        _ = new ModelPackageGroup(stack, "Named", new ModelPackageGroupProps { ModelPackageGroupName = "team-models", RemovalPolicy = RemovalPolicy.DESTROY });
        var groups = Template.FromStack(stack).FindResources("AWS::SageMaker::ModelPackageGroup")
            .ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value));

        var byDefault = groups.Single(g => g.Key.StartsWith("ByDefault", StringComparison.Ordinal)).Value;
        Assert.Equal("Retain", byDefault.GetProperty("DeletionPolicy").GetString());
        var name = byDefault.GetProperty("Properties").GetProperty("ModelPackageGroupName").GetRawText();
        Assert.StartsWith("""{"Fn::Join":["-",["groups-bydefault""", name);
        Assert.Contains("""{"Ref":"AWS::StackId"}""", name);
        var named = groups.Single(g => g.Key.StartsWith("Named", StringComparison.Ordinal)).Value;
        Assert.Equal("Delete", named.GetProperty("DeletionPolicy").GetString());
        Assert.Equal("\"team-models\"", named.GetProperty("Properties").GetProperty("ModelPackageGroupName").GetRawText());
    }

    [Fact]
    public void A_bad_group_name_description_or_import_is_refused_in_the_library_format()
    {
        var stack = NewStack("BadGroups");
        var error = Assert.Throws<ArgumentException>(() => new ModelPackageGroup(stack, "Bad", new ModelPackageGroupProps
        {
            ModelPackageGroupName = "team_models-", Description = new string('d', 1025),
        }));
        Assert.StartsWith("Invalid ModelPackageGroupProps for 'BadGroups/Bad':\n - ModelPackageGroupName is 'team_models-'; give 1 to 63 characters", error.Message);
        Assert.Contains(" - Description is '", error.Message);
        var import = Assert.Throws<ArgumentException>(() => ModelPackageGroup.FromModelPackageGroupName(stack, "Imported",
            "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/team"));
        Assert.Contains("modelPackageGroupName is 'arn:aws:sagemaker:", import.Message);
        Assert.Contains("give the group's name (not its ARN)", import.Message);
        Assert.Throws<ArgumentException>(() => ModelPackageGroup.NameUniqueToStack(stack, new string('a', 55)));
    }

    [Fact]
    public void The_grants_name_the_group_and_its_versions_register_only_with_the_given_statuses_and_list_on_all()
    {
        var stack = NewStack("Grants");
        var group = ModelPackageGroup.FromModelPackageGroupName(stack, "Team", "team-models");
        var registrar = new Role(stack, "Registrar", new RoleProps { AssumedBy = new ServicePrincipal("states.amazonaws.com") });
        var approver = new Role(stack, "Approver", new RoleProps { AssumedBy = new AccountRootPrincipal() });
        group.GrantRegister(registrar, [ModelApprovalStatus.Approved, ModelApprovalStatus.PendingManualApproval]);
        group.GrantApprove(approver);
        var policies = Template.FromStack(stack).FindResources("AWS::IAM::Policy")
            .ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value).GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement"));

        var register = Assert.Single(policies.Single(p => p.Key.StartsWith("Registrar", StringComparison.Ordinal)).Value.EnumerateArray());
        Assert.Equal("\"sagemaker:CreateModelPackage\"", register.GetProperty("Action").GetRawText());
        Assert.EndsWith(""":sagemaker:eu-west-1:111122223333:model-package/team-models/*"]]}""", register.GetProperty("Resource").GetRawText());
        Assert.Equal("""{"StringEquals":{"sagemaker:ModelApprovalStatus":["PendingManualApproval","Approved"]}}""", register.GetProperty("Condition").GetRawText());

        var approve = policies.Single(p => p.Key.StartsWith("Approver", StringComparison.Ordinal)).Value.EnumerateArray().ToList();
        var update = approve.Single(s => s.GetProperty("Action").GetRawText() == "\"sagemaker:UpdateModelPackage\"");
        Assert.EndsWith(""":sagemaker:eu-west-1:111122223333:model-package/team-models/*"]]}""", update.GetProperty("Resource").GetRawText());
        var list = approve.Single(s => s.GetProperty("Resource").GetRawText() == "\"*\"");
        Assert.Equal("""["sagemaker:ListModelPackageGroups","sagemaker:ListModelPackages"]""", list.GetProperty("Action").GetRawText());

        // The wildcards are suppressed for cdk-nag on the approver's policy, each by name (the consumer app's cdk-nag
        // run, tests/consumer/template.test.mjs, checks that the packs accept them); the registrar's has none.
        var approverPolicy = (CfnResource)approver.Node.FindChild("DefaultPolicy").Node.DefaultChild!;
        var suppression = Assert.Single(HfSageMaker.Constructs.Compliance.NagSuppressions.Read(approverPolicy));
        Assert.Equal("AwsSolutions-IAM5", suppression.Id);
        Assert.Equal(["Resource::*", "Resource::arn:<AWS::Partition>:sagemaker:eu-west-1:111122223333:model-package/team-models/*"], suppression.AppliesTo);
        Assert.Empty(HfSageMaker.Constructs.Compliance.NagSuppressions.Read((CfnResource)registrar.Node.FindChild("DefaultPolicy").Node.DefaultChild!));
    }

    [Fact]
    public void A_pipeline_with_a_registration_creates_its_group_and_registers_into_it_only_pending_approval()
    {
        var stack = NewStack("Registering");
        var pipeline = new HuggingFaceTrainingPipeline(stack, "Pipeline", Props(stack, Registration()));
        var template = Template.FromStack(stack);

        var group = Assert.IsType<ModelPackageGroup>(pipeline.ModelPackageGroup);
        Assert.Equal("Registering/Pipeline/ModelPackageGroup", group.Node.Path);
        template.ResourceCountIs("AWS::SageMaker::ModelPackageGroup", 1);
        var register = RoleStatements(template).Single(s => s.GetProperty("Action").GetRawText() == "\"sagemaker:CreateModelPackage\"");
        Assert.Equal("""{"StringEquals":{"sagemaker:ModelApprovalStatus":["PendingManualApproval"]}}""", register.GetProperty("Condition").GetRawText());
        Assert.Contains(":model-package/", register.GetProperty("Resource").GetRawText());
        Assert.EndsWith("/*\"]]}", register.GetProperty("Resource").GetRawText());
        Assert.DoesNotContain(RoleStatements(template), s => s.GetProperty("Action").GetRawText().Contains("UpdateModelPackage", StringComparison.Ordinal));

        // The default request: what SDK v2.257.6 estimator.register(image_uri=...) sends before the run adds its artifact.
        var request = pipeline.DefaultRegistrationRequest!;
        Assert.Equal(["ModelPackageGroupName", "InferenceSpecification", "CertifyForMarketplace", "ModelApprovalStatus", "SkipModelValidation", "MetadataProperties"],
            request.Select(p => p.Key));
        var container = request["InferenceSpecification"]!["Containers"]![0]!;
        Assert.Equal(InferenceImage, container["Image"]!.GetValue<string>());
        Assert.Equal("""{"SAGEMAKER_PROGRAM":"","SAGEMAKER_SUBMIT_DIRECTORY":"","SAGEMAKER_CONTAINER_LOG_LEVEL":"20","SAGEMAKER_REGION":"eu-west-1"}""",
            container["Environment"]!.ToJsonString());
        Assert.Equal("PYTORCH", container["Framework"]!.GetValue<string>());
        Assert.Equal("2.1.0", container["FrameworkVersion"]!.GetValue<string>());

        var definition = JsonSerializer.Serialize(template.FindResources("AWS::StepFunctions::StateMachine"));
        Assert.Contains(":states:::aws-sdk:sagemaker:createModelPackage", definition);
        // Retried: what Step Functions' AWS SDK integration raises for throttling and 5xx (the service's base exception,
        // SageMaker.SageMakerException), client-side failures (SdkClientException) and CreateModelPackage's modelled
        // ConflictException; not ResourceLimitExceeded, the other error the API model names for it (see RetriedErrors).
        Assert.Contains("""
            "ErrorEquals":["SageMaker.SageMakerException","SageMaker.SdkClientException","SageMaker.ConflictException"]
            """, JsonSerializer.Serialize(template.FindResources("AWS::StepFunctions::StateMachine"),
                new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
                .Replace("\\\"", "\"", StringComparison.Ordinal));
        Assert.DoesNotContain("SageMaker.ThrottlingException", definition);
    }

    [Fact]
    public void An_imported_group_is_used_as_given_and_automatic_approval_allows_approved_and_pending_for_unservable_artifacts()
    {
        var stack = NewStack("Imported");
        var group = ModelPackageGroup.FromModelPackageGroupName(stack, "Team", "team-models");
        var pipeline = new HuggingFaceTrainingPipeline(stack, "Pipeline", Props(stack, Registration() with
        {
            ApprovalStatus = ModelApprovalStatus.Approved,
            ServableWhen = new ServableWhen("merge", true, "Only the adapter was saved."),
        }, group));
        var template = Template.FromStack(stack);

        Assert.Same(group, pipeline.ModelPackageGroup);
        template.ResourceCountIs("AWS::SageMaker::ModelPackageGroup", 0);
        Assert.Equal("team-models", pipeline.DefaultRegistrationRequest!["ModelPackageGroupName"]!.GetValue<string>());
        var register = RoleStatements(template).Single(s => s.GetProperty("Action").GetRawText() == "\"sagemaker:CreateModelPackage\"");
        Assert.Equal("""{"StringEquals":{"sagemaker:ModelApprovalStatus":["PendingManualApproval","Approved"]}}""", register.GetProperty("Condition").GetRawText());
    }

    [Fact]
    public void Without_a_registration_nothing_is_registered_and_the_definition_has_no_registration_state()
    {
        var stack = NewStack("Plain");
        var pipeline = new HuggingFaceTrainingPipeline(stack, "Pipeline", Props(stack, null));
        var template = Template.FromStack(stack);
        Assert.Null(pipeline.ModelPackageGroup);
        Assert.Null(pipeline.DefaultRegistrationRequest);
        var definition = JsonSerializer.Serialize(template.FindResources("AWS::StepFunctions::StateMachine"));
        Assert.DoesNotContain("RegisterModel", definition);
        Assert.DoesNotContain("ModelPackage", JsonSerializer.Serialize(template.ToJSON()));
    }

    [Fact]
    public void Every_bad_registration_setting_is_reported_in_the_pipeline_error()
    {
        var stack = NewStack("BadRegistration");
        var props = Props(stack, new ModelRegistration
        {
            ImageUri = "not an image",
            ContentTypes = [],
            ResponseTypes = ["json"],
            RealtimeInstanceTypes = ["ml.g5.xlarge", "ml.trn1.32xlarge.bad", "ml.g5.xlarge"],
            TransformInstanceTypes = ["ml.g6e.xlarge"],
            Environment = new Dictionary<string, string> { ["SAGEMAKER_REGION"] = "x", ["1BAD"] = "y" },
            ServableWhen = new ServableWhen("merge_adapter", new object(), ""),
            CustomerMetadataProperties = new Dictionary<string, string> { ["recipe"] = "a,b" },
            SourceCommit = "HEAD",
        });
        var error = Assert.Throws<ArgumentException>(() => new HuggingFaceTrainingPipeline(stack, "Pipeline", props)).Message;
        Assert.StartsWith("Invalid HuggingFaceTrainingPipelineProps for 'BadRegistration/Pipeline':", error);
        Assert.Contains(" - Registration.ImageUri: ", error);
        Assert.Contains(" - Registration.ContentTypes: give 1 to 10 MIME types", error);
        Assert.Contains(" - Registration.ResponseTypes: 'json' is not a MIME type", error);
        Assert.Contains(" - Registration.RealtimeInstanceTypes: [ml.g5.xlarge, ml.trn1.32xlarge.bad, ml.g5.xlarge] repeats a type", error);
        Assert.Contains(" - Registration.RealtimeInstanceTypes: 'ml.trn1.32xlarge.bad' is not one of SageMaker's realtime instance types", error);
        // ml.g6e.xlarge is a real-time type but not in SageMaker's TransformInstanceType enum (botocore 1.43.11).
        Assert.Contains(" - Registration.TransformInstanceTypes: 'ml.g6e.xlarge' is not one of SageMaker's transform instance types", error);
        Assert.Contains(" - Registration.Environment[\"SAGEMAKER_REGION\"]: reserved", error);
        Assert.Contains(" - Registration.Environment[\"1BAD\"]: not a variable name", error);
        Assert.Contains(" - Registration.ServableWhen.Hyperparameter: 'merge_adapter' is not a hyperparameter of the job; allowed: epochs, merge.", error);
        Assert.Contains(" - Registration.ServableWhen.EqualsValue: ", error);
        Assert.Contains(" - Registration.ServableWhen.Otherwise: '' is not allowed; give 1 to 1024 letters", error);
        Assert.Contains(" - Registration.CustomerMetadataProperties[\"recipe\"]: 'a,b' is not allowed", error);
        Assert.Contains(" - Registration.SourceCommit: 'HEAD' is not a commit", error);
    }

    [Fact]
    public void A_description_with_a_line_break_and_more_variables_than_sagemaker_documents_are_refused()
    {
        // EntityDescription takes no control characters; ModelPackageContainerDefinition.Environment is documented as
        // "up to 16 entries", of which the SDK's four script-mode variables are taken (RegistrationLimitsTests).
        var stack = NewStack("Description");
        var props = Props(stack, new ModelRegistration
        {
            ImageUri = InferenceImage, ContentTypes = ["application/json"], ResponseTypes = ["application/json"], RealtimeInstanceTypes = ["ml.g5.xlarge"],
            Environment = Enumerable.Range(0, 13).ToDictionary(i => $"VAR_{i}", i => "x"),
            ServableWhen = new ServableWhen("merge", true, "Only the adapter.\nMerge it first."),
        });
        var error = Assert.Throws<ArgumentException>(() => new HuggingFaceTrainingPipeline(stack, "Pipeline", props)).Message;
        Assert.Contains(" - Registration.ServableWhen.Otherwise: 'Only the adapter.\nMerge it first.' is not allowed; give 1 to 1024 letters, digits, spaces, punctuation and symbols, without line breaks", error);
        Assert.Contains(" - Registration.Environment: 13 variables; SageMaker takes at most 16, of which the SDK's 4 are taken.", error);
        var twelve = Props(NewStack("Twelve"), props.Registration! with { Environment = Enumerable.Range(0, 12).ToDictionary(i => $"VAR_{i}", i => "x"), ServableWhen = null });
        _ = new HuggingFaceTrainingPipeline(twelve.Buckets.Datasets.Stack, "Pipeline", twelve);
    }

    [Fact]
    public void A_group_without_a_registration_and_lineage_beyond_sagemakers_50_entries_are_refused()
    {
        var stack = NewStack("GroupOnly");
        var group = ModelPackageGroup.FromModelPackageGroupName(stack, "Team", "team-models");
        var error = Assert.Throws<ArgumentException>(() => new HuggingFaceTrainingPipeline(stack, "Pipeline", Props(stack, null, group))).Message;
        Assert.Contains(" - ModelPackageGroup is 'GroupOnly/Team'; a group is used only with Registration", error);

        var crowded = NewStack("Crowded");
        var many = Registration() with
        {
            CustomerMetadataProperties = Enumerable.Range(0, 45).ToDictionary(i => $"k{i}", i => "v"),
        };
        var lineage = Assert.Throws<ArgumentException>(() => new HuggingFaceTrainingPipeline(crowded, "Pipeline", Props(crowded, many))).Message;
        Assert.Contains(" - Registration.CustomerMetadataProperties: 45 entries, plus the run's lineage", lineage);
        Assert.Contains("SageMaker takes at most 50", lineage);
    }
}
