namespace HfSageMaker.Infra.Configuration;

/// <summary>The keys each object of an environment file may hold. The validator and the JSON Schema must agree on them.</summary>
public static class EnvironmentSchema
{
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
        ["studio"] = new(["idleTimeoutMinutes"], ["users"]),
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
