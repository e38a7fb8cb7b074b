using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Recipes;
using Xunit;

namespace HfSageMaker.Tests.Orchestration;

public sealed class HuggingFaceTrainingPipelineTests : IClassFixture<PipelineFixture>
{
    private readonly PipelineFixture _f;

    public HuggingFaceTrainingPipelineTests(PipelineFixture fixture) => _f = fixture;

    private IEnumerable<JsonObject> Resources(string type) =>
        _f.TemplateJson["Resources"]!.AsObject().Select(kv => kv.Value!.AsObject()).Where(r => (string?)r["Type"] == type);

    private IEnumerable<JsonObject> StateMachineStatements()
    {
        var roleId = _f.Stack.GetLogicalId((CfnElement)_f.Pipeline.StateMachine.Role.Node.DefaultChild!);
        return Resources("AWS::IAM::ManagedPolicy")
            .Where(p => p["Properties"]!["Roles"]!.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == roleId))
            .SelectMany(p => p["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()));
    }

    private static string[] Actions(JsonObject statement) => statement["Action"] is JsonArray a
        ? a.Select(x => x!.GetValue<string>()).ToArray()
        : [statement["Action"]!.GetValue<string>()];

    [Fact]
    public void StateMachine_IsStandard_LogsAllToVendedLogGroup_WithTracingAndTimeout()
    {
        _f.Template.HasResourceProperties("AWS::StepFunctions::StateMachine", Match.ObjectLike(new Dictionary<string, object>
        {
            ["StateMachineType"] = "STANDARD",
            ["TracingConfiguration"] = new Dictionary<string, object> { ["Enabled"] = true },
            ["LoggingConfiguration"] = Match.ObjectLike(new Dictionary<string, object> { ["Level"] = "ALL", ["IncludeExecutionData"] = true }),
        }));
        var logGroupName = Resources("AWS::Logs::LogGroup").Select(r => r["Properties"]?["LogGroupName"]).Single(n => n is not null)!;
        var parts = logGroupName["Fn::Join"]![1]!.AsArray();
        Assert.StartsWith("/aws/vendedlogs/states/PipelineTest-TranslationPipeline-", parts[0]!.GetValue<string>());
        var definition = JsonSerializer.Serialize(Resources("AWS::StepFunctions::StateMachine").Single()["Properties"]!["DefinitionString"]);
        Assert.Contains("TimeoutSeconds", definition);
    }

    /// <summary>
    /// The execution log group is retained and explicitly named: with a name fixed at synthesis, creating the stack again
    /// after a deletion fails with "already exists". The name ends with the stack's UUID (third part of AWS::StackId),
    /// which every stack creation gets anew.
    /// </summary>
    [Fact]
    public void Execution_log_group_name_ends_with_the_stack_uuid_so_a_re_created_stack_does_not_collide_with_the_retained_group()
    {
        var logGroupName = Resources("AWS::Logs::LogGroup").Select(r => r["Properties"]?["LogGroupName"]).Single(n => n is not null)!;
        Assert.True(logGroupName is JsonObject, $"the name is fixed at synthesis: {logGroupName.ToJsonString()}");
        var last = logGroupName["Fn::Join"]![1]!.AsArray().Last()!;
        Assert.Equal("""{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}""", last.ToJsonString());
    }

    [Fact]
    public void Definition_EmbedsTheDefaultRequestsAndBothSyncIntegrations()
    {
        var parts = Resources("AWS::StepFunctions::StateMachine").Single()["Properties"]!["DefinitionString"]!["Fn::Join"]![1]!.AsArray();
        var definition = string.Concat(parts.Where(p => p is JsonValue).Select(p => p!.GetValue<string>()));
        Assert.Contains(":states:::sagemaker:createTrainingJob.sync", definition);
        Assert.Contains(":states:::sagemaker:createHyperParameterTuningJob.sync", definition);
        Assert.Contains("SageMaker.ResourceLimitExceededException", definition);
        Assert.Contains("*CapacityError*", definition);
        // The metric regexes of the script's metric_definitions.json travel in the default request.
        var metrics = TrainingRecipe.LoadMetricDefinitions(PipelineFixture.ScriptDirectory);
        Assert.Equal(4, metrics.Count);
        foreach (var metric in metrics)
        {
            Assert.Contains($"\"Regex\":\"{metric.Regex.Replace("\\", "\\\\")}\"", definition);
        }
    }

    [Fact]
    public void CreateActions_AreScopedToThePrefix_AndCarryTheCostConditions()
    {
        var create = StateMachineStatements().Single(s => Actions(s).Contains("sagemaker:CreateTrainingJob") && (string?)s["Effect"] == "Allow");
        Assert.Equal(["sagemaker:CreateTrainingJob"], Actions(create).ToArray());
        Assert.Contains(":training-job/hf-translate-*", JsonSerializer.Serialize(create["Resource"]));
        var conditions = create["Condition"]!.AsObject();
        Assert.Equal(["ml.g5.2xlarge", "ml.g5.12xlarge", "ml.p3.2xlarge"],
            conditions["ForAllValues:StringEquals"]!["sagemaker:InstanceTypes"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray());
        Assert.Equal("28800", conditions["NumericLessThanEquals"]!["sagemaker:MaxRuntimeInSeconds"]!.ToString());

        // Tuning: its own statement, capped only if SageMaker supplies the key (TrainingCostConditions explains why).
        var tune = StateMachineStatements().Single(s => Actions(s).Contains("sagemaker:CreateHyperParameterTuningJob") && (string?)s["Effect"] == "Allow");
        Assert.Equal(["sagemaker:CreateHyperParameterTuningJob"], Actions(tune).ToArray());
        Assert.Contains(":hyper-parameter-tuning-job/hf-translate-*", JsonSerializer.Serialize(tune["Resource"]));
        Assert.Equal("28800", tune["Condition"]!["NumericLessThanEqualsIfExists"]!["sagemaker:MaxRuntimeInSeconds"]!.ToString());
    }

    /// <summary>
    /// The create statements require what the default requests themselves send (the values compared are the requests',
    /// resolved as CloudFormation sees them): every subnet and security group of their VpcConfig and a VpcConfig at
    /// all, isolation, the output key, the volume key PrepareRequest falls back to (the output key), no file-system
    /// channel; inter-container encryption is refused only when sent as false, since the single-instance default leaves
    /// it out (tests/node/pipeline-iam.test.mjs simulates each mutation over every environment).
    /// </summary>
    [Fact]
    public void CreateActions_RequireTheDefaultRequestsOwnVpcIsolationAndKeys()
    {
        var tuning = (JsonObject)_f.Pipeline.DefaultTuningRequest!["TrainingJobDefinition"]!;
        foreach (var (action, request) in new[] { ("sagemaker:CreateTrainingJob", _f.Pipeline.DefaultTrainingRequest), ("sagemaker:CreateHyperParameterTuningJob", tuning) })
        {
            var c = StateMachineStatements().Single(s => Actions(s).Contains(action) && (string?)s["Effect"] == "Allow")["Condition"]!.AsObject();
            string Resolved(JsonNode node) => JsonSerializer.Serialize(_f.Stack.Resolve(node.DeepClone().AsArray().Select(x => x!.GetValue<string>()).ToArray()));
            Assert.Equal(Resolved(request["VpcConfig"]!["Subnets"]!), c["ForAllValues:StringEquals"]!["sagemaker:VpcSubnets"]!.ToJsonString());
            Assert.Equal(Resolved(request["VpcConfig"]!["SecurityGroupIds"]!), c["ForAllValues:StringEquals"]!["sagemaker:VpcSecurityGroupIds"]!.ToJsonString());
            Assert.Equal(JsonSerializer.Serialize(_f.Stack.Resolve(request["OutputDataConfig"]!["KmsKeyId"]!.GetValue<string>())), c["ArnEquals"]!["sagemaker:OutputKmsKeyArn"]!.ToJsonString());
            Assert.Equal(c["ArnEquals"]!["sagemaker:OutputKmsKeyArn"]!.ToJsonString(), c["ArnEqualsIfExists"]!["sagemaker:VolumeKmsKeyArn"]!.ToJsonString());
            Assert.True(request["EnableNetworkIsolation"]!.GetValue<bool>());
            Assert.Equal("true", (string?)c["Bool"]!["sagemaker:NetworkIsolation"]);
            Assert.False(request.ContainsKey("EnableInterContainerTrafficEncryption"));
            Assert.Equal("true", (string?)c["BoolIfExists"]!["sagemaker:InterContainerTrafficEncryption"]);
            Assert.Equal("""{"sagemaker:InstanceTypes":"false","sagemaker:VpcSubnets":"false","sagemaker:VpcSecurityGroupIds":"false","sagemaker:FileSystemId":"true","sagemaker:OutputKmsKeyArn":"false"}""",
                c["Null"]!.ToJsonString());
        }
    }

    /// <summary>The pipeline's allowed EBS-only type (ml.p3.2xlarge) must carry the volume key: denied without one.</summary>
    [Fact]
    public void Ebs_only_types_without_a_volume_key_are_denied()
    {
        var deny = StateMachineStatements().Single(s => (string?)s["Effect"] == "Deny");
        Assert.Equal(["sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"], Actions(deny));
        Assert.Equal("""["ml.p3.2xlarge"]""", deny["Condition"]!["ForAnyValue:StringEquals"]!["sagemaker:InstanceTypes"]!.ToJsonString());
        Assert.Equal("true", (string?)deny["Condition"]!["Null"]!["sagemaker:VolumeKmsKeyArn"]);
    }

    [Fact]
    public void NoSageMakerActionIsAllowedOnEveryResource()
    {
        foreach (var statement in StateMachineStatements().Where(s => Actions(s).Any(a => a.StartsWith("sagemaker:"))))
        {
            Assert.DoesNotContain("\"*\"", JsonSerializer.Serialize(statement["Resource"]));
            Assert.DoesNotContain(":training-job/*", JsonSerializer.Serialize(statement["Resource"]));
        }
    }

    [Fact]
    public void PassRole_NamesOnlyTheExecutionRole_ForSageMaker()
    {
        var pass = StateMachineStatements().Single(s => Actions(s).Contains("iam:PassRole"));
        Assert.Equal("sagemaker.amazonaws.com", pass["Condition"]!["StringEquals"]!["iam:PassedToService"]!.GetValue<string>());
        Assert.Contains("ExecutionRole", JsonSerializer.Serialize(pass["Resource"]));
    }

    [Fact]
    public void EventRules_AreOnlyTheTwoStepFunctionsRules()
    {
        var events = StateMachineStatements().Single(s => Actions(s).Contains("events:PutRule"));
        var text = JsonSerializer.Serialize(events["Resource"]);
        Assert.Contains("rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule", text);
        Assert.Contains("rule/StepFunctionsGetEventsForSageMakerTuningJobsRule", text);
        Assert.Equal(2, events["Resource"]!.AsArray().Count);
    }

    [Fact]
    public void StateMachineRole_MayUseTheTopicKey_AndInvokeOnlyThePrepareFunction()
    {
        var statements = StateMachineStatements().ToArray();
        Assert.Contains(statements, s => Actions(s).Contains("kms:GenerateDataKey*"));
        Assert.Contains(statements, s => Actions(s).Contains("sns:Publish"));
        var invoke = statements.Single(s => Actions(s).Contains("lambda:InvokeFunction"));
        var functionId = _f.Stack.GetLogicalId((CfnElement)_f.Pipeline.PrepareFunction.Node.DefaultChild!);
        Assert.All(invoke["Resource"]!.AsArray(), r => Assert.Contains(functionId, JsonSerializer.Serialize(r)));
    }

    /// <summary>
    /// Lambda keeps at least 100 of the account's concurrency unreserved and new accounts start with a quota of 10
    /// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), so any reservation fails the
    /// first deployment on a new account: nothing is reserved unless the team opts in.
    /// </summary>
    [Fact]
    public void PrepareFunction_RunsOnNode24_InTheVpc_WithoutReservedConcurrency()
    {
        _f.Template.HasResourceProperties("AWS::Lambda::Function", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Runtime"] = "nodejs24.x",
            ["Handler"] = "prepare-request.handler",
            ["VpcConfig"] = Match.ObjectLike(new Dictionary<string, object>()),
        }));
        var function = Resources("AWS::Lambda::Function").Single(r => (string?)r["Properties"]?["Handler"] == "prepare-request.handler");
        Assert.Null(function["Properties"]!["ReservedConcurrentExecutions"]);
    }

    [Fact]
    public void Reserving_concurrency_is_an_opt_in_that_names_the_lambda_quota_and_the_value_needed()
    {
        var stack = new Stack(new App(), "Reserved");
        var bucket = new Bucket(stack, "B");
        var pipeline = new HuggingFaceTrainingPipeline(stack, "P", new HuggingFaceTrainingPipelineProps
        {
            Job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, true, "hf-datasets-bucket", PipelineFixture.ScriptDirectory),
            ExecutionRole = new Role(stack, "R", new RoleProps { AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com") }),
            Buckets = TestBuckets.Import(stack, bucket),
            ImageUri = DlcImage,
            SourceCode = TrainingSourceCode.FromDirectory(stack, "Code", PipelineFixture.ScriptDirectory),
            NotificationTopic = new Topic(stack, "T"),
            AllowedInstanceTypes = ["ml.g5.2xlarge"],
            MaxInstanceCount = 1,
            MaxRuntime = Duration.Hours(8),
            JobNamePrefix = "hf-translate",
            PrepareRequestReservedConcurrency = 5,
        });
        var template = Template.FromStack(stack);
        template.HasResourceProperties("AWS::Lambda::Function", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Handler"] = "prepare-request.handler",
            ["ReservedConcurrentExecutions"] = 5,
        }));
        var warning = Amazon.CDK.Assertions.Annotations.FromStack(stack).FindWarning("*", Match.StringLikeRegexp(".*L-B99A9384.*"));
        var text = Assert.Single(warning).Entry.Data?.ToString() ?? "";
        Assert.Contains("at least 105", text);
        Assert.Equal(pipeline.PrepareFunction.Node.Path, Assert.Single(warning).Id.TrimStart('/'));
    }

    [Fact]
    public void GrantStartExecution_GivesStartExecutionOnThisStateMachineOnly()
    {
        var stack = new Stack(new App(), "Grants");
        var user = new Role(stack, "Scientist", new RoleProps { AssumedBy = new AccountRootPrincipal() });
        var grant = _f.Pipeline.GrantStartExecution(user);
        Assert.True(grant.Success);
        var document = JsonSerializer.Serialize(stack.Resolve(grant.PrincipalStatements.Single().ToStatementJson()));
        Assert.Contains("states:StartExecution", document);
        Assert.DoesNotContain("\"Resource\":\"*\"", document);
    }

    private const string DlcImage = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04";

    /// <summary>Builds the pipeline in a fresh stack from the recipe with the given guardrails; returns the rejection.</summary>
    private static ArgumentException Rejection(string stackName, IReadOnlyList<string> allowedInstanceTypes, Duration maxRuntime,
        int maxInstanceCount = 1, string jobNamePrefix = "hf-translate", string imageUri = DlcImage,
        int maxTuningJobs = 20, int maxParallelTuningJobs = 2, Duration? executionTimeout = null)
    {
        var stack = new Stack(new App(), stackName);
        var bucket = new Bucket(stack, "B");
        return Assert.Throws<ArgumentException>(() => new HuggingFaceTrainingPipeline(stack, "P", new HuggingFaceTrainingPipelineProps
        {
            Job = RecipeRegistry.Get("translation").Job(PipelineFixture.Training, true, "hf-datasets-bucket", PipelineFixture.ScriptDirectory),
            ExecutionRole = new Role(stack, "R", new RoleProps { AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com") }),
            Buckets = TestBuckets.Import(stack, bucket),
            ImageUri = imageUri,
            SourceCode = TrainingSourceCode.FromDirectory(stack, "Code", PipelineFixture.ScriptDirectory),
            NotificationTopic = new Topic(stack, "T"),
            AllowedInstanceTypes = allowedInstanceTypes,
            MaxInstanceCount = maxInstanceCount,
            MaxRuntime = maxRuntime,
            JobNamePrefix = jobNamePrefix,
            MaxTuningJobs = maxTuningJobs,
            MaxParallelTuningJobs = maxParallelTuningJobs,
            ExecutionTimeout = executionTimeout,
        }));
    }

    [Fact]
    public void InvalidProps_AreReportedTogether_WithFieldValueAndFix()
    {
        var error = Rejection("Invalid", ["ml.g5.12xlarge"], Duration.Days(30), maxInstanceCount: 0,
            jobNamePrefix: "hf_translate_too_long", maxTuningJobs: 4, maxParallelTuningJobs: 5,
            executionTimeout: Duration.Millis(1500.5));
        // The library's one format: construct path, then '<prop> is '<value>'; <what is allowed and the fix>'.
        Assert.StartsWith("Invalid HuggingFaceTrainingPipelineProps for 'Invalid/P':\n - ", error.Message);
        Assert.Contains("JobNamePrefix is 'hf_translate_too_long'; give 1 to 20 characters", error.Message);
        Assert.Contains("MaxInstanceCount is '0'; give 1 to 64.", error.Message);
        Assert.Contains("MaxRuntime is '30 days'; give 1 second to 28 days", error.Message);
        Assert.Contains("MaxParallelTuningJobs is '5'; give at most MaxTuningJobs (4)", error.Message);
        // A fractional duration is reported like any other value, not as a conversion error from inside the CDK.
        Assert.DoesNotContain("ExecutionTimeout", error.Message);
        // The recipe's own problems come in the same message (one exception lists everything).
        Assert.Contains("Job.InstanceType is 'ml.g5.2xlarge'; give one of AllowedInstanceTypes (ml.g5.12xlarge)", error.Message);
    }

    [Fact]
    public void ImageUri_ThatIsNoEcrImage_IsRejectedWithTheExpectedShape()
    {
        var error = Rejection("BadImage", ["ml.g5.2xlarge"], Duration.Days(1), imageUri: "huggingface/transformers-pytorch-gpu:latest");
        Assert.Contains("ImageUri is 'huggingface/transformers-pytorch-gpu:latest'; ", error.Message);
        Assert.Contains("'huggingface/transformers-pytorch-gpu:latest' is not an ECR image URI", error.Message);
    }

    [Fact]
    public void RecipeOutsideTheGuardrails_IsRejected()
    {
        var error = Rejection("Outside", ["ml.g5.12xlarge", "ml.m5.xlarge", "ml.g4ad.xlarge"], Duration.Hours(1));
        Assert.Contains("Job.InstanceType is 'ml.g5.2xlarge'; give one of AllowedInstanceTypes (ml.g5.12xlarge, ml.m5.xlarge, ml.g4ad.xlarge)", error.Message);
        // An execution may switch to any allowed type, so each must be one the builder accepts (same explanation).
        Assert.Contains("AllowedInstanceTypes is 'ml.m5.xlarge'; " + InstanceTypeCatalog.ExplainNotGpuTraining("ml.m5.xlarge"), error.Message);
        Assert.Contains("AllowedInstanceTypes is 'ml.g4ad.xlarge'; 'ml.g4ad.xlarge' (family 'g4ad') is not a GPU training instance type", error.Message);
        Assert.Contains("Job.MaxRuntime is '28800 seconds'; give at most MaxRuntime (3600 seconds)", error.Message);
    }

    [Fact]
    public void TranslationRequests_AreWrittenForTheContractTests()
    {
        var path = Path.Combine(PipelineFixture.ResultsDirectory, "requests", "translation-train.json");
        var written = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("CreateTrainingJob", written["operation"]!.GetValue<string>());
        Assert.Equal("hf-translate-example", written["request"]!["TrainingJobName"]!.GetValue<string>());
        Assert.True(written["request"]!["EnableManagedSpotTraining"]!.GetValue<bool>());
        var tune = JsonNode.Parse(File.ReadAllText(Path.Combine(PipelineFixture.ResultsDirectory, "requests", "translation-tune.json")))!;
        Assert.Equal("eval_bleu", tune["request"]!["HyperParameterTuningJobConfig"]!["HyperParameterTuningJobObjective"]!["MetricName"]!.GetValue<string>());
    }
}
