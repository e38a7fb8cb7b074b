using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;

namespace HfSageMaker.Constructs.Studio;

/// <summary>
/// Properties of <see cref="SageMakerSdkDefaults"/>: the settings every notebook job gets by default and, through
/// <c>StudioUserRole.AddNotebookJobsPolicy</c>, the only settings IAM lets a Studio user create jobs with.
/// </summary>
public sealed record SageMakerSdkDefaultsProps
{
    /// <summary>The role SageMaker assumes for the jobs, e.g. <c>SageMakerExecutionRole.Role</c> (the only role users may pass).</summary>
    public required IRole ExecutionRole { get; init; }

    /// <summary>The VPC the jobs run in.</summary>
    public required IVpc Vpc { get; init; }

    /// <summary>Subnets of <see cref="Vpc"/> for the jobs (<c>VpcConfig.Subnets</c>, 1 to 16). Default: the VPC's private subnets.</summary>
    public SubnetSelection? Subnets { get; init; }

    /// <summary>Security groups of the jobs (<c>VpcConfig.SecurityGroupIds</c>, 1 to 5), e.g. <c>IsolatedNetwork.TrainingSecurityGroup</c>.</summary>
    public required IReadOnlyList<ISecurityGroup> SecurityGroups { get; init; }

    /// <summary>The customer-managed key for the jobs' output (<c>OutputDataConfig.KmsKeyId</c>), EBS volumes
    /// (<c>ResourceConfig.VolumeKmsKeyId</c>) and the SDK's S3 uploads.</summary>
    public required IKey EncryptionKey { get; init; }

    /// <summary>The bucket of the SDK's session (<c>Session.DefaultS3Bucket</c>): source archives, job output and
    /// <c>@remote</c> payloads go under <see cref="KeyPrefix"/> in it, e.g. <c>TrainingBuckets.Artifacts</c>.</summary>
    public required IBucket Bucket { get; init; }

    /// <summary>Key prefix in <see cref="Bucket"/> (<c>Session.DefaultS3ObjectKeyPrefix</c>): letters, digits, <c>-</c>
    /// and <c>_</c>, 1 to 64 characters. Default: <c>notebook</c>.</summary>
    public string KeyPrefix { get; init; } = "notebook";

    /// <summary>The instance types jobs may use (at least one <c>ml.*</c> type).</summary>
    public required IReadOnlyList<string> AllowedInstanceTypes { get; init; }

    /// <summary>The instance type of <c>@remote</c> functions (<c>RemoteFunction.InstanceType</c>); must be in
    /// <see cref="AllowedInstanceTypes"/>. Default: the first allowed type.</summary>
    public string? DefaultInstanceType { get; init; }

    /// <summary>Largest <c>StoppingCondition.MaxRuntimeInSeconds</c> a job may ask for (whole seconds, at most 28 days).
    /// The SDK's config file has no key for it: the estimator and <c>@remote</c> send 86,400 seconds unless told otherwise.</summary>
    public required Duration MaxRuntime { get; init; }

    /// <summary>Largest warm-pool keep-alive (<c>ResourceConfig.KeepAlivePeriodInSeconds</c>, 0 to 3600 seconds). Default: zero (no warm pools).</summary>
    public Duration? MaxWarmPoolKeepAlive { get; init; }

    /// <summary>
    /// Whether <c>@remote</c> functions may run. SDK v2.257.x always sends <c>EnableNetworkIsolation: false</c> for them
    /// (<c>src/sagemaker/remote_function/job.py</c> line 676), because the function's runtime reads its payload from S3
    /// with the job role's credentials, which network isolation withholds. Such jobs are only as contained as the VPC:
    /// enable this only where the subnets have no route out (an isolated network). Default: false.
    /// </summary>
    public bool AllowRemoteFunctions { get; init; }

    /// <summary>Tags every notebook job carries (the environment's cost tags): keys 1 to 128 and values 0 to 256
    /// characters of letters, digits, spaces and <c>_.:/=+-@</c>, at most 49 tags. Default: none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
