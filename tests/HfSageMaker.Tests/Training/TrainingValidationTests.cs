using Amazon.CDK;
using HfSageMaker.Constructs.Training;
using Xunit;
using static HfSageMaker.Tests.Training.TrainingFixtures;

namespace HfSageMaker.Tests.Training;

/// <summary>Every validation message: each case breaks one rule of a valid job and expects the line that names it.</summary>
public class TrainingValidationTests
{
    private static readonly Dictionary<string, (Action Build, string Expected)> Cases = new()
    {
        ["job name pattern"] = (() => Train(Definition(), name: "bad_name"), "jobName: 'bad_name' (8 characters) is not a valid training job name; SageMaker allows 1-63 characters"),
        ["job name length"] = (() => Train(Definition(), name: new string('a', 64)), "is not a valid training job name; SageMaker allows 1-63"),
        ["tuning name length"] = (() => Tune(Definition(), Tuning(), name: new string('a', 33)), "tuningJobName: '" + new string('a', 33) + "' (33 characters) is not a valid tuning job name; SageMaker allows 1-32"),
        ["entry point absolute"] = (() => Train(With(d => new() { EntryPoint = "/opt/train.py", TransformersVersion = d.TransformersVersion, PytorchVersion = d.PytorchVersion, PythonVersion = d.PythonVersion, InstanceType = d.InstanceType })), "EntryPoint: '/opt/train.py' must be a relative path inside the source directory"),
        ["entry point parent"] = (() => Train(With(d => new() { EntryPoint = "../train.py", TransformersVersion = d.TransformersVersion, PytorchVersion = d.PytorchVersion, PythonVersion = d.PythonVersion, InstanceType = d.InstanceType })), "EntryPoint: '../train.py' must be a relative path"),
        ["entry point empty"] = (() => Train(With(d => new() { EntryPoint = " ", TransformersVersion = d.TransformersVersion, PytorchVersion = d.PytorchVersion, PythonVersion = d.PythonVersion, InstanceType = d.InstanceType })), "EntryPoint: empty"),
        ["versions"] = (() => Train(With(d => new() { EntryPoint = "t.py", TransformersVersion = "latest", PytorchVersion = "two", PythonVersion = "py27", InstanceType = d.InstanceType })), "TransformersVersion: 'latest' is not a version"),
        ["pytorch version"] = (() => Train(With(d => new() { EntryPoint = "t.py", TransformersVersion = "4.36.0", PytorchVersion = "two", PythonVersion = "py310", InstanceType = d.InstanceType })), "PytorchVersion: 'two' is not a version"),
        ["python version"] = (() => Train(With(d => new() { EntryPoint = "t.py", TransformersVersion = "4.36.0", PytorchVersion = "2.1.0", PythonVersion = "py27", InstanceType = d.InstanceType })), "PythonVersion: 'py27' is not a Python 3 version tag"),
        ["cpu instance"] = (() => Train(Definition("ml.m5.xlarge")), "InstanceType: 'ml.m5.xlarge' (family 'm5') is not a GPU training instance type: Hugging Face PyTorch training DLCs are GPU-only"),
        ["graviton instance"] = (() => Train(Definition("ml.g5g.xlarge")), "InstanceType: 'ml.g5g.xlarge' (family 'g5g') is not a GPU training instance type"),
        ["instance count"] = (() => Train(Definition(instanceCount: 0)), "InstanceCount: 0 is not allowed; use at least 1."),
        ["volume too large"] = (() => Train(TrainingRequestBuilderTests.Variant(volume: Size.Gibibytes(16385))), "VolumeSize: 16385 GiB is not allowed; SageMaker takes a whole number of GB, 1-16384."),
        ["volume fractional"] = (() => Train(TrainingRequestBuilderTests.Variant(volume: Size.Mebibytes(1536))), "VolumeSize:"),
        ["runtime too long"] = (() => Train(TrainingRequestBuilderTests.Variant(maxRuntime: Duration.Days(29))), "MaxRuntime: 2505600 seconds is not allowed; SageMaker allows whole seconds, 1 second to 28 days (2419200 seconds)."),
        ["max wait shorter"] = (() => Train(TrainingRequestBuilderTests.Variant(maxRuntime: Duration.Hours(10), spot: new SpotTrainingOptions { MaxWait = Duration.Hours(5) })), "Spot.MaxWait: 18000 seconds is shorter than MaxRuntime (36000 seconds); SageMaker requires MaxWaitTimeInSeconds >= MaxRuntimeInSeconds."),
        ["max wait too long"] = (() => Train(TrainingRequestBuilderTests.Variant(spot: new SpotTrainingOptions { MaxWait = Duration.Days(30) })), "Spot.MaxWait: 2592000 seconds is not allowed"),
        ["spot without checkpoints"] = (() => Train(TrainingRequestBuilderTests.Variant(spot: new SpotTrainingOptions()), Resources(checkpoint: null)), "CheckpointS3Uri: not set, but Spot is"),
        ["spot with warm pool"] = (() => Train(TrainingRequestBuilderTests.Variant(spot: new SpotTrainingOptions(), keepAlive: Duration.Minutes(5))), "KeepAlivePeriod: warm pools cannot be used with managed spot training"),
        ["retries"] = (() => Train(TrainingRequestBuilderTests.Variant(retries: 31)), "MaxRetryAttempts: 31 is not allowed; SageMaker allows 1-30"),
        ["keep alive"] = (() => Train(TrainingRequestBuilderTests.Variant(keepAlive: Duration.Minutes(61))), "KeepAlivePeriod: 3660 seconds is not allowed; SageMaker allows whole seconds, 0-3600 seconds."),
        ["log level"] = (() => Train(TrainingRequestBuilderTests.Variant(logLevel: -1)), "ContainerLogLevel: -1 is not a Python logging level"),
        ["reserved hyperparameter"] = (() => Train(Definition(hyperparameters: new Dictionary<string, object?> { ["sagemaker_program"] = "x.py" })), "Hyperparameters[\"sagemaker_program\"]: reserved for SageMaker"),
        ["reserved mp_parameters"] = (() => Train(Definition(hyperparameters: new Dictionary<string, object?> { ["mp_parameters"] = "{}" })), "Hyperparameters[\"mp_parameters\"]: reserved for SageMaker"),
        ["empty key"] = (() => Train(Definition(hyperparameters: new Dictionary<string, object?> { [""] = 1 })), "Hyperparameters: an empty key is not allowed."),
        ["unencodable value"] = (() => Train(Definition(hyperparameters: new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch })), "Hyperparameters[\"when\"]: a value of type System.DateTime cannot be JSON-encoded"),
        ["value too long"] = (() => Train(Definition(hyperparameters: new Dictionary<string, object?> { ["lr"] = new string('x', 2729) })), "Hyperparameters[\"lr\"]: encoded value is 2731 characters; SageMaker allows at most 2500."),
        ["key too long"] = (() => Train(Definition(hyperparameters: new Dictionary<string, object?> { [new string('k', 257)] = 1 })), "key is 257 characters; SageMaker allows at most 256."),
        ["too many hyperparameters"] = (() => Train(Definition(hyperparameters: Enumerable.Range(0, 96).ToDictionary(i => $"k{i}", i => (object?)i))), "Hyperparameters: 101 hyperparameters including the reserved sagemaker_* keys is more than SageMaker's 100."),
        ["channel name"] = (() => Train(TrainingRequestBuilderTests.Variant(channels: [new TrainingChannel("train data", "s3://bucket-a/x")])), "Channels[0].Name: 'train data' is not a channel name"),
        ["channel duplicate"] = (() => Train(TrainingRequestBuilderTests.Variant(channels: [new TrainingChannel("train", "s3://bucket-a/x"), new TrainingChannel("train", "s3://bucket-a/y")])), "Channels[1].Name: 'train' is used by another channel; channel names must be unique."),
        ["code channel reserved"] = (() => Train(TrainingRequestBuilderTests.Variant(isolated: true, channels: [new TrainingChannel("code", "s3://bucket-a/x")])), "Channels[0].Name: 'code' is reserved when EnableNetworkIsolation is true"),
        ["too many channels"] = (() => Train(TrainingRequestBuilderTests.Variant(isolated: true, channels: Enumerable.Range(0, 20).Select(i => new TrainingChannel($"c{i}", "s3://bucket-a/x")).ToList())), "Channels: 20 channels plus the code channel is more than SageMaker's 20."),
        ["channel s3 uri"] = (() => Train(TrainingRequestBuilderTests.Variant(channels: [new TrainingChannel("train", "https://example.com/data")])), "Channels[0].S3Uri: 'https://example.com/data' is not an S3 URI; use s3://bucket/prefix"),
        ["gzip outside pipe"] = (() => Train(TrainingRequestBuilderTests.Variant(channels: [new TrainingChannel("train", "s3://bucket-a/x") { CompressionType = CompressionType.Gzip }])), "Channels[0].CompressionType: Gzip is only decompressed in Pipe mode"),
        ["torchrun version"] = (() => Train(Definition("ml.p4d.24xlarge", pytorch: "1.10.2", distribution: new DistributionConfig.Torchrun())), "Distribution: torchrun is not supported by the SDK for PytorchVersion '1.10.2' on GPU; use one of 1.13.1, 2.0.0"),
        ["smddp version"] = (() => Train(Definition("ml.p4d.24xlarge", pytorch: "2.3.0", distribution: new DistributionConfig.SmdDataParallel())), "Distribution: SMDDP (smdistributed dataparallel) is not supported by the SDK for PytorchVersion '2.3.0'; use one of 1.6, 1.6.0"),
        ["smddp instance"] = (() => Train(Definition("ml.g5.48xlarge", pytorch: "2.0.0", distribution: new DistributionConfig.SmdDataParallel())), "Distribution: SMDDP does not support InstanceType 'ml.g5.48xlarge'; use one of ml.p3.16xlarge"),
        ["mpi processes"] = (() => Train(Definition(distribution: new DistributionConfig.Mpi(0))), "Distribution.ProcessesPerHost: 0 is not allowed"),
        ["mp partitions required"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["microbatches"] = 4 }))), "Distribution.Parameters: 'partitions' is required"),
        ["mp positive"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 0 }))), "Distribution.Parameters[\"partitions\"]: 0 is not allowed; use a positive integer."),
        ["mp pipeline"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["pipeline"] = "fast" }))), "Distribution.Parameters[\"pipeline\"]: \"fast\" is not allowed; use one of simple, interleaved, _only_forward."),
        ["mp bool"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["ddp"] = "yes" }))), "Distribution.Parameters[\"ddp\"]: \"yes\" is not allowed; use true or false."),
        ["mp default partition"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["auto_partition"] = false, ["default_partition"] = 2 }))), "Distribution.Parameters[\"default_partition\"]: 2 is not allowed; it must be less than partitions (2)."),
        ["mp auto partition"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["auto_partition"] = false }))), "Distribution.Parameters: 'default_partition' is required when 'auto_partition' is false."),
        ["mp memory weight"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["memory_weight"] = 1.5 }))), "Distribution.Parameters[\"memory_weight\"]: 1.5 is not allowed; use a number between 0.0 and 1.0."),
        ["mp ddp port"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["ddp_port"] = 29500 }))), "Distribution.Parameters[\"ddp_port\"]: needs 'ddp' to be set as well."),
        ["mp horovod ddp"] = (() => Train(Definition(distribution: new DistributionConfig.ModelParallel(new Dictionary<string, object?> { ["partitions"] = 2, ["ddp"] = true, ["horovod"] = true }))), "Distribution.Parameters: 'ddp' and 'horovod' cannot both be enabled."),
        ["metric count"] = (() => Train(WithMetrics(Enumerable.Range(0, 41).Select(i => new MetricDefinition($"m{i}", "x: (\\d+)")).ToList())), "MetricDefinitions: 41 definitions is more than SageMaker's 40."),
        ["metric name"] = (() => Train(WithMetrics([new MetricDefinition("", "x")])), "MetricDefinitions[0].Name: '' is not allowed; SageMaker allows 1-255 characters."),
        ["metric duplicate"] = (() => Train(WithMetrics([new MetricDefinition("loss", "a"), new MetricDefinition("loss", "b")])), "MetricDefinitions[1].Name: 'loss' is defined twice"),
        ["metric regex"] = (() => Train(WithMetrics([new MetricDefinition("loss", new string('r', 501))])), "MetricDefinitions[0].Regex: 501 characters is not allowed; SageMaker allows 1-500."),
        ["environment key"] = (() => Train(TrainingRequestBuilderTests.Variant(environment: new Dictionary<string, string> { ["1BAD-KEY"] = "x" })), "Environment[\"1BAD-KEY\"]: not a valid variable name"),
        ["environment value"] = (() => Train(TrainingRequestBuilderTests.Variant(environment: new Dictionary<string, string> { ["K"] = new string('v', 513) })), "Environment[\"K\"]: value is 513 characters; SageMaker allows at most 512."),
        ["environment count"] = (() => Train(TrainingRequestBuilderTests.Variant(isolated: true, environment: Enumerable.Range(0, 48).ToDictionary(i => $"V{i}", i => "x"))), "Environment: 49 variables is more than SageMaker's 48."),
        ["hub offline contradiction"] = (() => Train(TrainingRequestBuilderTests.Variant(isolated: true, environment: new Dictionary<string, string> { ["HF_HUB_OFFLINE"] = "0" })), "Environment[\"HF_HUB_OFFLINE\"]: '0' contradicts EnableNetworkIsolation"),
        ["tag prefix"] = (() => Train(TrainingRequestBuilderTests.Variant(tags: new Dictionary<string, string> { ["aws:team"] = "x" })), "Tags[\"aws:team\"]: the 'aws:' prefix is reserved for AWS"),
        ["tag key chars"] = (() => Train(TrainingRequestBuilderTests.Variant(tags: new Dictionary<string, string> { ["team*"] = "x" })), "Tags[\"team*\"]: key is not allowed"),
        ["tag value"] = (() => Train(TrainingRequestBuilderTests.Variant(tags: new Dictionary<string, string> { ["team"] = new string('v', 257) })), "Tags[\"team\"]: value"),
        ["tag count"] = (() => Train(TrainingRequestBuilderTests.Variant(tags: Enumerable.Range(0, 51).ToDictionary(i => $"t{i}", i => "v"))), "Tags: 51 tags is more than SageMaker's 50."),
        ["role arn"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = "arn:aws:iam::123:user/x", ImageUri = Image, SubmitDirectoryS3Uri = SourceDir, OutputS3Uri = Output, Region = "eu-west-1" }), "RoleArn: 'arn:aws:iam::123:user/x' is not an IAM role ARN"),
        ["image uri"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = Role, ImageUri = new string('i', 256), SubmitDirectoryS3Uri = SourceDir, OutputS3Uri = Output, Region = "eu-west-1" }), "ImageUri: '" + new string('i', 256) + "' is not allowed; SageMaker takes 1-255 characters."),
        ["submit dir is a folder"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = Role, ImageUri = Image, SubmitDirectoryS3Uri = "s3://code-bucket/src/", OutputS3Uri = Output, Region = "eu-west-1" }), "SubmitDirectoryS3Uri: 's3://code-bucket/src/' names a folder"),
        ["output uri"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = Role, ImageUri = Image, SubmitDirectoryS3Uri = SourceDir, OutputS3Uri = "bucket/out", Region = "eu-west-1" }), "OutputS3Uri: 'bucket/out' is not an S3 URI"),
        ["checkpoint uri"] = (() => Train(Definition(), Resources(checkpoint: "s3:/x")), "CheckpointS3Uri: 's3:/x' is not an S3 URI"),
        ["vpc half"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = Role, ImageUri = Image, SubmitDirectoryS3Uri = SourceDir, OutputS3Uri = Output, Region = "eu-west-1", SubnetIds = ["subnet-1"] }), "SubnetIds/SecurityGroupIds: give both for a VPC job, or neither."),
        ["vpc counts"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = Role, ImageUri = Image, SubmitDirectoryS3Uri = SourceDir, OutputS3Uri = Output, Region = "eu-west-1", SubnetIds = [], SecurityGroupIds = ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"] }), "SecurityGroupIds: 6 security groups is not allowed; SageMaker takes 1-5."),
        ["vpc id"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = Role, ImageUri = Image, SubmitDirectoryS3Uri = SourceDir, OutputS3Uri = Output, Region = "eu-west-1", SubnetIds = ["subnet_1"], SecurityGroupIds = ["sg-1"] }), "SubnetIds: 'subnet_1' is not a VPC resource id"),
        ["region"] = (() => Train(Definition(), new TrainingJobResources { RoleArn = Role, ImageUri = Image, SubmitDirectoryS3Uri = SourceDir, OutputS3Uri = Output, Region = "Ireland" }), "Region: 'Ireland' is not a region name"),
        ["tuning objective metric"] = (() => Tune(Definition(), Tuning(objective: "f1")), "Objective.MetricName: 'f1' is not one of the MetricDefinitions (eval_loss, eval_accuracy)"),
        ["tuning ranges empty"] = (() => Tune(Definition(), Tuning(ranges: [])), "Ranges: 0 ranges is not allowed; a tuning job searches 1-30 hyperparameters."),
        ["tuning ranges too many"] = (() => Tune(Definition(), Tuning(ranges: Enumerable.Range(0, 31).Select(i => (ParameterRange)new IntegerRange($"p{i}", 1, 2)).ToList())), "Ranges: 31 ranges is not allowed"),
        ["tuning reserved range"] = (() => Tune(Definition(), Tuning(ranges: [new IntegerRange("sagemaker_mpi_num_of_processes_per_host", 1, 8)])), "Ranges[0].Name: 'sagemaker_mpi_num_of_processes_per_host' is a reserved hyperparameter and cannot be tuned."),
        ["tuning duplicate range"] = (() => Tune(Definition(), Tuning(ranges: [new IntegerRange("a", 1, 2), new CategoricalRange("a", 1)])), "Ranges[1].Name: 'a' is tuned twice"),
        ["grid only categorical"] = (() => Tune(Definition(), Tuning(TuningStrategy.Grid, ranges: [new IntegerRange("epochs", 1, 3)], maxJobs: null)), "Ranges[0]: 'epochs' is an integer range; the Grid strategy takes categorical ranges only."),
        ["grid max jobs"] = (() => Tune(Definition(), Tuning(TuningStrategy.Grid, ranges: [new CategoricalRange("epochs", 1, 3)], maxJobs: 10)), "MaxJobs: 10 must not be set with the Grid strategy; SageMaker runs every combination of the categorical values."),
        ["grid random seed"] = (() => Tune(Definition(), Tuning(TuningStrategy.Grid, ranges: [new CategoricalRange("epochs", 1, 3)], maxJobs: null) with { RandomSeed = 7 }), "RandomSeed: 7 is not allowed with the Grid strategy (SageMaker runs every combination of the categorical values: a seed would change nothing); remove it."),
        ["max jobs"] = (() => Tune(Definition(), Tuning(maxJobs: 0)), "MaxJobs: 0 is not allowed; use at least 1."),
        ["hyperband inferred below min resource"] = (() => Tune(Definition(hyperparameters: new Dictionary<string, object?> { ["epochs"] = 2 }), Tuning(TuningStrategy.Hyperband) with { Hyperband = new HyperbandStrategyConfig(MinResource: 3) }), "Hyperparameters[\"epochs\"]: 2 cannot serve as Hyperband's MaxResource; use an integer from 3 to 20000, or set Hyperband.MaxResource."),
        ["max parallel"] = (() => Tune(Definition(), Tuning(parallel: 0)), "MaxParallelJobs: 0 is not allowed; SageMaker requires at least 1."),
        ["hyperband early stopping"] = (() => Tune(Definition(), Tuning(TuningStrategy.Hyperband, early: EarlyStoppingType.Auto)), "EarlyStopping: Auto is not allowed with the Hyperband strategy (Hyperband stops under-performing jobs itself); SageMaker requires TrainingJobEarlyStoppingType Off."),
        ["log scale min"] = (() => Tune(Definition(), Tuning(ranges: [new ContinuousRange("lr", 0, 0.1, ScalingType.Logarithmic)])), "Ranges[0]: 'lr' uses Logarithmic scaling with Min 0.0; Logarithmic scaling needs Min > 0."),
        ["log scale integer min"] = (() => Tune(Definition(), Tuning(ranges: [new IntegerRange("n", 0, 9, ScalingType.Logarithmic)])), "Ranges[0]: 'n' uses Logarithmic scaling with Min 0; Logarithmic scaling needs Min > 0."),
        ["reverse log integer"] = (() => Tune(Definition(), Tuning(ranges: [new IntegerRange("n", 1, 9, ScalingType.ReverseLogarithmic)])), "Ranges[0]: 'n' is an integer range; ReverseLogarithmic scaling applies to continuous ranges only."),
        ["reverse log bounds"] = (() => Tune(Definition(), Tuning(ranges: [new ContinuousRange("beta", 0.5, 1.0, ScalingType.ReverseLogarithmic)])), "Ranges[0]: 'beta' uses ReverseLogarithmic scaling with Min 0.5 and Max 1.0; ReverseLogarithmic scaling needs Min >= 0 and Max < 1."),
        ["continuous bounds"] = (() => Tune(Definition(), Tuning(ranges: [new ContinuousRange("lr", 0.1, 0.01)])), "Ranges[0]: 'lr' has Min 0.1 and Max 0.01; use finite bounds with Min < Max."),
        ["continuous one point"] = (() => Tune(Definition(), Tuning(ranges: [new ContinuousRange("lr", 0.1, 0.1)])), "Ranges[0]: 'lr' has Min 0.1 and Max 0.1; use finite bounds with Min < Max."),
        ["integer bounds"] = (() => Tune(Definition(), Tuning(ranges: [new IntegerRange("n", 9, 1)])), "Ranges[0]: 'n' has Min 9 and Max 1; use Min <= Max."),
        ["categorical empty"] = (() => Tune(Definition(), Tuning(ranges: [new CategoricalRange("opt")])), "Ranges[0]: 'opt' has 0 values; SageMaker allows 1-30."),
        ["categorical duplicate"] = (() => Tune(Definition(), Tuning(ranges: [new CategoricalRange("opt", "a", "a")])), "Ranges[0].Values[1]: \"a\" appears twice in 'opt'; values must be distinct."),
        ["categorical long"] = (() => Tune(Definition(), Tuning(ranges: [new CategoricalRange("opt", new string('v', 255))])), "Ranges[0].Values[0]: encoded value is 257 characters; SageMaker allows at most 256."),
        ["tuning warm pool"] = (() => Tune(TrainingRequestBuilderTests.Variant(keepAlive: Duration.Minutes(5)), Tuning()), "KeepAlivePeriod: warm pools are not available to tuning jobs"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_broken_rule_is_reported_with_field_value_and_what_is_allowed(string name)
    {
        var (build, expected) = Cases[name];
        var error = Assert.Throws<ArgumentException>(build);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_problems_are_collected_into_one_exception()
    {
        var error = Assert.Throws<ArgumentException>(() => Train(Definition("ml.m5.xlarge", 0, hyperparameters: new Dictionary<string, object?> { ["sagemaker_region"] = "x" }), name: "a_b"));
        Assert.StartsWith("CreateTrainingJob: 4 problem(s):", error.Message, StringComparison.Ordinal);
        Assert.Contains("jobName: 'a_b'", error.Message, StringComparison.Ordinal);
        Assert.Contains("InstanceType: 'ml.m5.xlarge'", error.Message, StringComparison.Ordinal);
        Assert.Contains("InstanceCount: 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Hyperparameters[\"sagemaker_region\"]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_groups_the_problems_by_job_tuning_and_resource_and_names_resources_in_the_callers_terms()
    {
        // What the pipeline reports with Job. and Tuning. before the field: each job problem once, although the training
        // and the tuning request both check the job; a resource named by the caller's prop, or dropped (null).
        var def = Definition("ml.m5.xlarge", hyperparameters: new Dictionary<string, object?> { ["sagemaker_region"] = "x" });
        var res = Resources() with { OutputS3Uri = "bucket/out", ImageUri = new string('i', 256) };
        var problems = TrainingRequestBuilder.Validate(def, def, Tuning(objective: "f1"), res,
            field => field switch { "OutputS3Uri" => "Buckets.Artifacts", "ImageUri" => null, _ => field });

        Assert.Equal(2, problems.Job.Count);
        Assert.StartsWith("InstanceType: 'ml.m5.xlarge' (family 'm5') is not a GPU training instance type", problems.Job[0], StringComparison.Ordinal);
        Assert.StartsWith("Hyperparameters[\"sagemaker_region\"]: reserved for SageMaker", problems.Job[1], StringComparison.Ordinal);
        Assert.StartsWith("Objective.MetricName: 'f1' is not one of the MetricDefinitions", Assert.Single(problems.Tuning), StringComparison.Ordinal);
        Assert.Equal(["Buckets.Artifacts: 'bucket/out' is not an S3 URI; use s3://bucket/prefix (at most 1024 characters)."], problems.Request);
        Assert.Equal(4, problems.All.Count);
    }

    [Fact]
    public void Job_names_are_validated()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateTrainingJob(Definition(), Resources(), "-bad"));
        Assert.Contains("jobName: '-bad' (4 characters) is not a valid training job name", error.Message, StringComparison.Ordinal);
        var tooLong = Assert.Throws<ArgumentException>(() => TrainingRequestBuilder.CreateHyperParameterTuningJob(Definition(), Tuning(), Resources(), new string('t', 33)));
        Assert.Contains("is not a valid tuning job name; SageMaker allows 1-32", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_boundaries_are_accepted()
    {
        var request = Train(TrainingRequestBuilderTests.Variant(maxRuntime: Duration.Days(28), keepAlive: Duration.Seconds(3600), retries: 30, volume: Size.Gibibytes(16384)), name: new string('a', 63));
        Assert.Equal(2419200, request["StoppingCondition"]!["MaxRuntimeInSeconds"]!.GetValue<int>());
        var hundred = Train(Definition(hyperparameters: Enumerable.Range(0, 95).ToDictionary(i => $"k{i}", i => (object?)i)), name: "a");
        Assert.Equal(100, hundred["HyperParameters"]!.AsObject().Count);
    }

    private static System.Text.Json.Nodes.JsonObject Train(HuggingFaceTrainingJobDefinition def, TrainingJobResources? res = null, string? name = "job") =>
        TrainingRequestBuilder.CreateTrainingJob(def, res ?? Resources(), name);

    private static System.Text.Json.Nodes.JsonObject Tune(HuggingFaceTrainingJobDefinition def, TuningDefinition tuning, string? name = "hpo") =>
        TrainingRequestBuilder.CreateHyperParameterTuningJob(def, tuning, Resources(), name);

    private static TuningDefinition Tuning(
        TuningStrategy strategy = TuningStrategy.Bayesian, string objective = "eval_loss", IReadOnlyList<ParameterRange>? ranges = null,
        int? maxJobs = 10, int parallel = 2, EarlyStoppingType early = EarlyStoppingType.Off) => new()
    {
        Strategy = strategy,
        Objective = new TuningObjective(objective, TuningObjectiveType.Minimize),
        Ranges = ranges ?? [new ContinuousRange("learning_rate", 1e-5, 1e-3)],
        MaxJobs = maxJobs,
        MaxParallelJobs = parallel,
        EarlyStopping = early,
    };

    private static HuggingFaceTrainingJobDefinition With(Func<HuggingFaceTrainingJobDefinition, HuggingFaceTrainingJobDefinition> change) => change(Definition());

    private static HuggingFaceTrainingJobDefinition WithMetrics(IReadOnlyList<MetricDefinition> metrics)
    {
        var d = Definition();
        return new HuggingFaceTrainingJobDefinition
        {
            EntryPoint = d.EntryPoint, TransformersVersion = d.TransformersVersion, PytorchVersion = d.PytorchVersion,
            PythonVersion = d.PythonVersion, InstanceType = d.InstanceType, MetricDefinitions = metrics,
        };
    }
}
