using System.Text.Json.Serialization;
using HfSageMaker.Infra.Schemas;
using static HfSageMaker.Infra.Configuration.EnvironmentSchema;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// One deployment environment: the format of <c>environments/&lt;name&gt;.json</c>, stated once. Each property's
/// <see cref="SchemaAttribute"/> (with <see cref="ItemsAttribute"/> and <see cref="KeysAttribute"/>) is its documentation
/// and its rule: <c>dotnet run --project infra -- schema</c> writes <c>environments/environment.schema.json</c> and the
/// README's key table from them, and <see cref="EnvironmentLoader"/> evaluates every file against that schema before
/// <see cref="EnvironmentRules"/> checks what a schema cannot say. Adding a field is adding a property to a record here
/// (then running the schema command). The constructs never re-read the file.
/// </summary>
[Schema("One deployment environment (environments/<name>.json). Generated from infra/Configuration/EnvironmentConfig.cs by `dotnet run --project infra -- schema`; the app evaluates every file against it, then checks the cross-field rules in infra/Configuration/EnvironmentRules.cs.")]
public sealed record EnvironmentConfig
{
    [Schema("Path of this schema, for editors: \"./environment.schema.json\".")]
    [JsonPropertyName("$schema")]
    public string? SchemaPath { get; init; }

    [Schema("Environment name; equals the file name without .json. The stack is HfSageMaker-<name>.",
        Pattern = @"^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?\z",
        PatternMessage = "not a valid environment name; allowed 1 to 20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (e.g. \"dev\", \"prod-eu\")")]
    public required string Name { get; init; }

    [Schema("Free text for reviewers: what the environment is for and who owns it.", MaxLength = 256,
        Pattern = @"^(?=[^\p{Cc}]*\S)[^\p{Cc}]*\z", PatternMessage = "blank; allowed text with at least one visible character, on one line")]
    public string? Description { get; init; }

    [Schema("12-digit AWS account id, as a string.", Pattern = @"^[0-9]{12}\z",
        PatternMessage = "not an AWS account id; allowed exactly 12 digits, as a string (e.g. \"111111111111\")")]
    public required string Account { get; init; }

    [Schema("Region to deploy to: a commercial AWS region where the DLC catalog (constructs/Training/Catalog) publishes the training image of every recipe.",
        Values = nameof(Regions), Message = "not a supported region")]
    public required string Region { get; init; }

    [Schema("Zones of the region (region + a letter in use there: infra/Configuration/availability-zones.json, from cfn-lint's zone table); fixed so synthesis needs no AWS lookups. Training and Studio subnets span them.",
        MinItems = 2, MaxItems = 6, UniqueItems = true)]
    [Items(Pattern = @"^[a-z]{2}-[a-z]+-[0-9][a-z]\z", PatternMessage = "not an availability zone name; allowed the region followed by a zone letter (e.g. \"eu-west-1a\")")]
    public required IReadOnlyList<string> AvailabilityZones { get; init; }

    [Schema("VPC shape and egress.")]
    public required NetworkConfig Network { get; init; }

    [Schema("What training and tuning jobs may use: the guardrails of every recipe that does not set its own.")]
    public required TrainingConfig Training { get; init; }

    /// <summary>
    /// The recipes the environment deploys, each with its guardrails (<c>training</c> overlaid with the recipe's own keys).
    /// Null (no <c>recipes</c> in the file): the default recipe alone, under <see cref="Training"/>. Read it through <see cref="DeployedRecipes"/>.
    /// </summary>
    [JsonIgnore]
    [Schema("The recipes this environment deploys (one state machine each), keyed by recipe name, each with its guardrails: any key of training, overriding it for that recipe (the others are inherited). Absent: {\"translation\": {}}.",
        MinProperties = 1)]
    public IReadOnlyList<RecipeConfig>? Recipes { get; init; }

    /// <summary>The recipes deployed: <see cref="Recipes"/>, or the default recipe under <see cref="Training"/>.</summary>
    public IReadOnlyList<RecipeConfig> DeployedRecipes =>
        Recipes ?? [new RecipeConfig { Name = Infra.Recipes.RecipeRegistry.DefaultRecipe, Training = Training }];

    [Schema("What is kept, for how long, and what happens on stack deletion.")]
    public required RetentionConfig Retention { get; init; }

    [Schema("The Studio domain and its users.")]
    public required StudioConfig Studio { get; init; }

    [Schema("The monthly cost budget and its alerts.")]
    public required BudgetConfig Budget { get; init; }

    [Schema("Email addresses subscribed to failure and budget notifications, distinct ignoring case; each is a subscription resource of the stack (subscribe a mailing list rather than many people).",
        MaxItems = MaxNotificationEmails, UniqueItems = true)]
    [Items(Format = "email", MaxLength = 254, Pattern = Constructs.Operations.PlatformNotifications.EmailAddressPattern,
        PatternMessage = "not an email address; allowed name@domain.tld in ASCII letters, digits and !#$%&'*+/=?^_`{|}~- (dots only between them)")]
    public IReadOnlyList<string> NotificationEmails { get; init; } = [];

    [Schema("Tags on every taggable resource: at most 46 (AWS allows 50 per resource; the app adds environment=<name>, the CDK adds Name and aws-cdk:subnet-* on subnets), keys distinct ignoring case (IAM treats Owner and owner as one key) and not reserved (aws: and aws-cdk: prefixes, Name, environment in any case), at most 10000 UTF-8 bytes of keys and values together (the template stays under CloudFormation's 1 MiB); ASCII only when studio.notebookJobs is true (they go into the SageMaker Python SDK defaults).",
        MaxProperties = MaxTags)]
    [Keys(MinLength = 1, MaxLength = 128, Pattern = TagPattern, PatternMessage = "not a valid tag key; allowed letters, digits, spaces and _ . : / = + - @",
        NotPattern = ReservedTagKeyPattern, Message = "reserved (AWS reserves aws:, the CDK sets Name and aws-cdk:*, the app sets environment, and IAM compares keys ignoring case); allowed any other key, e.g. \"owner\" or \"display-name\"")]
    [Items(MinLength = MinTagValueLength, MaxLength = MaxTagValueLength, Pattern = TagPattern,
        PatternMessage = "not a valid tag value; allowed letters, digits, spaces and _ . : / = + - @ (" + TagValueReason + ")")]
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    [Schema("How the recipes' registered model versions are approved (README, Registering the trained model). Absent: manually, by no named approver.")]
    public RegistryConfig Registry { get; init; } = new();
}

/// <summary>How the training and Studio network reaches the outside world.</summary>
public enum NetworkMode
{
    [Schema("no internet gateway and no NAT; AWS services through VPC endpoints.")]
    Isolated,

    [Schema("a NAT gateway, for environments that must reach the Hugging Face Hub or PyPI.")]
    ControlledEgress,
}

/// <summary>The <c>network</c> section of an environment file.</summary>
public sealed record NetworkConfig
{
    [Schema("How the VPC reaches the outside world.")]
    public required NetworkMode Mode { get; init; }

    [Schema("IPv4 CIDR of the VPC: a private block, /16 to /24, written as its network address (no host bits set).",
        Pattern = @"^(?:10\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168)(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){2}/(?:1[6-9]|2[0-4])\z",
        PatternMessage = "not a private IPv4 CIDR block of /16 to /24; allowed an address in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 with a prefix of /16 to /24 (e.g. \"10.20.0.0/16\")")]
    public required string Cidr { get; init; }
}

/// <summary>The <c>training</c> section of an environment file, and each recipe's guardrails.</summary>
[Schema("Training guardrails: what jobs may use.", Definition = "training")]
public sealed record TrainingConfig
{
    [Schema("The only instance types jobs may use: GPU training types of the instance-type catalog (constructs/Training/Catalog/instance-types.json; the Hugging Face training DLCs are GPU-only). A recipe's types need its GPU memory per GPU (training-scripts/<recipe>/recipe.json gpu.minimumMemoryGiB).",
        MinItems = 1, UniqueItems = true)]
    [Items(Values = nameof(InstanceTypes), Message = "not a GPU training instance type")]
    public required IReadOnlyList<string> AllowedInstanceTypes { get; init; }

    [Schema("Instance type used when an execution names none; one of allowedInstanceTypes.",
        Values = nameof(InstanceTypes), Message = "not a GPU training instance type")]
    public required string DefaultInstanceType { get; init; }

    [Schema("Largest instance count an execution may request. Above 1 only for a recipe with a distribution (recipe.json distribution): without one every instance would train its own copy, so the app warns and PrepareRequest allows 1.",
        Minimum = 1, Maximum = 64)]
    public required int MaxInstanceCount { get; init; }

    [Schema("Whether jobs use managed spot training unless the execution says otherwise.")]
    public required bool SpotByDefault { get; init; }

    [Schema("Upper bound of a job's MaxRuntimeInSeconds, in hours (672 = 28 days, SageMaker's limit). Checkpoints must outlive it: retention.checkpointExpirationDays at least 2 x this, in days.",
        Minimum = 1, Maximum = 672)]
    public required int MaxRuntimeHours { get; init; }

    [Schema("Largest MaxNumberOfTrainingJobs of a tuning run.", Minimum = 1, Maximum = 500)]
    public int MaxTuningJobs { get; init; } = 20;

    [Schema("Largest MaxParallelTrainingJobs of a tuning run; at most maxTuningJobs.", Minimum = 1, Maximum = 100)]
    public int MaxParallelTuningJobs { get; init; } = 2;

    [Schema("Largest warm-pool keep-alive an execution may request, in minutes (SageMaker keeps a pool at most 3600 seconds); 0 turns warm pools off, and must be 0 when spotByDefault is true (no warm pools for spot).",
        Minimum = 0, Maximum = 60)]
    public int WarmPoolKeepAliveMinutes { get; init; }
}

/// <summary>What happens to stateful resources when the stack is deleted.</summary>
public enum RemovalBehaviour
{
    [Schema("buckets, keys and log groups survive stack deletion and the stack has termination protection (required for environments named prod, production or prod-*).")]
    Retain,

    [Schema("they are deleted with the stack (throw-away environments).")]
    Destroy,
}

/// <summary>The <c>retention</c> section of an environment file.</summary>
public sealed record RetentionConfig
{
    [Schema("What happens to stateful resources on stack deletion.")]
    public required RemovalBehaviour RemovalPolicy { get; init; }

    [Schema("Days after which objects in the checkpoints bucket expire; at least 2 x maxRuntimeHours of training and of every recipe, in days (a spot job may wait as long as it runs).",
        Minimum = 1, Maximum = 3650)]
    public required int CheckpointExpirationDays { get; init; }

    [Schema("CloudWatch Logs retention in days: a period CloudWatch Logs accepts (infinite excluded).", Values = nameof(LogRetentionDays), Message = "not a CloudWatch Logs retention period")]
    public required int LogRetentionDays { get; init; }
}

/// <summary>The <c>studio</c> section of an environment file.</summary>
public sealed record StudioConfig
{
    [Schema("Minutes of inactivity after which JupyterLab and Code Editor apps shut down (1 hour to 1 year, SageMaker's IdleSettings limits).", Minimum = 60, Maximum = 525600)]
    public required int IdleTimeoutMinutes { get; init; }

    [Schema("Studio user profiles to create, names distinct ignoring case. Each is a resource carrying every tag: with the limit the largest stack stays under CloudFormation's 500 resources and 1 MiB (split a larger team over two environments).",
        MaxItems = MaxStudioUsers, UniqueItems = true)]
    public IReadOnlyList<StudioUserConfig> Users { get; init; } = [];

    [Schema("Whether Studio users may create training and tuning jobs from a notebook (estimator.fit(), the tuner, @remote) with the platform's SageMaker Python SDK defaults, only within the guardrails IAM enforces (subnets, security groups, key, network isolation, instance types, run time). False: jobs only through the pipeline. @remote needs network mode isolated.")]
    public bool NotebookJobs { get; init; }
}

/// <summary>One entry of <c>studio.users</c>.</summary>
[Schema("A Studio user profile.")]
public sealed record StudioUserConfig
{
    [Schema("User profile name.", Pattern = @"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\z",
        PatternMessage = "not a valid Studio user profile name; allowed 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit")]
    public required string Name { get; init; }
}

/// <summary>The <c>budget</c> section of an environment file.</summary>
public sealed record BudgetConfig
{
    [Schema("Monthly cost budget in US dollars, with at most 2 decimals.", ExclusiveMinimum = 0, Maximum = 10_000_000)]
    public required decimal MonthlyLimitUsd { get; init; }

    [Schema("Percentages of the limit at which an alert goes to the notification topic (AWS Budgets allows 5 notifications per budget).",
        MinItems = 1, MaxItems = MaxBudgetNotifications, UniqueItems = true)]
    [Items(Minimum = 1, Maximum = 1000)]
    public required IReadOnlyList<int> AlertThresholdsPercent { get; init; }
}

/// <summary>How a registered model version is approved (<c>registry.approval</c>).</summary>
public enum ApprovalMode
{
    [Schema("every registered model version waits for an approver (PendingManualApproval).")]
    Manual,

    [Schema("servable versions are registered Approved (e.g. dev); an artifact the serving image cannot serve still waits.")]
    Automatic,
}

/// <summary>The <c>registry</c> section of an environment file.</summary>
public sealed record RegistryConfig
{
    [Schema("Whether registered model versions wait for approval or are approved when registered.")]
    public ApprovalMode Approval { get; init; } = ApprovalMode.Manual;

    [Schema("IAM roles of the environment's account (not service-linked ones) that may approve or reject the versions of its groups, each once (IAM role names are unique in an account whatever their path and case): a customer managed policy (ModelApprovers) attached to them allows sagemaker:UpdateModelPackage on those versions only, and reviewing them.",
        MaxItems = MaxApprovers, UniqueItems = true)]
    [Items(Pattern = @"^arn:aws:iam::[0-9]{12}:role(?!.{512}.*/)/(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,64}\z",
        PatternMessage = "not an IAM role ARN; allowed arn:aws:iam::<account>:role/<path/name> (a role of the environment's account; the path, its slashes included, at most 512 characters as IAM's API model allows, its segments and the name (1 to 64) of letters, digits and _+=,.@-)",
        NotPattern = "^arn:aws:iam::[0-9]{12}:role/aws-service-role/",
        Message = "a service-linked role, whose permissions only its AWS service defines (IAM attaches no policy of yours to it); allowed a role you manage, e.g. arn:aws:iam::<account>:role/model-approvers")]
    public IReadOnlyList<string> Approvers { get; init; } = [];
}
