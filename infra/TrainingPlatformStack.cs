using Amazon.CDK;
using Amazon.CDK.AWS.Logs;
using Constructs;
using HfSageMaker.Constructs.Network;
using HfSageMaker.Constructs.Operations;
using HfSageMaker.Constructs.Orchestration;
using HfSageMaker.Constructs.Registry;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Storage;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;

namespace HfSageMaker.Infra;

/// <summary>Properties of <see cref="TrainingPlatformStack"/>.</summary>
public sealed class TrainingPlatformStackProps : StackProps
{
    /// <summary>The validated environment this stack deploys.</summary>
    public required EnvironmentConfig Config { get; init; }

    /// <summary>The source the app was synthesized from, recorded in every registered model version; null: unknown.</summary>
    public SourceRevision? Source { get; init; }
}

/// <summary>
/// One environment's platform: it composes the constructs of <c>constructs/</c> from the environment file and holds
/// no resource logic of its own.
/// </summary>
public sealed class TrainingPlatformStack : Stack
{
    private readonly string[] _availabilityZones;

    /// <summary>The environment this stack deploys.</summary>
    public EnvironmentConfig Config { get; }

    /// <summary>The VPC, security groups and endpoints.</summary>
    public IsolatedNetwork Network { get; }

    /// <summary>The key and buckets.</summary>
    public TrainingBuckets Storage { get; }

    /// <summary>The SageMaker execution role of training and tuning jobs (passed by the pipeline only).</summary>
    public SageMakerExecutionRole ExecutionRole { get; }

    /// <summary>The execution role of the Studio user profiles and shared spaces.</summary>
    public StudioUserRole StudioRole { get; }

    /// <summary>The SageMaker Python SDK defaults of the domain's notebooks; null unless <c>studio.notebookJobs</c>.</summary>
    public SageMakerSdkDefaults? SdkDefaults { get; }

    /// <summary>The Studio domain and its user profiles.</summary>
    public StudioDomain Studio { get; }

    /// <summary>The KMS-encrypted notification topic (failed runs, alarms, budget alerts, job state changes).</summary>
    public PlatformNotifications Notifications { get; }

    /// <summary>The environment's monthly budget and its alerts.</summary>
    public CostGuardrails CostGuardrails { get; }

    /// <summary>The training / tuning pipeline of each recipe the environment deploys, by recipe name.</summary>
    public IReadOnlyDictionary<string, HuggingFaceTrainingPipeline> Pipelines { get; }

    /// <summary>Dashboard, alarms and SageMaker job state-change rules of each recipe's pipeline, by recipe name.</summary>
    public IReadOnlyDictionary<string, TrainingMonitoring> Monitoring { get; }

    /// <summary>The rule that notifies approvals and rejections of the recipes' model versions; null when no recipe
    /// registers its models.</summary>
    public ModelApprovalNotifications? ModelApprovals { get; }

    /// <summary>The policy of the environment's approvers (<c>registry.approvers</c>); null when it names none.</summary>
    public ModelApprovers? Approvers { get; }

    /// <summary>Creates the stack. Env defaults to the environment's account and region; termination protection is on
    /// when the environment retains its resources.</summary>
    public TrainingPlatformStack(Construct scope, string id, TrainingPlatformStackProps props) : base(scope, id, WithDefaults(props))
    {
        var config = props.Config;
        Config = config;
        _availabilityZones = [.. config.AvailabilityZones];
        var removalPolicy = config.Retention.RemovalPolicy == RemovalBehaviour.Retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

        Storage = new TrainingBuckets(this, "Storage", new TrainingBucketsProps
        {
            RemovalPolicy = removalPolicy,
            CheckpointExpiration = Duration.Days(config.Retention.CheckpointExpirationDays),
        });

        Network = new IsolatedNetwork(this, "Network", new IsolatedNetworkProps
        {
            Cidr = config.Network.Cidr,
            AvailabilityZones = config.AvailabilityZones,
            ControlledEgress = config.Network.Mode == NetworkMode.ControlledEgress,
            FlowLogRetention = ToRetentionDays(config.Retention.LogRetentionDays),
            RemovalPolicy = removalPolicy,
            // The flow log group is encrypted with the platform key, like the pipeline's log groups.
            FlowLogEncryptionKey = Storage.EncryptionKey,
        });

        // Notebook jobs (studio.notebookJobs): @remote cannot use network isolation, so it is offered only where the
        // VPC has no route out; it runs the notebook's own SageMaker Distribution image, which the job role then pulls.
        var remoteFunctions = config.Studio.NotebookJobs && config.Network.Mode == NetworkMode.Isolated;
        ExecutionRole = new SageMakerExecutionRole(this, "ExecutionRole", new SageMakerExecutionRoleProps
        {
            Buckets = Storage,
            Vpc = Network.Vpc,
            ImageRepositories = remoteFunctions
                ? [SageMakerExecutionRole.DefaultImageRepository, SageMakerSdkDefaults.StudioImageRepository]
                : null,
        });

        StudioRole = new StudioUserRole(this, "StudioUserRole", new StudioUserRoleProps
        {
            Buckets = Storage,
            Vpc = Network.Vpc,
        });

        if (config.Studio.NotebookJobs)
        {
            SdkDefaults = new SageMakerSdkDefaults(this, "NotebookDefaults", new SageMakerSdkDefaultsProps
            {
                ExecutionRole = ExecutionRole.Role,
                Vpc = Network.Vpc,
                Subnets = Network.TrainingSubnets,
                SecurityGroups = [Network.TrainingSecurityGroup],
                EncryptionKey = Storage.EncryptionKey,
                Bucket = Storage.Artifacts,
                AllowedInstanceTypes = config.Training.AllowedInstanceTypes,
                DefaultInstanceType = config.Training.DefaultInstanceType,
                MaxRuntime = Duration.Hours(config.Training.MaxRuntimeHours),
                MaxWarmPoolKeepAlive = Duration.Minutes(config.Training.WarmPoolKeepAliveMinutes),
                AllowRemoteFunctions = remoteFunctions,
                Tags = config.Tags,
            });
        }

        Studio = new StudioDomain(this, "Studio", new StudioDomainProps
        {
            SdkDefaults = SdkDefaults,
            Vpc = Network.Vpc,
            Subnets = Network.TrainingSubnets,
            SecurityGroup = Network.StudioSecurityGroup,
            DefaultExecutionRole = StudioRole.Role,
            EncryptionKey = Storage.EncryptionKey,
            UserProfiles = [.. config.Studio.Users.Select(u => u.Name)],
            IdleTimeout = Duration.Minutes(config.Studio.IdleTimeoutMinutes),
        });
        StudioRole.AddStudioDomainPolicy(Studio);
        if (SdkDefaults is not null) StudioRole.AddNotebookJobsPolicy(SdkDefaults);

        Notifications = new PlatformNotifications(this, "Notifications", new PlatformNotificationsProps
        {
            EmailAddresses = config.NotificationEmails,
            KeyRemovalPolicy = removalPolicy,
        });

        // One account per environment: the budget covers the whole account, so nothing escapes it (see CostGuardrails).
        CostGuardrails = new CostGuardrails(this, "CostGuardrails", new CostGuardrailsProps
        {
            NotificationTopic = Notifications.Topic,
            MonthlyLimitUsd = config.Budget.MonthlyLimitUsd,
            AlertThresholdsPercent = config.Budget.AlertThresholdsPercent,
        });

        var repositoryRoot = RepositoryLocator.FindRoot()
            ?? throw new InvalidOperationException("No cdk.json found above the current or the application directory; run the app from the repository.");
        var platform = new RecipePlatform
        {
            ExecutionRole = ExecutionRole.Role,
            Buckets = Storage,
            EncryptionKey = Storage.EncryptionKey,
            Vpc = Network.Vpc,
            VpcSubnets = Network.TrainingSubnets,
            SecurityGroups = [Network.TrainingSecurityGroup],
            Topic = Notifications.Topic,
            TopicKey = Notifications.Key,
        };
        var pipelines = new Dictionary<string, HuggingFaceTrainingPipeline>(StringComparer.Ordinal);
        var monitoring = new Dictionary<string, TrainingMonitoring>(StringComparer.Ordinal);
        foreach (var deployed in config.DeployedRecipes)
        {
            // One state machine per recipe, each scoped to its own job name prefix (IAM, log groups, job state rules).
            var recipe = RecipeRegistry.Get(deployed.Name);
            var pipeline = recipe.AddPipeline(this, config, deployed.Training, repositoryRoot, platform, props.Source);
            pipelines[recipe.Name] = pipeline;

            // Data scientists start, watch and stop runs of every recipe from Studio with their profile's role.
            StudioRole.GrantPipeline(pipeline);

            monitoring[recipe.Name] = new TrainingMonitoring(this, recipe.MonitoringConstructId, new TrainingMonitoringProps
            {
                StateMachine = pipeline.StateMachine,
                AlarmTopic = Notifications.Topic,
                // Every metric but the epoch counter gets a dashboard graph.
                MetricNames = [.. pipeline.MetricNames.Where(n => n != "epoch")],
                JobNamePrefix = pipeline.JobNamePrefix,
            });

            _ = new CfnOutput(this, recipe.OutputId, new CfnOutputProps
            {
                Value = pipeline.StateMachine.StateMachineArn,
                Description = $"Recipe {recipe.Name} ({recipe.Description}): aws stepfunctions start-execution --state-machine-arn <this> --input file://{ExampleInput(recipe)}",
            });
            if (pipeline.ModelPackageGroup is { } group)
            {
                _ = new CfnOutput(this, recipe.ModelPackageGroupOutputId, new CfnOutputProps
                {
                    Value = group.ModelPackageGroupName,
                    Description = $"Model package group of recipe {recipe.Name}: every successful run registers a version (aws sagemaker list-model-packages --model-package-group-name <this>)",
                });
            }
        }

        Pipelines = pipelines;
        Monitoring = monitoring;
        var groups = pipelines.Values.Select(p => p.ModelPackageGroup).OfType<IModelPackageGroup>().ToArray();
        if (groups.Length > 0)
        {
            ModelApprovals = new ModelApprovalNotifications(this, "ModelApprovals", new ModelApprovalNotificationsProps
            {
                ModelPackageGroups = groups,
                Topic = Notifications.Topic,
            });
            if (config.Registry.Approvers.Count > 0)
            {
                // The roles the environment file names approve its groups' versions, and only those.
                Approvers = new ModelApprovers(this, "ModelApprovers", new ModelApproversProps
                {
                    ModelPackageGroups = groups,
                    Roles = [.. config.Registry.Approvers.Select((arn, i) => Amazon.CDK.AWS.IAM.Role.FromRoleArn(this, $"Approver{i}", arn))],
                });
            }
        }

        _ = new CfnOutput(this, "DatasetsBucketName", new CfnOutputProps
        {
            Value = Storage.Datasets.BucketName,
            Description = "Upload training data and the pretrained model here (see README, First day)",
        });
        _ = new CfnOutput(this, "ArtifactsBucketName", new CfnOutputProps
        {
            Value = Storage.Artifacts.BucketName,
            Description = "model.tar.gz of every job lands under <prefix>/<job name>/output/",
        });

        _ = new CfnOutput(this, "StudioDomainId", new CfnOutputProps
        {
            Value = Studio.DomainId,
            Description = "Studio domain id",
        });
        _ = new CfnOutput(this, "StudioHomeEfsFileSystemId", new CfnOutputProps
        {
            Value = Studio.HomeEfsFileSystemId,
            Description = "Home EFS of the Studio domain; NOT deleted with the stack (see README, Platform constructs)",
        });
    }

    /// <summary>The example execution input of a recipe: <c>examples/train.json</c> for translation, else <c>examples/&lt;recipe&gt;/train.json</c>.</summary>
    private static string ExampleInput(TrainingRecipe recipe) =>
        recipe.Name == RecipeRegistry.DefaultRecipe ? "examples/train.json" : $"examples/{recipe.Name}/train.json";

    /// <summary>The environment's fixed availability zones, so synthesis never looks them up.</summary>
    public override string[] AvailabilityZones => _availabilityZones;

    private static TrainingPlatformStackProps WithDefaults(TrainingPlatformStackProps props)
    {
        props.Env ??= new Amazon.CDK.Environment { Account = props.Config.Account, Region = props.Config.Region };
        props.TerminationProtection ??= props.Config.Retention.RemovalPolicy == RemovalBehaviour.Retain;
        return props;
    }

    /// <summary>CloudWatch Logs retention values (days) and their CDK names.</summary>
    private static readonly IReadOnlyDictionary<int, RetentionDays> RetentionByDays = new Dictionary<int, RetentionDays>
    {
        [1] = RetentionDays.ONE_DAY, [3] = RetentionDays.THREE_DAYS, [5] = RetentionDays.FIVE_DAYS,
        [7] = RetentionDays.ONE_WEEK, [14] = RetentionDays.TWO_WEEKS, [30] = RetentionDays.ONE_MONTH,
        [60] = RetentionDays.TWO_MONTHS, [90] = RetentionDays.THREE_MONTHS, [120] = RetentionDays.FOUR_MONTHS,
        [150] = RetentionDays.FIVE_MONTHS, [180] = RetentionDays.SIX_MONTHS, [365] = RetentionDays.ONE_YEAR,
        [400] = RetentionDays.THIRTEEN_MONTHS, [545] = RetentionDays.EIGHTEEN_MONTHS, [731] = RetentionDays.TWO_YEARS,
        [1096] = RetentionDays.THREE_YEARS, [1827] = RetentionDays.FIVE_YEARS, [2192] = RetentionDays.SIX_YEARS,
        [2557] = RetentionDays.SEVEN_YEARS, [2922] = RetentionDays.EIGHT_YEARS, [3288] = RetentionDays.NINE_YEARS,
        [3653] = RetentionDays.TEN_YEARS,
    };

    /// <summary>The CDK value for a CloudWatch Logs retention in days (the loader accepts only these values).</summary>
    public static RetentionDays ToRetentionDays(int days) => RetentionByDays.TryGetValue(days, out var value)
        ? value
        : throw new ArgumentException(
            $"Retention.LogRetentionDays is '{days}'; give one of the CloudWatch Logs retention values: {string.Join(", ", RetentionByDays.Keys)}.",
            nameof(days));
}
