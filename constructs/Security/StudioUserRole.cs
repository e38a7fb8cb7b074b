using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.StepFunctions;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Operations;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Security;

/// <summary>
/// The execution role of the data scientists' Studio user profiles and shared spaces (trusted by
/// <c>sagemaker.amazonaws.com</c> for this account only, <c>aws:SourceAccount</c>), separate from the jobs'
/// <see cref="SageMakerExecutionRole"/>. It holds what a person working in Studio needs and no more: Studio's own
/// space and app lifecycle calls in this platform's domain (<see cref="AddStudioDomainPolicy"/>), read and upload datasets
/// (no delete), read model artifacts (no overwrite or delete; checkpoints not at all), the Studio
/// log group, and starting, watching and stopping executions of the training state machine
/// (<see cref="GrantExecutions"/>). By default no <c>iam:PassRole</c> and no <c>sagemaker:CreateTrainingJob</c> or
/// other job actions: jobs start only through the state machine, whose IAM and validation carry the cost guardrails
/// (instance types, counts, run time, spot). <see cref="AddNotebookJobsPolicy"/> opts in to jobs created from a notebook,
/// only with the settings of the domain's SDK defaults, enforced by SageMaker's IAM condition keys. No AWS-managed policies. Every wildcard left is unavoidable, commented and carries a
/// cdk-nag suppression with the reason.
/// </summary>
/// <remarks>
/// <para><b>Breaking the role/domain cycle.</b> The domain needs the role's ARN (<c>DefaultUserSettings.ExecutionRole</c>)
/// and the Studio statements need the domain id for their ARNs (<c>app/&lt;domain-id&gt;/*</c>,
/// <c>space/&lt;domain-id&gt;/*</c>, ...). The role and its default policy are created without the domain; the Studio
/// statements go into a separate policy (<see cref="AddStudioDomainPolicy"/>, child id
/// <c>StudioDomainAccess</c>) attached to the role, which references the domain id and so is created after the domain:
/// role, then domain, then policy; no cycle, and every ARN names the real domain id. Neither a wildcard domain with a
/// tag condition nor a <c>sagemaker:DomainId</c> policy variable is needed.</para>
/// <para><b>One role for every user.</b> All profiles share this role, so IAM cannot tell one user from another: a
/// user's app may call the space and app actions on any space of the domain, including another user's private
/// space. Studio's UI shows users only their own private spaces; for isolation enforced by IAM give each profile its
/// own role (<c>UserSettings.ExecutionRole</c> on the profile).</para>
/// </remarks>
public sealed partial class StudioUserRole : Construct, IGrantable
{
    /// <summary>The log group Studio apps write to.</summary>
    public const string StudioLogGroupName = "/aws/sagemaker/studio";

    /// <summary>The log group of SageMaker training jobs, which users may read (not write).</summary>
    public const string TrainingJobLogGroupName = "/aws/sagemaker/TrainingJobs";

    /// <summary>SageMaker List actions Studio calls that support no resource-level permissions.</summary>
    public static readonly IReadOnlyList<string> StudioListActions =
        ["sagemaker:ListApps", "sagemaker:ListDomains", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"];

    /// <summary>
    /// The tags Studio adds to every SageMaker resource created from a Studio app (the domain, user profile and space
    /// ARNs). Studio needs <c>sagemaker:AddTags</c> for them at creation, or the create call is denied
    /// (https://docs.aws.amazon.com/sagemaker/latest/dg/domain-resource-isolation.html, "Important";
    /// https://docs.aws.amazon.com/sagemaker/latest/dg/domain-multiple.html, "Automatic tag propagation").
    /// </summary>
    public static readonly IReadOnlyList<string> StudioSystemTagKeys =
        ["sagemaker:domain-arn", "sagemaker:space-arn", "sagemaker:user-profile-arn"];

    private readonly IConstruct _defaultPolicy;
    private Policy? _domainPolicy;
    private string? _domainArn;
    private ManagedPolicy? _notebookJobs;
    private ManagedPolicy? _notebookJobControl;
    private readonly List<string> _pipelinePrefixes = [];
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
    private PolicyStatement? _denyPipelineNames;
    private PolicyStatement? _stopPipelineJobs;

    private static readonly string[] StopActions = ["sagemaker:StopTrainingJob", "sagemaker:StopHyperParameterTuningJob"];

    /// <summary>The role.</summary>
    public IRole Role { get; }

    /// <summary>The role, for grants.</summary>
    public IPrincipal GrantPrincipal => Role.GrantPrincipal;

    /// <summary>The policy with the Studio statements of the domain, once <see cref="AddStudioDomainPolicy"/> was called.</summary>
    public Policy? DomainPolicy => _domainPolicy;

    /// <summary>Creates the role and its default policy (buckets, key, logs, VPC).</summary>
    /// <exception cref="ArgumentException">A prop is invalid; the message lists every problem.</exception>
    public StudioUserRole(Construct scope, string id, StudioUserRoleProps props) : base(scope, id)
    {
        Validate(props);
        var stack = Stack.Of(this);
        var role = new Role(this, "Resource", new RoleProps
        {
            AssumedBy = SageMakerTrust.Principal(stack),
            Description = "SageMaker Studio execution role of the Hugging Face training platform's users",
            PermissionsBoundary = props.PermissionsBoundary,
            RoleName = props.RoleName,
        });
        Role = role;
        var findings = new List<NagSuppression>();

        // Buckets through the intent-named grants (they bring the key's permissions along): prepare and upload data,
        // read results. No delete anywhere, no write on artifacts, nothing on checkpoints.
        var buckets = props.Buckets;
        buckets.GrantReadDatasets(role);
        buckets.GrantUploadDatasets(role);
        buckets.GrantReadArtifacts(role);
        var objectArns = new[] { buckets.Datasets, buckets.Artifacts }
            .Select(b => NagFindings.Resource(this, b.ArnForObjects("*"))).ToList();
        findings.Add(new NagSuppression("AwsSolutions-IAM5",
            "Object-level S3 actions need the object ARN pattern <bucket>/*; each pattern is limited to one platform bucket (datasets, artifacts), and the action groups (s3:GetObject*, s3:GetBucket*, s3:List*, s3:Abort*, kms:GenerateDataKey*, kms:ReEncrypt*) are the aws-cdk-lib Bucket grant sets for read and put on those buckets and their key; none deletes or overwrites artifacts.",
            [.. objectArns, "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:Abort*",
             "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"]));

        // The apps' EBS volumes and the home EFS are encrypted with the platform key: grants for AWS services only.
        foreach (var statement in AwsResourceGrants.AllowForAwsResources("UsePlatformKeyForAwsResources", buckets.EncryptionKey.KeyArn))
            role.AddToPrincipalPolicy(statement);

        // Logs: write the Studio apps' log group; read (not write) the training jobs' logs started through the pipeline.
        // ':*' is how CloudWatch Logs names the streams of a group (log-group:<name>:log-stream:<stream>); CreateLogGroup
        // is authorized on the group's ARN without it (Service Authorization Reference, CloudWatch Logs, log-group).
        string LogGroupArn(string name) => $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:{name}:*";
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "WriteStudioLogs",
            Actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resources = [LogGroupArn(StudioLogGroupName)[..^2], LogGroupArn(StudioLogGroupName)],
        }));
        role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadTrainingJobLogs",
            Actions = ["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents"],
            Resources = [LogGroupArn(TrainingJobLogGroupName)],
        }));
        findings.Add(new NagSuppression("AwsSolutions-IAM5",
            "Log streams get generated names per app and per job; ':*' covers the streams of exactly the log groups /aws/sagemaker/studio (write) and /aws/sagemaker/TrainingJobs (read only) in this account and region.",
            [NagFindings.Resource(this, LogGroupArn(StudioLogGroupName)), NagFindings.Resource(this, LogGroupArn(TrainingJobLogGroupName))]));

        // VpcOnly domain: SageMaker creates and deletes the apps' network interfaces in the VPC.
        if (props.Vpc is { } vpc) findings.Add(SageMakerVpcPermissions.Grant(this, role, vpc));

        _defaultPolicy = role.Node.TryFindChild("DefaultPolicy") as IConstruct
            ?? throw new InvalidOperationException("The Studio user role has no default policy.");
        NagSuppressions.Add(_defaultPolicy, [.. findings]);
        // A customer managed policy, not inline: grants added later (executions, notebook uploads) land in it too.
        CustomerManagedPolicies.ConvertDefaultPolicy(role);
    }

    /// <summary>
    /// Lets the role make Studio's own calls in <paramref name="domain"/>: create, update, delete and describe spaces
    /// and apps (and tag them on creation, which Studio does), describe the domain and its user profiles, list apps,
    /// spaces, profiles and domains. The statements go into a separate policy (child id <c>StudioDomainAccess</c>)
    /// that depends on the domain, which itself depends on the role (see remarks on the class). One domain per role.
    /// </summary>
    /// <returns>The policy, attached to <see cref="Role"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The role was already allowed into a domain.</exception>
    public Policy AddStudioDomainPolicy(StudioDomain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (_domainPolicy is not null)
            throw new InvalidOperationException(
                $"StudioUserRole '{Node.Path}' is already allowed into a Studio domain; create one StudioUserRole per domain.");

        var stack = Stack.Of(this);
        string SageMaker(string resource) => $"arn:{stack.Partition}:sagemaker:{stack.Region}:{stack.Account}:{resource}";
        var domainArn = SageMaker($"domain/{domain.DomainId}");
        _domainArn = domainArn;
        var profiles = SageMaker($"user-profile/{domain.DomainId}/*");
        var spaces = SageMaker($"space/{domain.DomainId}/*");
        var apps = SageMaker($"app/{domain.DomainId}/*");

        // Resource types per the Service Authorization Reference (SageMaker): space, app, user-profile and domain
        // ARNs carry the domain id, so every mutating action is limited to this domain. Space and app names are
        // chosen by users in Studio, hence '/*' after the domain id.
        var policy = new Policy(this, "StudioDomainAccess", new PolicyProps
        {
            Roles = [Role],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ManageSpacesInDomain",
                    Actions = ["sagemaker:CreateSpace", "sagemaker:DeleteSpace", "sagemaker:DescribeSpace", "sagemaker:UpdateSpace"],
                    Resources = [spaces],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ManageAppsInDomain",
                    Actions = ["sagemaker:CreateApp", "sagemaker:DeleteApp", "sagemaker:DescribeApp"],
                    Resources = [apps],
                }),
                // Studio tags the spaces and apps it creates; CreateSpace/CreateApp with tags need AddTags on them.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "TagSpacesAndAppsInDomain",
                    Actions = ["sagemaker:AddTags", "sagemaker:ListTags"],
                    Resources = [spaces, apps],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "DescribeDomainAndUserProfiles",
                    Actions = ["sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile", "sagemaker:ListTags"],
                    Resources = [domainArn, profiles],
                }),
                // The List actions support no resource-level permissions (Service Authorization Reference): '*'.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ListStudioResources",
                    Actions = [.. StudioListActions],
                    Resources = ["*"],
                }),
            ],
        });
        NagSuppressions.Add(policy, new NagSuppression("AwsSolutions-IAM5",
            "Studio spaces, apps and user profiles get names chosen in Studio, so their ARNs end in '/*' after this domain's id (space/<domain-id>/*, app/<domain-id>/*, user-profile/<domain-id>/*): every action is limited to this one domain. sagemaker:ListApps, ListSpaces, ListUserProfiles and ListDomains support no resource-level permissions (AWS Service Authorization Reference), hence '*'; they only list.",
            ["Resource::*", NagFindings.Resource(this, spaces), NagFindings.Resource(this, apps), NagFindings.Resource(this, profiles)]));
        CustomerManagedPolicies.Convert(policy, Role);
        _domainPolicy = policy;
        return policy;
    }

    /// <summary>
    /// Lets the role start, watch (describe, history, list) and stop executions of <paramref name="stateMachine"/>,
    /// e.g. <c>HuggingFaceTrainingPipeline.StateMachine</c>: how users in Studio run training and tuning jobs.
    /// </summary>
    /// <returns>The combined grant.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stateMachine"/> is null.</exception>
    public Grant GrantExecutions(IStateMachine stateMachine)
    {
        ArgumentNullException.ThrowIfNull(stateMachine);
        var grant = stateMachine.GrantStartExecution(Role)
            .Combine(stateMachine.GrantRead(Role))
            .Combine(stateMachine.GrantExecution(Role, "states:StopExecution"));

        // aws-cdk-lib's state machine grants name the state machine, its executions (<arn>:execution:<name>:*, one
        // per run, generated names) and, for the read set, the Describe/List actions on activities that support no
        // resource-level permissions.
        var wildcards = grant.PrincipalStatements
            .SelectMany(s => s.Resources)
            .Select(r => NagFindings.Resource(this, r))
            .Where(f => f.Contains('*'))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (wildcards.Count > 0)
            NagSuppressions.Add(_defaultPolicy, new NagSuppression("AwsSolutions-IAM5",
                "Step Functions executions get generated names, so the execution ARN of the given state machine ends in ':*' (aws-cdk-lib StateMachine.grantRead/grantExecution); states:ListActivities, DescribeActivity and DescribeStateMachine in the read set are granted on '*' by aws-cdk-lib and only read. Starting is limited to the state machine's own ARN.",
                [.. wildcards]));
        return grant;
    }

    /// <summary>
    /// <see cref="GrantExecutions"/> for <paramref name="pipeline"/>'s state machine, read access to the model versions it
    /// registers (its <c>ModelPackageGroup</c>: describe the group and its versions, list groups and versions), and
    /// reserves its job name prefix:
    /// with <see cref="AddNotebookJobsPolicy"/>, notebook jobs may not be named <c>&lt;prefix&gt;-…</c> (those are the
    /// pipeline's, which its state machine manages and its alarms and dashboards watch), and users may stop the
    /// pipeline's jobs (besides the notebook jobs of this domain), no other job of the account.
    /// </summary>
    /// <returns>The grant of <see cref="GrantExecutions"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is null.</exception>
    public Grant GrantPipeline(Orchestration.HuggingFaceTrainingPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var grant = GrantExecutions(pipeline.StateMachine);
        if (!CdkTokens.IsUnresolved(pipeline.JobNamePrefix) && !_pipelinePrefixes.Contains(pipeline.JobNamePrefix))
            _pipelinePrefixes.Add(pipeline.JobNamePrefix);
        ReservePipelineJobs();
        if (pipeline.ModelPackageGroup is { } group)
        {
            // Users see what their runs registered: the group and its versions, and the lists (which support no
            // resource-level permissions; the grant writes the cdk-nag suppression for its wildcards); approving is for
            // the environment's approvers only.
            grant = grant.Combine(group.GrantRead(Role));
        }
        return grant;
    }

    /// <summary>
    /// Once the notebook policy exists and pipelines are known: a deny of creating jobs under the pipelines' prefixes
    /// and an allow of stopping their jobs, both in the notebook policy (one statement each, growing with the pipelines).
    /// </summary>
    private void ReservePipelineJobs()
    {
        if (_notebookJobs is null || _pipelinePrefixes.Count == 0) return;
        var stack = Stack.Of(this);
        string SageMaker(string resource) => $"arn:{stack.Partition}:sagemaker:{stack.Region}:{stack.Account}:{resource}";
        var arns = _pipelinePrefixes.Where(p => _reserved.Add(p))
            .SelectMany(p => new[] { SageMaker($"training-job/{p}-*"), SageMaker($"hyper-parameter-tuning-job/{p}-*") }).ToArray();
        if (arns.Length == 0) return;
        if (_denyPipelineNames is null || _stopPipelineJobs is null)
        {
            _denyPipelineNames = new PolicyStatement(new PolicyStatementProps
            {
                Sid = "DenyPipelineJobNames",
                Effect = Effect.DENY,
                Actions = [SageMakerJobGuardrails.CreateTrainingJob, SageMakerJobGuardrails.CreateHyperParameterTuningJob],
                Resources = arns,
            });
            _stopPipelineJobs = new PolicyStatement(new PolicyStatementProps
            {
                Sid = "StopPipelineJobs",
                Actions = [.. StopActions],
                Resources = arns,
            });
            _notebookJobs.AddStatements(_denyPipelineNames);
            _notebookJobControl!.AddStatements(_stopPipelineJobs);
        }
        else
        {
            _denyPipelineNames.AddResources(arns);
            _stopPipelineJobs.AddResources(arns);
        }
        NagSuppressions.Add(_notebookJobControl!, new NagSuppression("AwsSolutions-IAM5",
            "A pipeline's jobs are named '<JobNamePrefix>-<execution>' per run, so stopping them is allowed on '<prefix>-*' of each pipeline of this stack (creating under those prefixes is denied to notebooks).",
            [.. arns.Select(a => NagFindings.Resource(this, a))]));
    }

    /// <summary>
    /// Lets the role create training and tuning jobs from a notebook, but only with the settings of
    /// <paramref name="defaults"/> (the SDK defaults of the domain), enforced with SageMaker's IAM condition keys as the
    /// Service Authorization Reference lists them for <c>CreateTrainingJob</c> and <c>CreateHyperParameterTuningJob</c>
    /// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html), written by
    /// <see cref="SageMakerJobGuardrails.ConditionsFor"/>, the builder the pipelines' roles use too: every subnet and
    /// security group one of the platform's and present (<c>sagemaker:VpcSubnets</c>, <c>sagemaker:VpcSecurityGroupIds</c>,
    /// <c>ForAllValues</c> plus <c>Null = false</c>, since <c>ForAllValues</c> alone also matches a request without a VPC),
    /// network isolation and inter-container encryption on (<c>Bool</c>, which fails when the request omits them), the
    /// output key present and the platform key (<c>sagemaker:OutputKmsKeyArn</c>), the volume key the platform key when
    /// sent (<c>sagemaker:VolumeKmsKeyArn</c> with <c>IfExists</c>: instance types with local NVMe storage take none; a deny
    /// statement refuses allowed types with EBS volumes sent without it), no remote debugging
    /// (<c>sagemaker:EnableRemoteDebug</c>) and no EFS/FSx channels (<c>sagemaker:FileSystemId</c> absent),
    /// only allowed instance types, at most the maximum run time and warm-pool keep-alive. The deprecated
    /// <c>sagemaker:OutputKmsKey</c>/<c>VolumeKmsKey</c> are listed for no action, so they are not used. With
    /// <see cref="SageMakerSdkDefaultsProps.AllowRemoteFunctions"/>, training jobs without network isolation (what
    /// <c>@remote</c> sends) are allowed under the same guardrails when tagged
    /// <see cref="SageMakerSdkDefaults.RemoteFunctionTagKey"/>. Also: <c>iam:PassRole</c> on the job role only, for
    /// <c>sagemaker.amazonaws.com</c>; tagging on creation only (<c>sagemaker:TaggingAction</c>) with the configured tag keys and
    /// <see cref="StudioSystemTagKeys"/>; describe and list jobs (<c>fit()</c>, the tuner and <c>@remote</c> poll them);
    /// stop only this platform's jobs: those an app of the domain of <see cref="AddStudioDomainPolicy"/> created (Studio's
    /// <c>sagemaker:domain-arn</c> tag) and the pipelines' of <see cref="GrantPipeline"/>, whose job name prefixes
    /// notebook jobs may not take; uploads (put, not delete) under the defaults' key prefix. The statements go into two
    /// customer managed policies (child ids <c>NotebookJobs</c>: creating; <c>NotebookJobsControl</c>: watching and
    /// stopping), each with its own 6,144-character quota.
    /// </summary>
    /// <param name="defaults">The domain's SDK defaults.</param>
    /// <returns>The managed policy, attached to <see cref="Role"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="defaults"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Notebook jobs were already allowed.</exception>
    public ManagedPolicy AddNotebookJobsPolicy(SageMakerSdkDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (Node.TryFindChild("NotebookJobs") is not null)
            throw new InvalidOperationException($"StudioUserRole '{Node.Path}' already allows notebook jobs; call AddNotebookJobsPolicy once.");

        var props = defaults.Props;
        var stack = Stack.Of(this);
        string SageMaker(string resource) => $"arn:{stack.Partition}:sagemaker:{stack.Region}:{stack.Account}:{resource}";
        // Job names are chosen by the SDK or the user (e.g. huggingface-pytorch-training-<timestamp>, <function>-<timestamp>).
        var trainingJobs = SageMaker("training-job/*");
        var tuningJobs = SageMaker("hyper-parameter-tuning-job/*");
        var keyArn = props.EncryptionKey.KeyArn;

        // The platform invariants, written by the one builder the pipeline's state machine role uses too.
        var guardrails = new SageMakerJobGuardrails
        {
            AllowedInstanceTypes = props.AllowedInstanceTypes,
            MaxRuntime = props.MaxRuntime,
            SubnetIds = defaults.SubnetIds,
            SecurityGroupIds = defaults.SecurityGroupIds,
            OutputKmsKeyArn = keyArn,
            VolumeKmsKeyArn = keyArn,
            MaxWarmPoolKeepAlive = props.MaxWarmPoolKeepAlive,
        };
        var statements = guardrails.CreateStatements(trainingJobs, tuningJobs).ToList();
        if (props.AllowRemoteFunctions)
        {
            var remote = (guardrails with { NetworkIsolation = false }).ConditionsFor(SageMakerJobGuardrails.CreateTrainingJob);
            remote["StringEquals"] = new Dictionary<string, object>
            {
                [$"aws:RequestTag/{SageMakerSdkDefaults.RemoteFunctionTagKey}"] = SageMakerSdkDefaults.RemoteFunctionTagValue,
            };
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "CreateRemoteFunctionJobsWithinGuardrails",
                Actions = [SageMakerJobGuardrails.CreateTrainingJob],
                Resources = [trainingJobs],
                Conditions = remote,
            }));
        }
        // An allowed type with EBS volumes and no volume key would get the AWS managed key: denied. (A deny, not a second
        // set of allow statements per kind of type: the managed policy must stay within IAM's 6,144 characters.)
        if (guardrails.DenyVolumesWithoutKey("DenyEbsVolumesWithoutPlatformKey",
                [SageMakerJobGuardrails.CreateTrainingJob, SageMakerJobGuardrails.CreateHyperParameterTuningJob],
                [trainingJobs, tuningJobs], InstanceTypeCatalog.AcceptsVolumeKmsKey) is { } deny)
            statements.Add(deny);
        var tagKeys = props.Tags.Keys.Append(SageMakerSdkDefaults.RemoteFunctionTagKey).Concat(StudioSystemTagKeys)
            .Order(StringComparer.Ordinal).ToArray();
        statements.AddRange(
        [
            // Tags sent with CreateTrainingJob/CreateHyperParameterTuningJob need sagemaker:AddTags on the new job;
            // sagemaker:TaggingAction limits it to tagging on creation (no re-tagging of existing jobs). Studio adds its
            // own tags to what a Studio app creates (StudioSystemTagKeys), so they are allowed keys too.
            new(new PolicyStatementProps
            {
                Sid = "TagNotebookJobsOnCreation",
                Actions = ["sagemaker:AddTags"],
                Resources = [trainingJobs, tuningJobs],
                Conditions = new Dictionary<string, object>
                {
                    ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["aws:TagKeys"] = tagKeys },
                    ["StringEquals"] = new Dictionary<string, object>
                    {
                        ["sagemaker:TaggingAction"] = new[] { "CreateTrainingJob", "CreateHyperParameterTuningJob" },
                    },
                },
            }),
            new(new PolicyStatementProps
            {
                Sid = "PassJobRoleToSageMaker",
                Actions = ["iam:PassRole"],
                Resources = [props.ExecutionRole.RoleArn],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "sagemaker.amazonaws.com" },
                },
            }),
        ]);

        // Watching and stopping go into a second managed policy (child id NotebookJobsControl): each managed policy has
        // its own 6,144-character quota, and the creation guardrails grow with the subnets, instance types and tags.
        var control = new List<PolicyStatement>
        {
            new(new PolicyStatementProps
            {
                Sid = "WatchJobs",
                Actions =
                [
                    "sagemaker:DescribeTrainingJob", "sagemaker:DescribeHyperParameterTuningJob", "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
                ],
                Resources = [trainingJobs, tuningJobs],
            }),
            // List actions support no resource-level permissions (Service Authorization Reference); @remote lists
            // training jobs by name to find a job's results (remote_function/client.py line 1259).
            new(new PolicyStatementProps
            {
                Sid = "ListJobs",
                Actions = ["sagemaker:ListTrainingJobs", "sagemaker:ListHyperParameterTuningJobs"],
                Resources = ["*"],
            }),
        };
        // Stop only this platform's jobs: those Studio tagged with this domain's ARN when an app of it created them (the
        // notebook jobs, whose names are the SDK's or the user's), and the pipelines' jobs (ReservePipelineJobs).
        if (_domainArn is { } domainArn)
        {
            control.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "StopJobsCreatedInThisDomain",
                Actions = [.. StopActions],
                Resources = [trainingJobs, tuningJobs],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { [$"aws:ResourceTag/{StudioSystemTagKeys[0]}"] = domainArn },
                },
            }));
        }

        // Customer managed policies: IAM caps a role's inline policies at 10,240 characters in total and these grow with
        // the subnets, instance types and tags (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
        var policy = new ManagedPolicy(this, "NotebookJobs", new ManagedPolicyProps
        {
            Description = "Studio users: create training and tuning jobs from notebooks only within the platform's guardrails",
            Roles = [Role],
            Statements = [.. statements],
        });
        _notebookJobs = policy;
        _notebookJobControl = new ManagedPolicy(this, "NotebookJobsControl", new ManagedPolicyProps
        {
            Description = "Studio users: watch notebook and pipeline jobs, stop only this platform's",
            Roles = [Role],
            Statements = [.. control],
        });
        NagSuppressions.Add(_notebookJobControl, new NagSuppression("AwsSolutions-IAM5",
            "Training and tuning jobs get names chosen by the SDK or the user (huggingface-pytorch-training-<timestamp>, <function>-<timestamp>), so their ARNs end in '/*': describing them only reads, stopping them needs the tag Studio puts on what an app of this domain creates. sagemaker:ListTrainingJobs and ListHyperParameterTuningJobs support no resource-level permissions (AWS Service Authorization Reference), hence '*'; they only list.",
            ["Resource::*", NagFindings.Resource(this, trainingJobs), NagFindings.Resource(this, tuningJobs)]));
        ReservePipelineJobs();
        NagSuppressions.Add(policy, new NagSuppression("AwsSolutions-IAM5",
            "Training and tuning jobs get names chosen by the SDK or the user (huggingface-pytorch-training-<timestamp>, <function>-<timestamp>), so their ARNs end in '/*'; creation is limited by SageMaker condition keys to the platform's subnets, security groups, keys, instance types, run time, isolation and traffic encryption, tagging to the configured tag keys.",
            [NagFindings.Resource(this, trainingJobs), NagFindings.Resource(this, tuningJobs)]));

        // The SDK uploads source archives and @remote payloads under the prefix (put, no delete); reads are granted already.
        var objects = $"{props.KeyPrefix}/*";
        props.Bucket.GrantPut(Role, objects);
        NagSuppressions.Add(_defaultPolicy, new NagSuppression("AwsSolutions-IAM5",
            $"The SageMaker Python SDK uploads each notebook job's sourcedir.tar.gz and @remote payloads under '<bucket>/{props.KeyPrefix}/<job name>/...', names it generates per job: the pattern is limited to that prefix of the one bucket, with the aws-cdk-lib Bucket put grant (s3:Abort* and kms:GenerateDataKey*, kms:ReEncrypt* on the bucket key; no delete).",
            [NagFindings.Resource(this, props.Bucket.ArnForObjects(objects)), "Action::s3:Abort*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"]));
        return policy;
    }

    private void Validate(StudioUserRoleProps props)
    {
        var v = new PropsValidation(this, nameof(StudioUserRoleProps));
        v.Require(props.Buckets is not null, "Buckets", null, "pass the platform's TrainingBuckets.");
        v.RequireRoleName(props.RoleName);
        v.ThrowIfAny();
    }

}
