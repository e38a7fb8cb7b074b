namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// One deployment environment, read from <c>environments/&lt;name&gt;.json</c>. Every field is validated by
/// <see cref="EnvironmentLoader"/> before any construct sees it; the constructs never re-read the file.
/// JSON keys are the camelCase form of the property names.
/// </summary>
public sealed record EnvironmentConfig
{
    /// <summary>Environment name; must equal the file name without extension. Lowercase letters, digits and hyphens.</summary>
    public required string Name { get; init; }
    /// <summary>Optional free text for reviewers: what the environment is for and who owns it (at most 256 characters).</summary>
    public string? Description { get; init; }
    /// <summary>12-digit AWS account id.</summary>
    public required string Account { get; init; }
    /// <summary>AWS region, e.g. <c>eu-west-1</c>.</summary>
    public required string Region { get; init; }
    /// <summary>Two or more availability zones of <see cref="Region"/>; fixed so synthesis needs no AWS lookups.</summary>
    public required IReadOnlyList<string> AvailabilityZones { get; init; }
    /// <summary>VPC shape and egress mode.</summary>
    public required NetworkConfig Network { get; init; }
    /// <summary>What training and tuning jobs may use.</summary>
    public required TrainingConfig Training { get; init; }
    /// <summary>
    /// The recipes the environment deploys, each with its guardrails (the <c>training</c> section overlaid with the
    /// recipe's own keys). Null (no <c>recipes</c> in the file): the translation recipe alone, under
    /// <see cref="Training"/>. Read it through <see cref="DeployedRecipes"/>.
    /// </summary>
    public IReadOnlyList<RecipeConfig>? Recipes { get; init; }
    /// <summary>The recipes deployed: <see cref="Recipes"/>, or the translation recipe under <see cref="Training"/>.</summary>
    public IReadOnlyList<RecipeConfig> DeployedRecipes =>
        Recipes ?? [new RecipeConfig { Name = Infra.Recipes.RecipeRegistry.DefaultRecipe, Training = Training }];
    /// <summary>What is kept, for how long, and what happens on stack deletion.</summary>
    public required RetentionConfig Retention { get; init; }
    /// <summary>The Studio domain and its users.</summary>
    public required StudioConfig Studio { get; init; }
    /// <summary>The monthly cost budget and its alerts.</summary>
    public required BudgetConfig Budget { get; init; }
    /// <summary>Email addresses subscribed to the notification topic (failures, budget alerts). May be empty.</summary>
    public IReadOnlyList<string> NotificationEmails { get; init; } = [];
    /// <summary>Tags applied to every taggable resource of the environment's stacks.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>How the recipes' registered models are approved. Default: manually, by no named approver.</summary>
    public RegistryConfig Registry { get; init; } = new();
}

/// <summary>How the training and Studio network reaches the outside world.</summary>
public enum NetworkMode
{
    /// <summary>Private isolated subnets only: no internet gateway, no NAT; AWS services through VPC endpoints.</summary>
    Isolated,
    /// <summary>Private subnets with a NAT gateway, for environments that must reach the Hugging Face Hub or PyPI.</summary>
    ControlledEgress,
}

/// <summary>The <c>network</c> section of an environment file.</summary>
public sealed record NetworkConfig
{
    /// <summary>JSON: <c>"isolated"</c> or <c>"controlledEgress"</c>.</summary>
    public required NetworkMode Mode { get; init; }
    /// <summary>IPv4 CIDR of the VPC, /16 to /24.</summary>
    public required string Cidr { get; init; }
}

/// <summary>The <c>training</c> section of an environment file.</summary>
public sealed record TrainingConfig
{
    /// <summary>The only instance types training and tuning jobs may use (GPU <c>ml.*</c> types).</summary>
    public required IReadOnlyList<string> AllowedInstanceTypes { get; init; }
    /// <summary>Instance type used when an execution does not choose one; must be in <see cref="AllowedInstanceTypes"/>.</summary>
    public required string DefaultInstanceType { get; init; }
    /// <summary>Largest instance count an execution may request (1 to 64).</summary>
    public required int MaxInstanceCount { get; init; }
    /// <summary>Whether jobs use managed spot training unless the execution input says otherwise.</summary>
    public required bool SpotByDefault { get; init; }
    /// <summary>Upper bound of a job's MaxRuntimeInSeconds, in hours (1 to 672, i.e. 28 days).</summary>
    public required int MaxRuntimeHours { get; init; }
    /// <summary>Largest tuning job size: MaxNumberOfTrainingJobs an execution may request (1 to 500).</summary>
    public int MaxTuningJobs { get; init; } = 20;
    /// <summary>Largest MaxParallelTrainingJobs an execution may request (1 to 100, at most <see cref="MaxTuningJobs"/>).</summary>
    public int MaxParallelTuningJobs { get; init; } = 2;
    /// <summary>
    /// Largest warm-pool keep-alive an execution may request, in minutes (0 to 60; 0 = warm pools off). SageMaker's
    /// <c>KeepAlivePeriodInSeconds</c> is at most 3600, and the default warm-pool quota is 0.
    /// </summary>
    public int WarmPoolKeepAliveMinutes { get; init; }
}

/// <summary>What happens to stateful resources when the stack is deleted.</summary>
public enum RemovalBehaviour
{
    /// <summary>Buckets, keys and log groups are kept (use in production).</summary>
    Retain,
    /// <summary>Buckets, keys and log groups are deleted with the stack (use for throw-away environments).</summary>
    Destroy,
}

/// <summary>The <c>retention</c> section of an environment file.</summary>
public sealed record RetentionConfig
{
    /// <summary>JSON: <c>"retain"</c> or <c>"destroy"</c>.</summary>
    public required RemovalBehaviour RemovalPolicy { get; init; }
    /// <summary>Days after which objects in the checkpoints bucket expire (1 to 3650).</summary>
    public required int CheckpointExpirationDays { get; init; }
    /// <summary>CloudWatch Logs retention in days; one of the values CloudWatch Logs accepts.</summary>
    public required int LogRetentionDays { get; init; }
}

/// <summary>The <c>studio</c> section of an environment file.</summary>
public sealed record StudioConfig
{
    /// <summary>Minutes of inactivity after which JupyterLab and Code Editor apps shut down (60 to 525600).</summary>
    public required int IdleTimeoutMinutes { get; init; }
    /// <summary>Studio user profiles to create.</summary>
    public IReadOnlyList<StudioUserConfig> Users { get; init; } = [];
    /// <summary>
    /// Whether Studio users may create training and tuning jobs from a notebook (<c>estimator.fit()</c>, the tuner,
    /// <c>@remote</c>), with the platform's SDK defaults and only within the guardrails IAM enforces. Default: false
    /// (jobs only through the pipeline).
    /// </summary>
    public bool NotebookJobs { get; init; }
}

/// <summary>One entry of <c>studio.users</c>.</summary>
public sealed record StudioUserConfig
{
    /// <summary>User profile name: <c>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}</c>.</summary>
    public required string Name { get; init; }
}

/// <summary>The <c>budget</c> section of an environment file.</summary>
public sealed record BudgetConfig
{
    /// <summary>Monthly cost budget in US dollars (greater than 0).</summary>
    public required decimal MonthlyLimitUsd { get; init; }
    /// <summary>Percentages of the limit (1 to 1000) at which an alert is sent to the notification topic.</summary>
    public required IReadOnlyList<int> AlertThresholdsPercent { get; init; }
}

/// <summary>How a registered model version is approved (<c>registry.approval</c>).</summary>
public enum ApprovalMode
{
    /// <summary>Versions wait for an approver (<c>PendingManualApproval</c>).</summary>
    Manual,
    /// <summary>Servable versions are registered <c>Approved</c> (e.g. a dev environment).</summary>
    Automatic,
}

/// <summary>The <c>registry</c> section of an environment file.</summary>
public sealed record RegistryConfig
{
    /// <summary>Whether versions wait for approval (default) or are approved when registered.</summary>
    public ApprovalMode Approval { get; init; } = ApprovalMode.Manual;
    /// <summary>IAM role ARNs of the environment's account that may approve or reject versions of its groups. May be empty.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];
}
