using System.Text.Json.Nodes;
using Amazon.CDK;
using HfSageMaker.Constructs.Training;
using Xunit;
using static HfSageMaker.Tests.Training.TrainingFixtures;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// The CreateTrainingJob requests the SDK's HuggingFace estimator would send; every request built here is dumped for
/// the Node API-model check (tests/node/csharp-output/sagemaker-requests.test.mjs).
/// </summary>
public class TrainingRequestBuilderTests
{
    private static JsonObject Build(string dumpName, HuggingFaceTrainingJobDefinition def, TrainingJobResources res)
    {
        var request = TrainingRequestBuilder.CreateTrainingJob(def, res, "hf-" + dumpName);
        Dump(dumpName, "CreateTrainingJob", request);
        return request;
    }

    [Fact]
    public void Single_gpu_job_sends_sdk_defaults_and_every_hyperparameter_json_encoded()
    {
        var request = Build("single-gpu", Definition(), Resources(checkpoint: null));

        var expected = new JsonObject
        {
            ["epochs"] = "3",
            ["learning_rate"] = "5e-05",
            ["model_name_or_path"] = "\"distilbert-base-uncased\"",
            ["fp16"] = "true",
            ["sagemaker_submit_directory"] = "\"s3://hf-code-123456789012/jobs/bert/sourcedir.tar.gz\"",
            ["sagemaker_program"] = "\"train.py\"",
            ["sagemaker_container_log_level"] = "20",
            ["sagemaker_region"] = "\"eu-west-1\"",
            ["sagemaker_job_name"] = "\"hf-single-gpu\"",
        };
        Assert.True(JsonNode.DeepEquals(expected, request["HyperParameters"]), request["HyperParameters"]!.ToJsonString());
        Assert.Equal("hf-single-gpu", request["TrainingJobName"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"InstanceType":"ml.g5.2xlarge","InstanceCount":1,"VolumeSizeInGB":30}"""), request["ResourceConfig"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"MaxRuntimeInSeconds":86400}"""), request["StoppingCondition"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"TrainingImage":"{{Image}}","TrainingInputMode":"File","EnableSageMakerMetricsTimeSeries":true,
             "MetricDefinitions":[{"Name":"eval_loss","Regex":"'eval_loss': ([0-9]+\\.[0-9]+)"},{"Name":"eval_accuracy","Regex":"'eval_accuracy': ([0-9]+\\.[0-9]+)"}]}
            """), request["AlgorithmSpecification"]), request["AlgorithmSpecification"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"ChannelName":"train","DataSource":{"S3DataSource":{"S3DataType":"S3Prefix","S3Uri":"s3://hf-datasets-123456789012/imdb/train","S3DataDistributionType":"FullyReplicated"}}}
            """), request["InputDataConfig"]![0]));
        Assert.Equal(Output, request["OutputDataConfig"]!["S3OutputPath"]!.GetValue<string>());
        foreach (var absent in new[] { "EnableManagedSpotTraining", "CheckpointConfig", "EnableInterContainerTrafficEncryption", "EnableNetworkIsolation", "VpcConfig", "RetryStrategy", "Environment", "Tags" })
        {
            Assert.False(request.ContainsKey(absent), absent);
        }
    }

    [Fact]
    public void Without_a_name_the_request_leaves_name_and_sagemaker_job_name_to_the_run_time()
    {
        var request = TrainingRequestBuilder.CreateTrainingJob(Definition(), Resources(), null);
        Assert.False(request.ContainsKey("TrainingJobName"));
        Assert.False(request["HyperParameters"]!.AsObject().ContainsKey("sagemaker_job_name"));
        // PrepareRequest names it at run time (tests/node/state-machine/prepare-request.test.mjs).
    }

    [Fact]
    public void A_name_given_at_synthesis_sets_both_keys()
    {
        var request = TrainingRequestBuilder.CreateTrainingJob(Definition(), Resources(), "bert-fixed");
        Assert.Equal("bert-fixed", request["TrainingJobName"]!.GetValue<string>());
        Assert.Equal("\"bert-fixed\"", Hp(request, "sagemaker_job_name"));
    }

    [Fact]
    public void Spot_with_checkpoints_sends_managed_spot_max_wait_and_checkpoint_config()
    {
        var def = Definition();
        def = new HuggingFaceTrainingJobDefinition
        {
            EntryPoint = def.EntryPoint, TransformersVersion = def.TransformersVersion, PytorchVersion = def.PytorchVersion,
            PythonVersion = def.PythonVersion, InstanceType = def.InstanceType, Channels = def.Channels, Hyperparameters = def.Hyperparameters,
            MaxRuntime = Duration.Hours(12),
            Spot = new SpotTrainingOptions { MaxWait = Duration.Hours(36) },
        };
        var request = Build("spot-checkpoints", def, Resources());

        Assert.True(request["EnableManagedSpotTraining"]!.GetValue<bool>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"MaxRuntimeInSeconds":43200,"MaxWaitTimeInSeconds":129600}"""), request["StoppingCondition"]));
        // session.py Session._get_train_request: CheckpointConfig = {"S3Uri": checkpoint_s3_uri}, plus "LocalPath" only
        // "if checkpoint_local_path" (the estimator's default is None; SageMaker then uses /opt/ml/checkpoints).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"S3Uri":"{{Checkpoints}}"}"""), request["CheckpointConfig"]));
        var local = TrainingRequestBuilder.CreateTrainingJob(def with { CheckpointLocalPath = "/opt/ml/ckpt" }, Resources(), "a");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"S3Uri":"{{Checkpoints}}","LocalPath":"/opt/ml/ckpt"}"""), local["CheckpointConfig"]));
    }

    [Fact]
    public void Spot_without_max_wait_waits_twice_the_runtime_capped_at_28_days()
    {
        var oneDay = TrainingRequestBuilder.CreateTrainingJob(Variant(spot: new SpotTrainingOptions()), Resources(), "a");
        Assert.Equal(172800, oneDay["StoppingCondition"]!["MaxWaitTimeInSeconds"]!.GetValue<int>());
        var long20 = TrainingRequestBuilder.CreateTrainingJob(Variant(spot: new SpotTrainingOptions(), maxRuntime: Duration.Days(20)), Resources(), "a");
        Assert.Equal(2419200, long20["StoppingCondition"]!["MaxWaitTimeInSeconds"]!.GetValue<int>());
    }

    [Fact]
    public void Torchrun_on_two_nodes_sends_the_launcher_flag_instance_type_and_encrypts_traffic()
    {
        var request = Build("torchrun-multinode", Definition("ml.p4d.24xlarge", 2, distribution: new DistributionConfig.Torchrun()), Resources());

        Assert.Equal("true", Hp(request, "sagemaker_torch_distributed_enabled"));
        Assert.Equal("\"ml.p4d.24xlarge\"", Hp(request, "sagemaker_instance_type"));
        Assert.Equal(2, request["ResourceConfig"]!["InstanceCount"]!.GetValue<int>());
        Assert.True(request["EnableInterContainerTrafficEncryption"]!.GetValue<bool>());
    }

    [Fact]
    public void Smddp_sends_dataparallel_flag_instance_type_and_custom_mpi_options()
    {
        var request = Build("smddp", Definition("ml.p4d.24xlarge", 2, pytorch: "1.13.1", distribution: new DistributionConfig.SmdDataParallel("-verbose")), Resources());

        Assert.Equal("true", Hp(request, "sagemaker_distributed_dataparallel_enabled"));
        Assert.Equal("\"ml.p4d.24xlarge\"", Hp(request, "sagemaker_instance_type"));
        Assert.Equal("\"-verbose\"", Hp(request, "sagemaker_distributed_dataparallel_custom_mpi_options"));
        Assert.False(request["HyperParameters"]!.AsObject().ContainsKey("sagemaker_mpi_enabled"));
    }

    [Fact]
    public void Mpi_sends_enabled_processes_per_host_and_options()
    {
        var request = Build("mpi", Definition("ml.g5.12xlarge", 2, distribution: new DistributionConfig.Mpi(4, "-x NCCL_DEBUG=INFO")), Resources());

        Assert.Equal("true", Hp(request, "sagemaker_mpi_enabled"));
        Assert.Equal("4", Hp(request, "sagemaker_mpi_num_of_processes_per_host"));
        Assert.Equal("\"-x NCCL_DEBUG=INFO\"", Hp(request, "sagemaker_mpi_custom_mpi_options"));
        Assert.False(request["HyperParameters"]!.AsObject().ContainsKey("sagemaker_instance_type"));
    }

    [Fact]
    public void Model_parallel_sends_mp_parameters_as_a_json_object_through_mpi_with_dataparallel_off()
    {
        var parameters = new Dictionary<string, object?> { ["partitions"] = 2, ["microbatches"] = 4, ["pipeline"] = "interleaved", ["ddp"] = true };
        var request = Build("model-parallel", Definition("ml.p4d.24xlarge", 1, distribution: new DistributionConfig.ModelParallel(parameters, 8)), Resources());

        Assert.Equal("{\"partitions\": 2, \"microbatches\": 4, \"pipeline\": \"interleaved\", \"ddp\": true}", Hp(request, "mp_parameters"));
        Assert.Equal("true", Hp(request, "sagemaker_mpi_enabled"));
        Assert.Equal("8", Hp(request, "sagemaker_mpi_num_of_processes_per_host"));
        Assert.Equal("\"\"", Hp(request, "sagemaker_mpi_custom_mpi_options"));
        Assert.Equal("false", Hp(request, "sagemaker_distributed_dataparallel_enabled"));
        Assert.Equal("\"ml.p4d.24xlarge\"", Hp(request, "sagemaker_instance_type"));
        // estimator.py (v2.257.6) lines 4177-4180: the SMDDP MPI options only "if smdataparallel_enabled".
        Assert.False(request["HyperParameters"]!.AsObject().ContainsKey("sagemaker_distributed_dataparallel_custom_mpi_options"));
    }

    [Fact]
    public void Network_isolation_delivers_code_through_the_code_channel_and_sets_hub_offline()
    {
        var def = Variant(isolated: true, channels: [new TrainingChannel("train", "s3://hf-datasets-123456789012/imdb/train") { InputMode = TrainingInputMode.FastFile }, TrainingChannel.Model("s3://hf-models-123456789012/distilbert/")]);
        var request = Build("network-isolated", def, Resources());

        Assert.True(request["EnableNetworkIsolation"]!.GetValue<bool>());
        Assert.Equal("\"/opt/ml/input/data/code/sourcedir.tar.gz\"", Hp(request, "sagemaker_submit_directory"));
        var channels = request["InputDataConfig"]!.AsArray();
        Assert.Equal(["train", "model", "code"], channels.Select(c => c!["ChannelName"]!.GetValue<string>()));
        Assert.Equal("FastFile", channels[0]!["InputMode"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"ChannelName":"model","DataSource":{"S3DataSource":{"S3DataType":"S3Prefix","S3Uri":"s3://hf-models-123456789012/distilbert/","S3DataDistributionType":"FullyReplicated"}},
             "ContentType":"application/x-sagemaker-model","InputMode":"File"}
            """), channels[1]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"ChannelName":"code","DataSource":{"S3DataSource":{"S3DataType":"S3Prefix","S3Uri":"SOURCE","S3DataDistributionType":"FullyReplicated"}}}
            """.Replace("SOURCE", SourceDir, StringComparison.Ordinal)), channels[2]));
        Assert.Equal("1", request["Environment"]!["HF_HUB_OFFLINE"]!.GetValue<string>());
    }

    [Fact]
    public void Network_isolation_with_a_cdk_asset_archive_points_the_submit_directory_at_the_asset_file_name()
    {
        // CDK file assets are named "<hash>.gz" in a bucket whose name is a token until deployment.
        var bucket = Amazon.CDK.Token.AsString(new Dictionary<string, object> { ["Ref"] = "AssetBucket" });
        var resources = Resources();
        resources = new TrainingJobResources
        {
            RoleArn = resources.RoleArn, ImageUri = resources.ImageUri, OutputS3Uri = resources.OutputS3Uri,
            CheckpointS3Uri = resources.CheckpointS3Uri, Region = resources.Region,
            SubmitDirectoryS3Uri = $"s3://{bucket}/0f3c9a7e51d2b4c8.gz",
        };
        var request = TrainingRequestBuilder.CreateTrainingJob(Variant(isolated: true), resources, null);

        Assert.Equal("\"/opt/ml/input/data/code/0f3c9a7e51d2b4c8.gz\"", Hp(request, "sagemaker_submit_directory"));
        var code = request["InputDataConfig"]!.AsArray().Single(c => c!["ChannelName"]!.GetValue<string>() == "code");
        Assert.EndsWith("/0f3c9a7e51d2b4c8.gz", code!["DataSource"]!["S3DataSource"]!["S3Uri"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Network_isolation_rejects_an_archive_whose_file_name_is_unknown_at_synthesis()
    {
        var opaque = Amazon.CDK.Token.AsString(new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "Asset", "Url" } });
        var r = Resources();
        var resources = new TrainingJobResources
        {
            RoleArn = r.RoleArn, ImageUri = r.ImageUri, OutputS3Uri = r.OutputS3Uri, CheckpointS3Uri = r.CheckpointS3Uri,
            Region = r.Region, SubmitDirectoryS3Uri = opaque,
        };
        var ex = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(Variant(isolated: true), resources, null));
        Assert.Contains("SubmitDirectoryS3Uri", ex.Message);
        Assert.Contains("file name must be known at synthesis", ex.Message);
    }

    [Fact]
    public void Vpc_and_kms_send_vpc_config_output_key_and_volume_key_only_on_ebs_only_instances()
    {
        var ebsOnly = Build("vpc-kms-p3", Definition("ml.p3.2xlarge"), Resources(kms: Key, vpc: true));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"SecurityGroupIds":["sg-0123456789abcdef0"],"Subnets":["subnet-0a1b2c3d4e5f60718","subnet-0f1e2d3c4b5a69788"]}
            """), ebsOnly["VpcConfig"]));
        Assert.Equal(Key, ebsOnly["OutputDataConfig"]!["KmsKeyId"]!.GetValue<string>());
        Assert.Equal(Key, ebsOnly["ResourceConfig"]!["VolumeKmsKeyId"]!.GetValue<string>());

        var nvme = Build("vpc-kms-g5", Definition("ml.g5.2xlarge"), Resources(kms: Key, vpc: true));
        Assert.Equal(Key, nvme["OutputDataConfig"]!["KmsKeyId"]!.GetValue<string>());
        Assert.False(nvme["ResourceConfig"]!.AsObject().ContainsKey("VolumeKmsKeyId"));
    }

    [Fact]
    public void Warm_pool_retries_environment_tags_volume_and_runtime_are_mapped()
    {
        var def = Variant(keepAlive: Duration.Minutes(30), retries: 3, volume: Size.Gibibytes(200), maxRuntime: Duration.Hours(6),
            environment: new Dictionary<string, string> { ["NCCL_DEBUG"] = "WARN" }, tags: new Dictionary<string, string> { ["project"] = "nlp", ["cost-center"] = "ml-42" },
            logLevel: 10);
        var request = Build("warm-pool", def, Resources());

        Assert.Equal(1800, request["ResourceConfig"]!["KeepAlivePeriodInSeconds"]!.GetValue<int>());
        Assert.Equal(200, request["ResourceConfig"]!["VolumeSizeInGB"]!.GetValue<int>());
        Assert.Equal(21600, request["StoppingCondition"]!["MaxRuntimeInSeconds"]!.GetValue<int>());
        Assert.Equal(3, request["RetryStrategy"]!["MaximumRetryAttempts"]!.GetValue<int>());
        Assert.Equal("WARN", request["Environment"]!["NCCL_DEBUG"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"Key":"project","Value":"nlp"},{"Key":"cost-center","Value":"ml-42"}]"""), request["Tags"]));
        Assert.Equal("10", Hp(request, "sagemaker_container_log_level"));
    }

    [Fact]
    public void Inter_container_encryption_follows_the_explicit_setting()
    {
        var off = TrainingRequestBuilder.CreateTrainingJob(Variant(instanceCount: 2, encrypt: false), Resources(), "a");
        Assert.False(off.ContainsKey("EnableInterContainerTrafficEncryption"));
        var on = TrainingRequestBuilder.CreateTrainingJob(Variant(encrypt: true), Resources(), "a");
        Assert.True(on["EnableInterContainerTrafficEncryption"]!.GetValue<bool>());
    }

    [Fact]
    public void Unresolved_tokens_pass_through_without_format_checks()
    {
        var stack = new Stack(new App(), "TokenStack");
        var res = new TrainingJobResources
        {
            RoleArn = Fn.ImportValue("RoleArn"),
            ImageUri = Image,
            SubmitDirectoryS3Uri = "s3://" + Fn.ImportValue("CodeBucket") + "/sourcedir.tar.gz",
            OutputS3Uri = "s3://" + Fn.ImportValue("Bucket") + "/output",
            Region = Aws.REGION,
        };
        _ = stack;
        var request = TrainingRequestBuilder.CreateTrainingJob(Definition(), res, null);
        Assert.StartsWith("${Token[", request["RoleArn"]!.GetValue<string>());
        Assert.StartsWith("\"${Token[", Hp(request, "sagemaker_region"));
    }

    internal static HuggingFaceTrainingJobDefinition Variant(
        bool isolated = false,
        IReadOnlyList<TrainingChannel>? channels = null,
        SpotTrainingOptions? spot = null,
        Duration? maxRuntime = null,
        Duration? keepAlive = null,
        int? retries = null,
        Size? volume = null,
        IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyDictionary<string, string>? tags = null,
        int logLevel = 20,
        int instanceCount = 1,
        bool? encrypt = null)
    {
        var d = Definition();
        return new HuggingFaceTrainingJobDefinition
        {
            EntryPoint = d.EntryPoint, TransformersVersion = d.TransformersVersion, PytorchVersion = d.PytorchVersion,
            PythonVersion = d.PythonVersion, InstanceType = d.InstanceType, Hyperparameters = d.Hyperparameters,
            MetricDefinitions = d.MetricDefinitions, Channels = channels ?? d.Channels,
            EnableNetworkIsolation = isolated, Spot = spot, MaxRuntime = maxRuntime, KeepAlivePeriod = keepAlive,
            MaxRetryAttempts = retries, VolumeSize = volume, Environment = environment ?? new Dictionary<string, string>(),
            Tags = tags ?? new Dictionary<string, string>(), ContainerLogLevel = logLevel, InstanceCount = instanceCount,
            EncryptInterContainerTraffic = encrypt,
        };
    }
}
