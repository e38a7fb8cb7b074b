using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Registry;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Training;

namespace TeamTraining;

/// <summary>A team's own stack: its existing VPC, buckets, key and model registry, its own training script, one pipeline.</summary>
public class TeamTrainingStack : Stack
{
    public TeamTrainingStack(Construct scope, string id, IStackProps? props = null) : base(scope, id, props)
    {
        // What the team already has: a VPC whose private subnets reach the internet through a NAT gateway,
        // three buckets and the KMS key they are encrypted with.
        var vpc = Vpc.FromVpcAttributes(this, "Vpc", new VpcAttributes
        {
            VpcId = "vpc-0a1b2c3d4e5f60718",
            AvailabilityZones = ["eu-west-1a", "eu-west-1b"],
            PrivateSubnetIds = ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"],
        });
        var key = Key.FromKeyArn(this, "TeamKey",
            "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
        var buckets = TrainingBuckets.FromAttributes(this, "Buckets", new TrainingBucketsAttributes
        {
            Datasets = Bucket.FromBucketName(this, "Datasets", "team-ml-datasets"),
            Artifacts = Bucket.FromBucketName(this, "Artifacts", "team-ml-artifacts"),
            Checkpoints = Bucket.FromBucketName(this, "Checkpoints", "team-ml-checkpoints"),
            EncryptionKey = key,
        });

        var jobs = new SecurityGroup(this, "TrainingJobs", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "Training jobs of the team pipeline",
        });

        // The team's recipe: its own script, the image follows the versions, the guardrails follow the job.
        var job = new HuggingFaceTrainingJobDefinition
        {
            EntryPoint = "train.py",
            TransformersVersion = "4.36.0",
            PytorchVersion = "2.1.0",
            PythonVersion = "py310",
            InstanceType = "ml.g5.xlarge",
            MaxRuntime = Duration.Hours(4),
            Channels = [new TrainingChannel("train", $"s3://{buckets.Datasets.BucketName}/sentiment/train/")],
            Hyperparameters = new Dictionary<string, object?> { ["epochs"] = 1, ["model_name"] = "distilbert-base-uncased" },
        };

        // Every successful run registers its model, pending approval, into the team's existing model package group,
        // served by the Hugging Face inference image nearest to the training image.
        var registry = ModelPackageGroup.FromModelPackageGroupName(this, "Models", "team-sentiment");
        var pipeline = new HuggingFaceTrainingPipeline(this, "Pipeline", new HuggingFaceTrainingPipelineProps
        {
            Job = job,
            SourceCode = TrainingSourceCode.FromDirectory(this, "TrainingCode", "training",
                new TrainingSourceCodeOptions { EntryPoint = job.EntryPoint }),
            // No ExecutionRole: the pipeline creates the jobs' role, limited to these buckets, their key and this VPC.
            Buckets = buckets,
            EncryptionKey = key,
            Vpc = vpc,
            SecurityGroups = [jobs],
            JobNamePrefix = "team-sent",
            Registration = new ModelRegistration
            {
                ImageUri = HuggingFaceInferenceImage.ForScope(this, job.TransformersVersion, job.PytorchVersion, job.PythonVersion, "ml.m5.xlarge"),
                ContentTypes = ["application/json"],
                ResponseTypes = ["application/json"],
                RealtimeInstanceTypes = ["ml.m5.xlarge", "ml.c5.xlarge"],
            },
            ModelPackageGroup = registry,
        });

        // The team's CI role may start runs; its reviewers approve or reject what the runs registered.
        var ci = Role.FromRoleArn(this, "CiRole", "arn:aws:iam::111122223333:role/team-ci");
        pipeline.GrantStartExecution(ci);
        var reviewers = Role.FromRoleArn(this, "Reviewers", "arn:aws:iam::111122223333:role/team-model-reviewers");
        registry.GrantApprove(reviewers);

        _ = new CfnOutput(this, "StateMachineArn", new CfnOutputProps { Value = pipeline.StateMachine.StateMachineArn });
    }
}
