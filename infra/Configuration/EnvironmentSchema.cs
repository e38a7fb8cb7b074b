namespace HfSageMaker.Infra.Configuration;

/// <summary>The keys each object of an environment file may hold. The validator and the JSON Schema must agree on them.</summary>
public static class EnvironmentSchema
{
    /// <summary>Commercial AWS regions (the <c>aws</c> partition) where SageMaker training is offered.</summary>
    public static IReadOnlySet<string> Regions { get; } = new SortedSet<string>(StringComparer.Ordinal)
    {
        "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
        "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
        "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    };

    /// <summary>The retention periods CloudWatch Logs accepts (days), infinite excluded on purpose.</summary>
    public static IReadOnlyList<int> LogRetentionDays { get; } =
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    /// <summary>
    /// Keys per object, by the object's path: <c>""</c> is the file's root, <c>"studio.users[]"</c> each Studio user.
    /// <c>tags</c> is a free map and therefore not listed.
    /// </summary>
    public static IReadOnlyDictionary<string, SectionKeys> Sections { get; } = new Dictionary<string, SectionKeys>
    {
        [""] = new(
            ["name", "account", "region", "availabilityZones", "network", "training", "retention", "studio", "budget"],
            ["$schema", "description", "notificationEmails", "tags"]),
        ["network"] = new(["mode", "cidr"], []),
        ["training"] = new(
            ["allowedInstanceTypes", "defaultInstanceType", "maxInstanceCount", "spotByDefault", "maxRuntimeHours"],
            ["maxTuningJobs", "maxParallelTuningJobs", "warmPoolKeepAliveMinutes"]),
        ["retention"] = new(["removalPolicy", "checkpointExpirationDays", "logRetentionDays"], []),
        ["studio"] = new(["idleTimeoutMinutes"], ["users", "notebookJobs"]),
        ["studio.users[]"] = new(["name"], []),
        ["budget"] = new(["monthlyLimitUsd", "alertThresholdsPercent"], []),
    };
}

/// <summary>The required and optional keys of one object of an environment file.</summary>
/// <param name="Required">Keys that must be present.</param>
/// <param name="Optional">Keys that may be present.</param>
public sealed record SectionKeys(IReadOnlyList<string> Required, IReadOnlyList<string> Optional)
{
    /// <summary>Required then optional keys.</summary>
    public IReadOnlyList<string> All => [.. Required, .. Optional];
}
