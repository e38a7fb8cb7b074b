using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using HfSageMaker.Constructs.Training;
using Xunit;
using static HfSageMaker.Tests.Training.TrainingFixtures;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// Our requests against the requests the SageMaker Python SDK v2.257.6 would send for the same <c>HuggingFace</c>
/// estimator / <c>HyperparameterTuner</c> settings. Every expected request is written out by hand from the SDK source
/// (file and line at tag v2.257.6 in the comments), never from this library's code. Hyperparameter strings are compared
/// byte for byte.
/// </summary>
public class SdkFidelityTests
{
    private static JsonObject Train(string dumpName, HuggingFaceTrainingJobDefinition def, TrainingJobResources res)
    {
        var request = TrainingRequestBuilder.CreateTrainingJob(def, res, "sdk-" + dumpName);
        Dump("sdk-" + dumpName, "CreateTrainingJob", request);
        return request;
    }

    private static JsonObject Tune(string dumpName, HuggingFaceTrainingJobDefinition def, TuningDefinition tuning, TrainingJobResources res)
    {
        var request = TrainingRequestBuilder.CreateHyperParameterTuningJob(def, tuning, res, "sdk-" + dumpName);
        Dump("sdk-tuning-" + dumpName, "CreateHyperParameterTuningJob", request);
        return request;
    }

    private static void Same(string expectedJson, JsonNode? actual)
    {
        var expected = JsonNode.Parse(expectedJson);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected:\n{expected?.ToJsonString()}\nactual:\n{actual?.ToJsonString()}");
    }

    /// <summary>
    /// Hyperparameters compared as an ordered list of (key, exact string) pairs in the SDK's order. The one exception
    /// is <c>sagemaker_job_name</c>: the SDK writes it before <c>sagemaker_region</c>, our run-time naming appends it
    /// (key order means nothing to the API or the toolkit); its value is compared on its own.
    /// </summary>
    private static void SameHyperparameters(IEnumerable<(string Key, string Value)> expected, JsonNode? actual)
    {
        const string jobName = "sagemaker_job_name";
        var pairs = actual!.AsObject().Select(kv => (kv.Key, kv.Value!.GetValue<string>())).ToList();
        Assert.Equal(expected.Where(p => p.Key != jobName).ToList(), pairs.Where(p => p.Key != jobName).ToList());
        Assert.Equal(expected.Single(p => p.Key == jobName), pairs.Single(p => p.Key == jobName));
    }

    // HuggingFace(entry_point="train.py", transformers_version="4.36.0", pytorch_version="2.1.0", py_version="py310",
    //   instance_type="ml.g5.2xlarge", instance_count=1, role=Role, output_path=Output, checkpoint_s3_uri=Checkpoints,
    //   hyperparameters={"epochs": 3, "learning_rate": 5e-05, "model_name_or_path": "distilbert-base-uncased", "fp16": True},
    //   metric_definitions=[...]).fit({"train": ..., "test": ...}, job_name="sdk-default") in eu-west-1.
    [Fact]
    public void Default_estimator_sends_the_sdk_request_field_for_field()
    {
        var request = Train("default", Definition(), Resources());

        // estimator.py _json_encode_hyperparameters (lines 932-936): json.dumps of every value, the user's keys first,
        // then Framework._script_mode_hyperparam_update (sagemaker_submit_directory, sagemaker_program,
        // sagemaker_container_log_level, sagemaker_job_name, sagemaker_region).
        SameHyperparameters(
        [
            ("epochs", "3"), ("learning_rate", "5e-05"), ("model_name_or_path", "\"distilbert-base-uncased\""), ("fp16", "true"),
            ("sagemaker_submit_directory", "\"s3://hf-code-123456789012/jobs/bert/sourcedir.tar.gz\""), ("sagemaker_program", "\"train.py\""),
            ("sagemaker_container_log_level", "20"), ("sagemaker_job_name", "\"sdk-default\""), ("sagemaker_region", "\"eu-west-1\""),
        ], request["HyperParameters"]);

        // session.py _get_train_request (lines 1561-1660): AlgorithmSpecification with EnableSageMakerMetricsTimeSeries
        // (Framework enables metrics, line 1605); ResourceConfig with the estimator defaults (volume_size 30,
        // max_run 86400); CheckpointConfig without LocalPath (line 1638); DebugHookConfig (line 1644) from
        // estimator.py line 1201 (DebuggerHookConfig(s3_output_path=output_path), debugger.py lines 705-715:
        // CollectionConfigurations of the empty de-duplicated set); ProfilerConfig (line 1653) from estimator.py
        // line 1249 (ProfilerConfig(s3_output_path=output_path), profiler_config.py lines 155-162).
        request.Remove("HyperParameters");
        Same($$"""
            {
              "TrainingJobName": "sdk-default",
              "AlgorithmSpecification": {
                "TrainingInputMode": "File",
                "TrainingImage": "{{Image}}",
                "MetricDefinitions": [
                  {"Name": "eval_loss", "Regex": "'eval_loss': ([0-9]+\\.[0-9]+)"},
                  {"Name": "eval_accuracy", "Regex": "'eval_accuracy': ([0-9]+\\.[0-9]+)"}
                ],
                "EnableSageMakerMetricsTimeSeries": true
              },
              "RoleArn": "{{Role}}",
              "OutputDataConfig": {"S3OutputPath": "{{Output}}"},
              "ResourceConfig": {"InstanceType": "ml.g5.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
              "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
              "InputDataConfig": [
                {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://hf-datasets-123456789012/imdb/train", "S3DataDistributionType": "FullyReplicated"} } },
                {"ChannelName": "test", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://hf-datasets-123456789012/imdb/test", "S3DataDistributionType": "FullyReplicated"} } }
              ],
              "CheckpointConfig": {"S3Uri": "{{Checkpoints}}"},
              "DebugHookConfig": {"S3OutputPath": "{{Output}}", "CollectionConfigurations": []},
              "ProfilerConfig": {"S3OutputPath": "{{Output}}", "DisableProfiler": false}
            }
            """, request);
    }

    // HuggingFace(..., instance_type="ml.g5.12xlarge", instance_count=2, encrypt_inter_container_traffic=False,
    //   volume_size=100, max_run=43200, use_spot_instances=True, max_wait=129600, checkpoint_s3_uri=Checkpoints,
    //   checkpoint_local_path="/opt/ml/checkpoints", max_retry_attempts=2, environment={"TOKENIZERS_PARALLELISM": "false",
    //   "HF_HUB_OFFLINE": "1"}, enable_network_isolation=True, tags=[{"Key": "team", "Value": "nlp"}],
    //   container_log_level=10, subnets=[...], security_group_ids=[...], output_kms_key=Key, volume_kms_key=None)
    //   .fit({"train": TrainingInput(..., distribution="ShardedByS3Key", compression="Gzip",
    //   content_type="application/jsonlines", input_mode="Pipe")}, job_name="sdk-everything")
    [Fact]
    public void Every_other_estimator_setting_sends_the_sdk_request_field_for_field()
    {
        var def = Definition("ml.g5.12xlarge", 2) with
        {
            EncryptInterContainerTraffic = false,
            VolumeSize = Size.Gibibytes(100),
            MaxRuntime = Duration.Hours(12),
            Spot = new SpotTrainingOptions { MaxWait = Duration.Hours(36) },
            CheckpointLocalPath = "/opt/ml/checkpoints",
            MaxRetryAttempts = 2,
            Environment = new Dictionary<string, string> { ["TOKENIZERS_PARALLELISM"] = "false", ["HF_HUB_OFFLINE"] = "1" },
            EnableNetworkIsolation = true,
            Tags = new Dictionary<string, string> { ["team"] = "nlp" },
            ContainerLogLevel = 10,
            Channels =
            [
                new TrainingChannel("train", "s3://hf-datasets-123456789012/imdb/train")
                {
                    S3DataDistributionType = S3DataDistribution.ShardedByS3Key, CompressionType = CompressionType.Gzip,
                    ContentType = "application/jsonlines", InputMode = TrainingInputMode.Pipe,
                },
            ],
        };
        var request = Train("everything", def, Resources(kms: Key, vpc: true));

        // Framework._prepare_for_training (estimator.py lines 1020-1035): with network isolation the code is read from
        // the code channel, sagemaker_submit_directory = CONTAINER_CODE_CHANNEL_SOURCEDIR_PATH (line 140).
        SameHyperparameters(
        [
            ("epochs", "3"), ("learning_rate", "5e-05"), ("model_name_or_path", "\"distilbert-base-uncased\""), ("fp16", "true"),
            ("sagemaker_submit_directory", "\"/opt/ml/input/data/code/sourcedir.tar.gz\""), ("sagemaker_program", "\"train.py\""),
            ("sagemaker_container_log_level", "10"), ("sagemaker_job_name", "\"sdk-everything\""), ("sagemaker_region", "\"eu-west-1\""),
        ], request["HyperParameters"]);
        request.Remove("HyperParameters");
        // session.py _get_train_request: Environment (1612), Tags (1615), VpcConfig (1618), EnableNetworkIsolation (1624),
        // EnableManagedSpotTraining (1632), CheckpointConfig with LocalPath (1638), RetryStrategy (1662); job.py lines
        // 371-374 (MaxWait), 107-116 (the code channel after the user's, inputs.py TrainingInput defaults); inputs.py
        // TrainingInput for the channel options. DebugHookConfig stays despite checkpoint_local_path: estimator.py line
        // 3737 drops it only for _framework_name in {"mxnet", "pytorch", "tensorflow"}, and HuggingFace's is
        // "huggingface" (huggingface/estimator.py line 33).
        Same($$"""
            {
              "TrainingJobName": "sdk-everything",
              "AlgorithmSpecification": {
                "TrainingInputMode": "File",
                "TrainingImage": "{{Image}}",
                "MetricDefinitions": [
                  {"Name": "eval_loss", "Regex": "'eval_loss': ([0-9]+\\.[0-9]+)"},
                  {"Name": "eval_accuracy", "Regex": "'eval_accuracy': ([0-9]+\\.[0-9]+)"}
                ],
                "EnableSageMakerMetricsTimeSeries": true
              },
              "RoleArn": "{{Role}}",
              "OutputDataConfig": {"S3OutputPath": "{{Output}}", "KmsKeyId": "{{Key}}"},
              "ResourceConfig": {"InstanceType": "ml.g5.12xlarge", "InstanceCount": 2, "VolumeSizeInGB": 100},
              "StoppingCondition": {"MaxRuntimeInSeconds": 43200, "MaxWaitTimeInSeconds": 129600},
              "InputDataConfig": [
                {"ChannelName": "train",
                 "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://hf-datasets-123456789012/imdb/train", "S3DataDistributionType": "ShardedByS3Key"} },
                 "CompressionType": "Gzip", "ContentType": "application/jsonlines", "InputMode": "Pipe"},
                {"ChannelName": "code",
                 "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "{{SourceDir}}", "S3DataDistributionType": "FullyReplicated"} } }
              ],
              "Environment": {"TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"},
              "Tags": [{"Key": "team", "Value": "nlp"}],
              "VpcConfig": {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]},
              "EnableNetworkIsolation": true,
              "EnableManagedSpotTraining": true,
              "CheckpointConfig": {"S3Uri": "{{Checkpoints}}", "LocalPath": "/opt/ml/checkpoints"},
              "RetryStrategy": {"MaximumRetryAttempts": 2},
              "DebugHookConfig": {"S3OutputPath": "{{Output}}", "CollectionConfigurations": []},
              "ProfilerConfig": {"S3OutputPath": "{{Output}}", "DisableProfiler": false}
            }
            """, request);
    }

    // HuggingFace(..., enable_sagemaker_metrics=False): the SDK's own test_huggingface (tests/unit/sagemaker/huggingface/
    // test_estimator.py lines 219-256 at v2.257.6) expects train_args["enable_sagemaker_metrics"] = False (line 253),
    // which session.py _get_train_request sends as AlgorithmSpecification.EnableSageMakerMetricsTimeSeries (lines
    // 1603-1606). The tuner does not forward the setting (tuner.py _prepare_training_config, lines 2340-2412), so a
    // tuning job's definition carries none either way.
    [Fact]
    public void Sagemaker_metrics_switched_off_sends_false_and_the_tuning_definition_still_carries_none()
    {
        var def = Definition() with { EnableSageMakerMetrics = false };
        var request = Train("metrics-off", def, Resources());
        Same($$"""
            {
              "TrainingInputMode": "File",
              "TrainingImage": "{{Image}}",
              "MetricDefinitions": [
                {"Name": "eval_loss", "Regex": "'eval_loss': ([0-9]+\\.[0-9]+)"},
                {"Name": "eval_accuracy", "Regex": "'eval_accuracy': ([0-9]+\\.[0-9]+)"}
              ],
              "EnableSageMakerMetricsTimeSeries": false
            }
            """, request["AlgorithmSpecification"]);
        var tuning = TrainingRequestBuilder.CreateHyperParameterTuningJob(def, new TuningDefinition
        {
            Objective = new TuningObjective("eval_loss", TuningObjectiveType.Minimize),
            Ranges = [new ContinuousRange("learning_rate", 1e-5, 1e-4)],
        }, Resources(), null);
        Assert.False(tuning["TrainingJobDefinition"]!["AlgorithmSpecification"]!.AsObject().ContainsKey("EnableSageMakerMetricsTimeSeries"));
    }

    public static TheoryData<string, DistributionConfig, string, int, string[]> Distributions => new()
    {
        // huggingface/estimator.py _huggingface_distribution_configuration (lines 301-321): pytorchddp first (line 305),
        // then torch_distributed, each with sagemaker_instance_type; json.dumps(True) is "true".
        { "pytorchddp", new DistributionConfig.PytorchDdp(), "ml.p4d.24xlarge", 2,
            ["sagemaker_pytorch_ddp_enabled=true", "sagemaker_instance_type=\"ml.p4d.24xlarge\""] },
        { "torchrun", new DistributionConfig.Torchrun(), "ml.g5.12xlarge", 2,
            ["sagemaker_torch_distributed_enabled=true", "sagemaker_instance_type=\"ml.g5.12xlarge\""] },
        // estimator.py Framework._distribution_configuration: mpi (lines 4123-4135), smdistributed (4137-4180).
        { "mpi", new DistributionConfig.Mpi(4, "-x NCCL_DEBUG=INFO"), "ml.g5.12xlarge", 1,
            ["sagemaker_mpi_enabled=true", "sagemaker_mpi_num_of_processes_per_host=4", "sagemaker_mpi_custom_mpi_options=\"-x NCCL_DEBUG=INFO\""] },
        { "smddp", new DistributionConfig.SmdDataParallel(), "ml.p4d.24xlarge", 2,
            ["sagemaker_distributed_dataparallel_enabled=true", "sagemaker_instance_type=\"ml.p4d.24xlarge\"", "sagemaker_distributed_dataparallel_custom_mpi_options=\"\""] },
        { "modelparallel", new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["microbatches"] = 4 }, 8), "ml.p4d.24xlarge", 1,
            ["sagemaker_mpi_enabled=true", "sagemaker_mpi_num_of_processes_per_host=8", "sagemaker_mpi_custom_mpi_options=\"\"",
             "mp_parameters={\"partitions\": 2, \"microbatches\": 4}", "sagemaker_distributed_dataparallel_enabled=false", "sagemaker_instance_type=\"ml.p4d.24xlarge\""] },
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Every_distribution_mode_adds_exactly_the_sdk_keys_after_the_script_mode_keys(
        string name, DistributionConfig distribution, string instanceType, int count, string[] expected)
    {
        var request = Train("distribution-" + name, Definition(instanceType, count, distribution: distribution), Resources(checkpoint: null));
        var keys = request["HyperParameters"]!.AsObject().Select(kv => $"{kv.Key}={kv.Value!.GetValue<string>()}")
            .Where(k => !k.StartsWith("sagemaker_job_name=", StringComparison.Ordinal)).ToList();
        // The distribution keys follow the user and script-mode keys (four user keys, then sagemaker_submit_directory,
        // _program, _container_log_level, _region; HuggingFace.hyperparameters, lines 325-330: update(...)), in the
        // SDK's order.
        Assert.Equal(expected, keys.Skip(8));
        Assert.True(request.ContainsKey("EnableInterContainerTrafficEncryption")); // a listed divergence: on for distributed jobs
    }

    [Fact]
    public void Distribution_rules_are_the_sdks_exact_lists()
    {
        // fw_utils.py TORCH_DISTRIBUTED_GPU_SUPPORTED_FRAMEWORK_VERSIONS (lines 148-162): exact strings, so 2.1 and 2.2.1 fail.
        foreach (var pytorch in new[] { "2.1", "2.2.1", "1.13.0", "2.9.0" })
        {
            var ex = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(
                Definition("ml.g5.12xlarge", 1, pytorch, new DistributionConfig.Torchrun()), Resources(), "a"));
            Assert.Contains($"torchrun is not supported by the SDK for PytorchVersion '{pytorch}'", ex.Message);
        }

        // fw_utils.py SM_DATAPARALLEL_SUPPORTED_FRAMEWORK_VERSIONS["pytorch"] (lines 119-144) ends at 2.2.0.
        var smddp = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(
            Definition("ml.p4d.24xlarge", 1, "2.3.0", new DistributionConfig.SmdDataParallel()), Resources(), "a"));
        Assert.Contains("SMDDP (smdistributed dataparallel) is not supported by the SDK for PytorchVersion '2.3.0'", smddp.Message);

        // estimator.py lines 4168-4173: smdistributed refused on p5.48xlarge.
        var p5 = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(
            Definition("ml.p5.48xlarge", 1, "2.1.0", new DistributionConfig.SmdDataParallel()), Resources(), "a"));
        Assert.Contains("SMModelParallel and SMDataParallel currently do not support p5 instances", p5.Message);

        // fw_utils.py line 1080: torchrun runs *.py entry points only.
        var sh = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(
            Definition("ml.g5.12xlarge", 1, "2.1.0", new DistributionConfig.Torchrun()) with { EntryPoint = "run.sh" }, Resources(), "a"));
        Assert.Contains("EntryPoint: 'run.sh' is not a Python file", sh.Message);

        // estimator.py lines 3479 and 4159-4166: smdistributed refused on an image_uri containing "2.0.1-gpu-py310-cu121"
        // (reachable here through an image URI override only); the same image with torchrun builds.
        const string cu121 = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.0.1-gpu-py310-cu121-ubuntu20.04-sagemaker";
        var res = Resources();
        var overridden = new TrainingJobResources
        {
            RoleArn = res.RoleArn, ImageUri = cu121, SubmitDirectoryS3Uri = res.SubmitDirectoryS3Uri, OutputS3Uri = res.OutputS3Uri, Region = res.Region,
        };
        foreach (DistributionConfig smd in new DistributionConfig[] { new DistributionConfig.SmdDataParallel(), new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["microbatches"] = 4 }, 8) })
        {
            var image = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(
                Definition("ml.p4d.24xlarge", 1, "2.0.1", smd), overridden, "a"));
            Assert.Contains($"do not run on image '{cu121}' (the SDK's UNSUPPORTED_DLC_IMAGE_FOR_SM_PARALLELISM: 2.0.1-gpu-py310-cu121)", image.Message);
        }

        TrainingRequestBuilder.CreateTrainingJob(Definition("ml.p4d.24xlarge", 1, "2.0.1", new DistributionConfig.Torchrun()), overridden, "a");

        // No SDK rule for pytorchddp on the HuggingFace estimator: any PyTorch version and GPU type builds.
        TrainingRequestBuilder.CreateTrainingJob(Definition("ml.g5.12xlarge", 2, "2.5.1", new DistributionConfig.PytorchDdp()), Resources(), "a");
    }

    // HyperparameterTuner(estimator, "eval_accuracy", {"learning_rate": ContinuousParameter(1e-05, 0.001, "Logarithmic"),
    //   "optimizer": CategoricalParameter(["adamw_torch", "adafactor"]), "warmup_ratio": CategoricalParameter([0.0, 0.1]),
    //   "gradient_checkpointing": CategoricalParameter([True, False])}, metric_definitions, strategy="Hyperband",
    //   strategy_config=StrategyConfig(HyperbandStrategyConfig(max_resource=3, min_resource=1)), objective_type="Maximize",
    //   max_jobs=12, max_parallel_jobs=3, max_runtime_in_seconds=7200, random_seed=42,
    //   completion_criteria_config=TuningJobCompletionCriteriaConfig(max_number_of_training_jobs_not_improving=5,
    //   complete_on_convergence=True, target_objective_metric_value=0.95),
    //   warm_start_config=WarmStartConfig(WarmStartTypes.TRANSFER_LEARNING, parents={"hf-prev-1"}))
    //   .fit(..., job_name="sdk-hyperband"), estimator with environment={"HF_HUB_OFFLINE": "1"}, volume_kms_key=Key
    //   (instance type ml.p3.16xlarge, which takes a volume key) and output_kms_key=Key.
    [Fact]
    public void Tuner_with_every_setting_sends_the_sdk_request_field_for_field()
    {
        var def = Definition("ml.p3.16xlarge") with { Environment = new Dictionary<string, string> { ["HF_HUB_OFFLINE"] = "1" } };
        var request = Tune("hyperband", def, new TuningDefinition
        {
            Strategy = TuningStrategy.Hyperband,
            Objective = new TuningObjective("eval_accuracy", TuningObjectiveType.Maximize),
            Ranges =
            [
                new ContinuousRange("learning_rate", 1e-05, 0.001, ScalingType.Logarithmic),
                new CategoricalRange("optimizer", "adamw_torch", "adafactor"),
                new CategoricalRange("warmup_ratio", 0.0, 0.1),
                new CategoricalRange("gradient_checkpointing", true, false),
            ],
            MaxJobs = 12,
            MaxParallelJobs = 3,
            Hyperband = new HyperbandStrategyConfig(MinResource: 1, MaxResource: 3),
            MaxRuntime = Duration.Hours(2),
            RandomSeed = 42,
            CompletionCriteria = new TuningCompletionCriteria(0.95, 5, true),
            WarmStart = new TuningWarmStart(WarmStartType.TransferLearning, ["hf-prev-1"]),
        }, Resources(kms: Key));

        // tuner.py _prepare_tuning_config (lines 2236-2266) -> session.py _map_tuning_config (lines 3840-3875):
        // MaxRuntimeInSeconds in ResourceLimits (3851), RandomSeed (3854), StrategyConfig (3871, tuner.py lines
        // 315-318 and 385-387), TuningJobCompletionCriteria (3874, tuner.py lines 558-575). Ranges: parameter.py
        // as_tuning_range (str() of the bounds) and, for categorical values, str() then json.dumps (lines 116, 148).
        Same("""
            {
              "Strategy": "Hyperband",
              "ResourceLimits": {"MaxNumberOfTrainingJobs": 12, "MaxParallelTrainingJobs": 3, "MaxRuntimeInSeconds": 7200},
              "TrainingJobEarlyStoppingType": "Off",
              "RandomSeed": 42,
              "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "eval_accuracy"},
              "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "learning_rate", "MinValue": "1e-05", "MaxValue": "0.001", "ScalingType": "Logarithmic"}],
                "IntegerParameterRanges": [],
                "CategoricalParameterRanges": [
                  {"Name": "optimizer", "Values": ["\"adamw_torch\"", "\"adafactor\""]},
                  {"Name": "warmup_ratio", "Values": ["\"0.0\"", "\"0.1\""]},
                  {"Name": "gradient_checkpointing", "Values": ["\"True\"", "\"False\""]}
                ]
              },
              "StrategyConfig": {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 3}},
              "TuningJobCompletionCriteria": {
                "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 5},
                "TargetObjectiveMetricValue": 0.95,
                "ConvergenceDetected": {"CompleteOnConvergence": "Enabled"}
              }
            }
            """, request["HyperParameterTuningJobConfig"]);

        // tuner.py WarmStartConfig.to_input_req (lines 209-214); session.py _get_tuning_request line 3767.
        Same("""{"WarmStartType": "TransferLearning", "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "hf-prev-1"}]}""",
            request["WarmStartConfig"]);

        // session.py _map_training_config (lines 3993-4064): HyperParameterTuningResourceConfig (3995) from tuner.py
        // _prepare_hp_resource_config (lines 2322-2327: VolumeKmsKeyId first), no EnableSageMakerMetricsTimeSeries,
        // no DebugHookConfig/ProfilerConfig, the estimator's Environment (tuner.py line 2410, session.py line 4063).
        // Static hyperparameters: tuner.py _prepare_static_hyperparameters (lines 913-935), tuned keys removed, then
        // the class name and module (json.dumps, lines 928-933).
        var definition = request["TrainingJobDefinition"]!.AsObject();
        SameHyperparameters(
        [
            ("epochs", "3"), ("model_name_or_path", "\"distilbert-base-uncased\""), ("fp16", "true"),
            ("sagemaker_submit_directory", "\"s3://hf-code-123456789012/jobs/bert/sourcedir.tar.gz\""), ("sagemaker_program", "\"train.py\""),
            ("sagemaker_container_log_level", "20"), ("sagemaker_job_name", "\"sdk-hyperband\""), ("sagemaker_region", "\"eu-west-1\""),
            ("sagemaker_estimator_class_name", "\"HuggingFace\""), ("sagemaker_estimator_module", "\"sagemaker.huggingface.estimator\""),
        ], definition["StaticHyperParameters"]);
        definition.Remove("StaticHyperParameters");
        Same($$"""
            {
              "RoleArn": "{{Role}}",
              "OutputDataConfig": {"S3OutputPath": "{{Output}}", "KmsKeyId": "{{Key}}"},
              "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
              "HyperParameterTuningResourceConfig": {"VolumeKmsKeyId": "{{Key}}", "InstanceCount": 1, "InstanceType": "ml.p3.16xlarge", "VolumeSizeInGB": 30},
              "AlgorithmSpecification": {
                "TrainingInputMode": "File",
                "MetricDefinitions": [
                  {"Name": "eval_loss", "Regex": "'eval_loss': ([0-9]+\\.[0-9]+)"},
                  {"Name": "eval_accuracy", "Regex": "'eval_accuracy': ([0-9]+\\.[0-9]+)"}
                ],
                "TrainingImage": "{{Image}}"
              },
              "InputDataConfig": [
                {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://hf-datasets-123456789012/imdb/train", "S3DataDistributionType": "FullyReplicated"} } },
                {"ChannelName": "test", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://hf-datasets-123456789012/imdb/test", "S3DataDistributionType": "FullyReplicated"} } }
              ],
              "CheckpointConfig": {"S3Uri": "{{Checkpoints}}"},
              "Environment": {"HF_HUB_OFFLINE": "1"}
            }
            """, definition);
    }

    [Fact]
    public void Categorical_values_follow_the_shared_sdk_table()
    {
        // The same table PrepareRequest is tested against (tests/node/state-machine/search-continuation.test.mjs).
        var path = Path.Combine(Orchestration.PipelineFixture.RepositoryRoot, "tests", "fixtures", "sdk-categorical-encoding.json");
        using var table = JsonDocument.Parse(File.ReadAllText(path));
        var cases = table.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.True(cases.Count >= 15);
        foreach (var c in cases)
        {
            var value = c.GetProperty("value");
            object? typed = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when value.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0 => value.GetInt64(),
                JsonValueKind.Number => value.GetDouble(),
                _ => throw new InvalidOperationException(value.GetRawText()),
            };
            Assert.Equal(c.GetProperty("sdk").GetString(), HyperparameterEncoding.EncodeCategorical(typed));
        }
    }

    [Theory]
    // Python: json.dumps(str(v)). Values a JSON execution input cannot carry unchanged (C# doubles, None, containers).
    [InlineData(0.0, "\"0.0\"")]
    [InlineData(1.0, "\"1.0\"")]
    [InlineData(100.0, "\"100.0\"")]
    [InlineData(double.NaN, "\"nan\"")]
    [InlineData(double.PositiveInfinity, "\"inf\"")]
    [InlineData(null, "\"None\"")]
    public void Categorical_values_the_run_time_cannot_express_still_match_python_str(object? value, string expected)
    {
        Assert.Equal(expected, HyperparameterEncoding.EncodeCategorical(value));
    }

    [Fact]
    public void Categorical_lists_and_dictionaries_use_python_repr()
    {
        // str([1, 'a', True, None, 0.5]) == "[1, 'a', True, None, 0.5]"; str({'k': "it's"}) == "{'k': \"it's\"}".
        Assert.Equal("\"[1, 'a', True, None, 0.5]\"", HyperparameterEncoding.EncodeCategorical(new object?[] { 1, "a", true, null, 0.5 }));
        var dict = new System.Collections.Specialized.OrderedDictionary { ["k"] = "it's" };
        Assert.Equal("\"{'k': \\\"it's\\\"}\"", HyperparameterEncoding.EncodeCategorical(dict));
    }

    [Fact]
    public void Debugger_hook_and_profiler_are_expressible_on_off_and_default_as_the_sdk()
    {
        var off = Train("debugger-off", Definition() with { DebuggerHook = false, Profiler = false }, Resources());
        Assert.False(off.ContainsKey("DebugHookConfig")); // debugger_hook_config=False
        Same("""{"DisableProfiler": true}""", off["ProfilerConfig"]); // disable_profiler=True: estimator.py line 1266

        // estimator.py lines 3736-3737: checkpoint_s3_uri plus checkpoint_local_path drop the hook only when
        // self._framework_name in {"mxnet", "pytorch", "tensorflow"}; HuggingFace's is "huggingface"
        // (huggingface/estimator.py line 33), so the hook stays, with or without a distribution, default or explicit.
        var local = Train("debugger-checkpoint-local", Definition() with { CheckpointLocalPath = "/opt/ml/checkpoints" }, Resources());
        Same($$"""{"S3OutputPath": "{{Output}}", "CollectionConfigurations": []}""", local["DebugHookConfig"]);
        Same($$"""{"S3OutputPath": "{{Output}}", "DisableProfiler": false}""", local["ProfilerConfig"]);
        var distributed = TrainingRequestBuilder.CreateTrainingJob(
            Definition("ml.g5.12xlarge", 2) with { CheckpointLocalPath = "/opt/ml/checkpoints", Distribution = new DistributionConfig.Torchrun(), DebuggerHook = true },
            Resources(), "a");
        Same($$"""{"S3OutputPath": "{{Output}}", "CollectionConfigurations": []}""", distributed["DebugHookConfig"]);

        // fw_utils.py DEBUGGER_UNSUPPORTED_REGIONS / PROFILER_UNSUPPORTED_REGIONS (lines 61-82): no hook, profiler
        // disabled (estimator.py line 832).
        var res = Resources();
        var unsupported = TrainingRequestBuilder.CreateTrainingJob(Definition(), new TrainingJobResources
        {
            RoleArn = res.RoleArn, ImageUri = res.ImageUri, SubmitDirectoryS3Uri = res.SubmitDirectoryS3Uri, OutputS3Uri = res.OutputS3Uri, Region = "eu-central-2",
        }, "a");
        Assert.False(unsupported.ContainsKey("DebugHookConfig"));
        Same("""{"DisableProfiler": true}""", unsupported["ProfilerConfig"]);

        var ex = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(Definition() with { DebuggerHook = true, Profiler = true }, new TrainingJobResources
        {
            RoleArn = res.RoleArn, ImageUri = res.ImageUri, SubmitDirectoryS3Uri = res.SubmitDirectoryS3Uri, OutputS3Uri = res.OutputS3Uri, Region = "me-central-1",
        }, "a"));
        Assert.Contains("DebuggerHook: true, but SageMaker Debugger is not available in me-central-1", ex.Message);
        Assert.Contains("Profiler: true, but the SageMaker Debugger profiler is not available in me-central-1", ex.Message);
    }

    [Fact]
    public void A_separate_volume_key_goes_to_the_volume_and_instance_store_types_still_take_none()
    {
        const string volumeKey = "arn:aws:kms:eu-west-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab";
        var res = Resources(kms: Key);
        var withVolume = new TrainingJobResources
        {
            RoleArn = res.RoleArn, ImageUri = res.ImageUri, SubmitDirectoryS3Uri = res.SubmitDirectoryS3Uri, OutputS3Uri = res.OutputS3Uri,
            Region = res.Region, KmsKeyArn = Key, VolumeKmsKeyArn = volumeKey,
        };
        // session.py _get_train_request: output_kms_key -> OutputDataConfig.KmsKeyId, volume_kms_key -> ResourceConfig.VolumeKmsKeyId.
        var p3 = Train("volume-key", Definition("ml.p3.2xlarge"), withVolume);
        Assert.Equal(Key, p3["OutputDataConfig"]!["KmsKeyId"]!.GetValue<string>());
        Assert.Equal(volumeKey, p3["ResourceConfig"]!["VolumeKmsKeyId"]!.GetValue<string>());
        var g5 = TrainingRequestBuilder.CreateTrainingJob(Definition("ml.g5.2xlarge"), withVolume, "a");
        Assert.False(g5["ResourceConfig"]!.AsObject().ContainsKey("VolumeKmsKeyId"));
        // A run that moves to another type gets that type's key from PrepareRequest's policy
        // (tests/node/state-machine/instance-types.test.mjs).
    }

    [Fact]
    public void Tuner_settings_outside_the_api_limits_are_reported_together()
    {
        var def = Definition(hyperparameters: new Dictionary<string, object?> { ["num_train_epochs"] = 3, ["lr"] = 0.001 });
        var ex = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateHyperParameterTuningJob(def, new TuningDefinition
        {
            Strategy = TuningStrategy.Hyperband,
            Objective = new TuningObjective("eval_loss", TuningObjectiveType.Minimize),
            Ranges = [new ContinuousRange("lr", 0.0001, 0.01)],
            RandomSeed = -1,
            MaxRuntime = Duration.Seconds(60),
            CompletionCriteria = new TuningCompletionCriteria(MaxNumberOfTrainingJobsNotImproving: 2),
            WarmStart = new TuningWarmStart(WarmStartType.IdenticalDataAndAlgorithm, ["a", "b", "c", "d", "e", "f"]),
        }, Resources(), "hpo"));
        // API reference HyperbandStrategyConfig.MaxResource: inferred from epochs, numepochs, n-epochs, n_epochs,
        // num_epochs; num_train_epochs is not one of them.
        Assert.Contains("Hyperband.MaxResource: not set, and no static hyperparameter named epochs, numepochs, n-epochs, n_epochs, num_epochs", ex.Message);
        Assert.Contains("RandomSeed: -1 is not allowed", ex.Message);
        Assert.Contains("MaxRuntime: 60 seconds is not allowed; use whole seconds from 120 to 15768000", ex.Message);
        Assert.Contains("CompletionCriteria.MaxNumberOfTrainingJobsNotImproving: 2 is not allowed; SageMaker requires at least 3", ex.Message);
        Assert.Contains("WarmStart.Parents: 6 parent tuning jobs is not allowed; SageMaker takes 1-5", ex.Message);

        var bayes = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateHyperParameterTuningJob(Definition(), new TuningDefinition
        {
            Objective = new TuningObjective("eval_loss", TuningObjectiveType.Minimize),
            Ranges = [new ContinuousRange("learning_rate", 0.0001, 0.01)],
            Hyperband = new HyperbandStrategyConfig(MaxResource: 3),
        }, Resources(), "hpo"));
        Assert.Contains("Hyperband: set with the Bayesian strategy; StrategyConfig applies to Hyperband only", bayes.Message);

        // Tuning the epochs SageMaker would infer MaxResource from leaves nothing to infer it from.
        var tunedEpochs = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateHyperParameterTuningJob(Definition(), new TuningDefinition
        {
            Strategy = TuningStrategy.Hyperband,
            Objective = new TuningObjective("eval_loss", TuningObjectiveType.Minimize),
            Ranges = [new IntegerRange("epochs", 1, 5)],
        }, Resources(), "hpo"));
        Assert.Contains("Hyperband.MaxResource: not set", tunedEpochs.Message);
    }
}
