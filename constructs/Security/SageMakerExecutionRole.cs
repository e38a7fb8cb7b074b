using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Security;

/// <summary>
/// The IAM role SageMaker assumes for training and tuning jobs (trusted by <c>sagemaker.amazonaws.com</c>), scoped to
/// exactly what they need: the platform buckets (through <see cref="Storage.ITrainingBuckets"/>' intent-named grants)
/// and their key, the training jobs' log group, metrics in SageMaker namespaces, pulling the DLC images, and, with a
/// VPC, the network-interface actions of <c>VpcConfig</c>. No AWS-managed policies, no <c>iam:PassRole</c> (whoever
/// starts jobs is granted that on this role). The trust policy lets <c>sagemaker.amazonaws.com</c> assume the role only
/// with <c>aws:SourceAccount</c> equal to the stack's account. Every wildcard left is unavoidable, commented and carries
/// a cdk-nag suppression with the reason.
/// </summary>
/// <remarks>
/// <para><b>Jobs only.</b> The platform passes this role to training and tuning jobs and to nothing else: it may
/// overwrite and delete artifacts and checkpoints (versioning keeps the previous versions for
/// <c>TrainingBucketsProps.NoncurrentVersionExpiration</c>), which a person should not. People in Studio use
/// <see cref="StudioUserRole"/> (read-only artifacts, dataset uploads, Studio's own space and app calls, starting the
/// pipeline). <see cref="SageMakerExecutionRoleProps.AllowDatasetUploads"/> remains for setups that use this role
/// elsewhere.</para>
/// <para><b>A construct that has a role, not a role.</b> Pass <see cref="Role"/> where an <see cref="IRole"/> is expected,
/// and the construct itself where an <see cref="IGrantable"/> is (aws-cdk's own constructs with a role do the same).
/// It does not implement <see cref="IRole"/>: newer aws-cdk versions inside the package's range add required members to
/// that interface, which a hand-written implementation compiled against 2.160.0 would lack.</para>
/// </remarks>
public sealed partial class SageMakerExecutionRole : Construct, IGrantable
{
    /// <summary>The DLC repository pulled by default.</summary>
    public const string DefaultImageRepository = "huggingface-pytorch-training";

    /// <summary>Log groups the role may write: training jobs (tuning jobs' training jobs log there too).</summary>
    public static readonly IReadOnlyList<string> LogGroupNames = ["/aws/sagemaker/TrainingJobs"];

    /// <summary>CloudWatch metric namespaces the role may publish to (<c>cloudwatch:namespace</c> condition).</summary>
    public static readonly IReadOnlyList<string> MetricNamespaces = ["/aws/sagemaker/*"];

    /// <summary>The role (the <c>AWS::IAM::Role</c> resource): pass it wherever an <see cref="IRole"/> is expected, e.g.
    /// <c>HuggingFaceTrainingPipelineProps.ExecutionRole</c> or <c>SageMakerSdkDefaultsProps.ExecutionRole</c>.</summary>
    public IRole Role { get; }

    /// <summary>The ECR repositories whose images the role may pull (<see cref="SageMakerExecutionRoleProps.ImageRepositories"/>).</summary>
    public IReadOnlyList<string> ImageRepositories { get; }

    /// <summary>The role, for grants.</summary>
    public IPrincipal GrantPrincipal => Role.GrantPrincipal;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IRole, SageMakerExecutionRole> ByRole = new();

    /// <summary>The <see cref="SageMakerExecutionRole"/> whose <see cref="Role"/> <paramref name="role"/> is; null for any
    /// other role (whose policy this library does not know).</summary>
    internal static SageMakerExecutionRole? Of(IRole role) => ByRole.TryGetValue(role, out var owner) ? owner : null;

    /// <summary>Imports an existing SageMaker execution role by ARN (a plain <see cref="IRole"/>, e.g. from another
    /// stack); the pipeline cannot check which images such a role may pull.</summary>
    /// <param name="scope">Parent construct.</param>
    /// <param name="id">Construct id (creates no resource).</param>
    /// <param name="roleArn">The role's ARN.</param>
    /// <returns>The imported role; <c>Mutable = false</c>, so grants to it change no policy of the other stack.</returns>
    public static IRole FromRoleArn(Construct scope, string id, string roleArn) =>
        Amazon.CDK.AWS.IAM.Role.FromRoleArn(scope, id, roleArn, new FromRoleArnOptions { Mutable = false });

    /// <summary>Creates the role and its policy.</summary>
    /// <exception cref="ArgumentException">A role name or repository name is invalid; the message lists every problem.</exception>
    public SageMakerExecutionRole(Construct scope, string id, SageMakerExecutionRoleProps props) : base(scope, id)
    {
        var repositories = props.ImageRepositories ?? [DefaultImageRepository];
        Validate(props, repositories);
        ImageRepositories = repositories;

        var stack = Stack.Of(this);
        var role = new Role(this, "Resource", new RoleProps
        {
            AssumedBy = SageMakerTrust.Principal(stack),
            Description = "SageMaker execution role of the Hugging Face training platform (training and tuning jobs)",
            PermissionsBoundary = props.PermissionsBoundary,
            RoleName = props.RoleName,
        });
        Role = role;
        ByRole.AddOrUpdate(role, this);
        var findings = new List<NagSuppression>();

        // Buckets: the L2 grants bring the KMS permissions on the buckets' key along.
        var buckets = props.Buckets;
        buckets.GrantReadDatasets(role);
        buckets.GrantReadWriteArtifacts(role);
        buckets.GrantReadWriteCheckpoints(role);
        if (props.AllowDatasetUploads)
        {
            buckets.GrantUploadDatasets(role);
        }
        var objectArns = new[] { buckets.Datasets, buckets.Artifacts, buckets.Checkpoints }
            .Select(b => NagFindings.Resource(this, b.ArnForObjects("*"))).ToList();
        findings.Add(new NagSuppression("AwsSolutions-IAM5",
            "Object-level S3 actions need the object ARN pattern <bucket>/*; each pattern is limited to one platform bucket, and the action groups (s3:GetObject*, s3:List*, s3:DeleteObject*, s3:Abort*, kms:GenerateDataKey*, kms:ReEncrypt*) are the aws-cdk-lib Bucket grant sets for read, read/write and put on those buckets and their key.",
            [.. objectArns, "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*",
             "Action::s3:Abort*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"]));

        // Volume and output encryption (VolumeKmsKeyId, OutputDataConfig.KmsKeyId) use the same key: grants for AWS
        // services only.
        foreach (var statement in AwsResourceGrants.AllowForAwsResources("UsePlatformKeyForAwsResources", buckets.EncryptionKey.KeyArn))
            role.AddToPrincipalPolicy(statement);

        // Logs: only the SageMaker log group of training jobs, in this account and region. CreateLogGroup is authorized
        // on the group's ARN without a suffix, arn:<partition>:logs:<region>:<account>:log-group:<name> (Service
        // Authorization Reference, CloudWatch Logs, resource type log-group:
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html); the
        // stream actions on log-group:<name>:log-stream:<stream>, which ':*' covers.
        var logGroupArns = LogGroupNames.Select(name =>
            $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:{name}").ToArray();
        var logArns = logGroupArns.Select(arn => arn + ":*").ToArray();
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "WriteSageMakerLogs",
            Actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resources = [.. logGroupArns, .. logArns],
        }));
        findings.Add(new NagSuppression("AwsSolutions-IAM5",
            "Log streams are created by SageMaker per job with generated names; ':*' covers the streams of exactly the SageMaker log group /aws/sagemaker/TrainingJobs in this account and region.",
            [.. logArns.Select(a => NagFindings.Resource(this, a))]));

        // Metrics: PutMetricData has no resource-level permissions (Service Authorization Reference: resource '*');
        // the namespace condition limits it to SageMaker namespaces.
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PublishSageMakerMetrics",
            Actions = ["cloudwatch:PutMetricData"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringLike"] = new Dictionary<string, object> { ["cloudwatch:namespace"] = MetricNamespaces.ToArray() },
            },
        }));

        // ECR: GetAuthorizationToken is account-wide (no resource-level permissions). The DLC repositories live in
        // AWS-owned registry accounts that differ by region (763104351884 in most, others in opt-in, China and GovCloud
        // regions), so the account is a wildcard; region and repository name are fixed.
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EcrAuthorization",
            Actions = ["ecr:GetAuthorizationToken"],
            Resources = ["*"],
        }));
        var repositoryArns = repositories.Select(r => $"arn:{stack.Partition}:ecr:{stack.Region}:*:repository/{r}").ToArray();
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PullTrainingImages",
            Actions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resources = repositoryArns,
        }));
        findings.Add(new NagSuppression("AwsSolutions-IAM5",
            "cloudwatch:PutMetricData and ecr:GetAuthorizationToken support no resource-level permissions (AWS Service Authorization Reference), so their resource is '*'; PutMetricData is limited by the cloudwatch:namespace condition to /aws/sagemaker/*. The DLC repositories are owned by AWS registry accounts that differ per region, so the repository ARN has a wildcard account but a fixed region and repository name.",
            ["Resource::*", .. repositoryArns.Select(a => NagFindings.Resource(this, a))]));

        // VpcConfig: SageMaker creates and deletes the jobs' network interfaces with this role.
        if (props.Vpc is { } vpc) findings.Add(SageMakerVpcPermissions.Grant(this, role, vpc));

        var policy = role.Node.TryFindChild("DefaultPolicy") as IConstruct
            ?? throw new InvalidOperationException("The execution role has no default policy.");
        NagSuppressions.Add(policy, [.. findings]);
        // A customer managed policy, not inline: grants added later (the pipeline's source code, a volume key) land in it too.
        CustomerManagedPolicies.ConvertDefaultPolicy(role);
    }

    private void Validate(SageMakerExecutionRoleProps props, IReadOnlyList<string> repositories)
    {
        var v = new PropsValidation(this, nameof(SageMakerExecutionRoleProps));
        v.Require(props.Buckets is not null, "Buckets", null, "pass the platform's TrainingBuckets.");
        v.RequireRoleName(props.RoleName);
        if (repositories.Count == 0)
            v.Add("ImageRepositories", repositories, $"give at least one repository, e.g. '{DefaultImageRepository}'.");
        foreach (var r in repositories.Where(r => !PropsValidation.IsToken(r)))
            v.Require(RepositoryPattern().IsMatch(r) && r.Length <= 256, "ImageRepositories", r,
                "give an ECR repository name (lowercase letters, digits, '.', '_', '-', '/'), e.g. 'huggingface-pytorch-training'.");
        v.ThrowIfAny();
    }


    [GeneratedRegex(@"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\z")]
    private static partial Regex RepositoryPattern();
}
