using System.Globalization;
using HfSageMaker.Constructs.Operations;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Constructs.Training;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// Walks one parsed environment file, checks every key and value and builds the <see cref="EnvironmentConfig"/> only
/// when the file has no problem. Each problem becomes one line <c>&lt;file&gt;: &lt;field&gt;: &lt;value&gt; &lt;what is wrong&gt;; allowed &lt;what is allowed&gt;.</c>
/// </summary>
internal sealed partial class EnvironmentFileReader(string file, List<string> errors)
{
    /// <summary>What a missing required key should hold, by path.</summary>
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["name"] = "the file name without .json, e.g. \"dev\"",
        ["account"] = "a 12-digit AWS account id string, e.g. \"111111111111\"",
        ["region"] = "a region code string, e.g. \"eu-west-1\"",
        ["availabilityZones"] = "2 to 6 zones of the region, e.g. [\"eu-west-1a\", \"eu-west-1b\"]",
        ["network"] = "an object with mode and cidr",
        ["network.mode"] = "\"isolated\" or \"controlledEgress\"",
        ["network.cidr"] = "a private IPv4 CIDR /16 to /24, e.g. \"10.10.0.0/16\"",
        ["training"] = "an object with allowedInstanceTypes, defaultInstanceType, maxInstanceCount, spotByDefault, maxRuntimeHours",
        ["training.allowedInstanceTypes"] = "an array of GPU ml.* instance types, e.g. [\"ml.g5.xlarge\"]",
        ["training.defaultInstanceType"] = "one of training.allowedInstanceTypes",
        ["training.maxInstanceCount"] = "a whole number 1..64",
        ["training.spotByDefault"] = "true or false",
        ["training.maxRuntimeHours"] = "a whole number 1..672",
        ["retention"] = "an object with removalPolicy, checkpointExpirationDays, logRetentionDays",
        ["retention.removalPolicy"] = "\"retain\" or \"destroy\"",
        ["retention.checkpointExpirationDays"] = "a whole number 1..3650",
        ["retention.logRetentionDays"] = "a CloudWatch Logs retention period, e.g. 30",
        ["studio"] = "an object with idleTimeoutMinutes and users",
        ["studio.idleTimeoutMinutes"] = "a whole number 60..525600",
        ["studio.notebookJobs"] = "true or false",
        ["budget"] = "an object with monthlyLimitUsd and alertThresholdsPercent",
        ["budget.monthlyLimitUsd"] = "a number of US dollars greater than 0",
        ["budget.alertThresholdsPercent"] = "an array of 1 to 5 percentages, e.g. [80, 100]",
        ["registry"] = "an object with approval and approvers",
        ["registry.approval"] = "\"manual\" or \"automatic\"",
    };

    private const int MaxBudgetNotifications = 5;

    private readonly int _errorsAtStart = errors.Count;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,19}\\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z]{2}-[a-z]+-[0-9]\\z")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[0-9]{12}\\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^ml\\.[a-z0-9]+\\.[0-9]*x?large\\z")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\\z")]
    private static partial Regex UserNamePattern();


    [GeneratedRegex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*\\z")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})/([0-9]{1,2})\\z")]
    private static partial Regex CidrPattern();

    [GeneratedRegex("^prod(uction)?(-|\\z)")]
    private static partial Regex ProductionName();

    public EnvironmentConfig? Read(JsonElement root, string expectedName)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error("(root)", $"{Show(root)} is not a JSON object; expected an object with keys {string.Join(", ", EnvironmentSchema.Sections[""].Required)}.");
            return null;
        }

        var top = Section(root, "", "");

        var name = String(top, "name", "name");
        if (name is not null)
        {
            if (!NamePattern().IsMatch(name) || name.EndsWith('-'))
            {
                Error("name", $"\"{name}\" is not a valid environment name; allowed 1 to 20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (e.g. \"dev\", \"prod-eu\").");
            }
            else if (name != expectedName)
            {
                Error("name", $"\"{name}\" does not match the file name; allowed \"{expectedName}\" (rename the file to {name}.json or change the name).");
            }
        }

        var description = String(top, "description", "description", optional: true);
        if (description is not null && description.Length > 256)
        {
            Error("description", $"is {description.Length} characters long; allowed at most 256.");
        }

        String(top, "$schema", "$schema", optional: true);

        var account = String(top, "account", "account");
        if (account is not null && !AccountPattern().IsMatch(account))
        {
            Error("account", $"\"{account}\" is not an AWS account id; allowed exactly 12 digits, as a string (e.g. \"111111111111\").");
        }

        var region = ReadRegion(top);
        var zones = ReadAvailabilityZones(top, region);
        var network = ReadNetwork(top);
        var training = ReadTraining(top);
        var retention = ReadRetention(top);
        if (name is not null && retention is not null && ProductionName().IsMatch(name) && retention.RemovalPolicy != RemovalBehaviour.Retain)
        {
            Error("retention.removalPolicy", $"\"destroy\" is not allowed for the production environment \"{name}\"; allowed \"retain\" (production data must survive stack deletion).");
        }

        // Checkpoints must outlive the longest job: a spot job may wait up to twice its run time, and checkpoint files a
        // job does not rewrite would otherwise expire under it, so a resume would start from less or from nothing.
        if (training is not null && retention is not null)
        {
            var neededDays = (int)Math.Ceiling(2 * training.MaxRuntimeHours / 24.0);
            if (retention.CheckpointExpirationDays < neededDays)
            {
                Error("retention.checkpointExpirationDays", $"{retention.CheckpointExpirationDays} is shorter than the longest job may run; allowed {neededDays} or more (2 x training.maxRuntimeHours {training.MaxRuntimeHours}, the spot wait included, in days).");
            }
        }

        var recipes = ReadRecipes(top, training, retention, region);
        var studio = ReadStudio(top);
        var budget = ReadBudget(top);
        var emails = ReadEmails(top);
        var tags = ReadTags(top);
        var registry = ReadRegistry(top, account);
        if (studio is { NotebookJobs: true })
        {
            // The tags also go into the SageMaker Python SDK defaults, which SageMakerSdkDefaults writes in ASCII only.
            foreach (var (key, value) in tags.Where(t => !SageMakerSdkDefaults.IsSdkTagText(t.Key) || !SageMakerSdkDefaults.IsSdkTagText(t.Value)))
            {
                Error($"tags[\"{key}\"]", $"\"{key}\": \"{value}\" holds characters outside ASCII letters, digits, spaces and _ . : / = + - @, which studio.notebookJobs: true cannot carry (the tags are written into the SageMaker Python SDK defaults of notebooks); allowed those ASCII characters only, or studio.notebookJobs: false.");
            }
        }

        if (errors.Count > _errorsAtStart)
        {
            return null;
        }

        return new EnvironmentConfig
        {
            Name = name!,
            Description = description,
            Account = account!,
            Region = region!,
            AvailabilityZones = zones!,
            Network = network!,
            Training = training!,
            Recipes = recipes,
            Retention = retention!,
            Studio = studio!,
            Budget = budget!,
            NotificationEmails = emails,
            Tags = tags,
            Registry = registry,
        };
    }

    private string? ReadRegion(Dictionary<string, JsonElement> top)
    {
        var region = String(top, "region", "region");
        if (region is null)
        {
            return null;
        }

        if (!RegionPattern().IsMatch(region))
        {
            Error("region", $"\"{region}\" is not an AWS region name; allowed a region code such as \"eu-west-1\" or \"us-east-1\".");
            return null;
        }

        if (!EnvironmentSchema.Regions.Contains(region))
        {
            Error("region", $"\"{region}\" is not a supported region (a commercial AWS region where the Hugging Face training images of every recipe are published, per the DLC catalog); allowed {string.Join(", ", EnvironmentSchema.Regions)}.");
            return null;
        }

        return region;
    }

    private List<string>? ReadAvailabilityZones(Dictionary<string, JsonElement> top, string? region)
    {
        var zones = StringArray(top, "availabilityZones", "availabilityZones");
        if (zones is null)
        {
            return null;
        }

        if (zones.Count < 2 || zones.Count > 6)
        {
            Error("availabilityZones", $"has {zones.Count} zone(s); allowed 2 to 6 zones of the region (training and Studio subnets span at least two).");
        }

        for (var i = 0; i < zones.Count; i++)
        {
            var zone = zones[i];
            if (region is not null && EnvironmentSchema.AvailabilityZoneLetters.TryGetValue(region, out var letters)
                && !(zone.Length == region.Length + 1 && zone.StartsWith(region, StringComparison.Ordinal) && letters.Contains(zone[^1], StringComparison.Ordinal)))
            {
                Error($"availabilityZones[{i}]", $"\"{zone}\" is not a zone of region {region}; allowed {string.Join(", ", letters.Select(l => region + l))}.");
            }
        }

        foreach (var duplicate in zones.GroupBy(z => z).Where(g => g.Count() > 1))
        {
            Error("availabilityZones", $"\"{duplicate.Key}\" is listed more than once; allowed distinct zones.");
        }

        return zones;
    }

    private NetworkConfig? ReadNetwork(Dictionary<string, JsonElement> top)
    {
        var section = ObjectSection(top, "network");
        if (section is null)
        {
            return null;
        }

        var mode = Enum(section, "mode", "network.mode", new Dictionary<string, NetworkMode>
        {
            ["isolated"] = NetworkMode.Isolated,
            ["controlledEgress"] = NetworkMode.ControlledEgress,
        });
        var cidr = String(section, "cidr", "network.cidr");
        if (cidr is not null)
        {
            ValidateCidr(cidr);
        }

        return mode is null || cidr is null ? null : new NetworkConfig { Mode = mode.Value, Cidr = cidr };
    }

    private void ValidateCidr(string cidr)
    {
        const string allowed = "allowed a private IPv4 block (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) with a prefix of /16 to /24, e.g. \"10.20.0.0/16\"";
        var match = CidrPattern().Match(cidr);
        var octets = match.Success
            ? Enumerable.Range(1, 4).Select(i => int.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture)).ToArray()
            : [];
        if (!match.Success || octets.Any(o => o > 255))
        {
            Error("network.cidr", $"\"{cidr}\" is not an IPv4 CIDR block; {allowed}.");
            return;
        }

        var prefix = int.Parse(match.Groups[5].Value, CultureInfo.InvariantCulture);
        if (prefix < 16 || prefix > 24)
        {
            Error("network.cidr", $"\"{cidr}\" has prefix /{prefix}; {allowed}.");
            return;
        }

        var address = ((uint)octets[0] << 24) | ((uint)octets[1] << 16) | ((uint)octets[2] << 8) | (uint)octets[3];
        var hostMask = uint.MaxValue >> prefix;
        if ((address & hostMask) != 0)
        {
            var network = address & ~hostMask;
            Error("network.cidr", $"\"{cidr}\" has host bits set; allowed the network address, e.g. \"{network >> 24}.{(network >> 16) & 255}.{(network >> 8) & 255}.{network & 255}/{prefix}\".");
            return;
        }

        var isPrivate = octets[0] == 10 || (octets[0] == 172 && octets[1] >= 16 && octets[1] <= 31) || (octets[0] == 192 && octets[1] == 168);
        if (!isPrivate)
        {
            Error("network.cidr", $"\"{cidr}\" is not a private address range; {allowed}.");
        }
    }

    private TrainingConfig? ReadTraining(Dictionary<string, JsonElement> top)
    {
        var section = ObjectSection(top, "training");
        if (section is null)
        {
            return null;
        }

        var types = StringArray(section, "allowedInstanceTypes", "training.allowedInstanceTypes");
        if (types is not null)
        {
            if (types.Count == 0)
            {
                Error("training.allowedInstanceTypes", $"is empty; allowed one or more of {string.Join(", ", InstanceTypeCatalog.GpuTrainingTypes)}.");
            }

            for (var i = 0; i < types.Count; i++)
            {
                ValidateInstanceType(types[i], $"training.allowedInstanceTypes[{i}]");
            }

            foreach (var duplicate in types.GroupBy(t => t).Where(g => g.Count() > 1))
            {
                Error("training.allowedInstanceTypes", $"\"{duplicate.Key}\" is listed more than once; allowed distinct instance types.");
            }
        }

        var defaultType = String(section, "defaultInstanceType", "training.defaultInstanceType");
        if (defaultType is not null && types is not null && !types.Contains(defaultType))
        {
            Error("training.defaultInstanceType", $"\"{defaultType}\" is not in training.allowedInstanceTypes; allowed {(types.Count == 0 ? "(none listed)" : string.Join(", ", types))}.");
        }

        var count = Int(section, "maxInstanceCount", "training.maxInstanceCount", 1, 64);
        var spot = Bool(section, "spotByDefault", "training.spotByDefault");
        var hours = Int(section, "maxRuntimeHours", "training.maxRuntimeHours", 1, 672, " (28 days, SageMaker's MaxRuntimeInSeconds limit)");
        var tuningJobs = Int(section, "maxTuningJobs", "training.maxTuningJobs", 1, 500, optional: true);
        var parallel = Int(section, "maxParallelTuningJobs", "training.maxParallelTuningJobs", 1, 100, optional: true);
        var keepAlive = Int(section, "warmPoolKeepAliveMinutes", "training.warmPoolKeepAliveMinutes", 0, 60, " (0 turns warm pools off; SageMaker keeps a pool at most 3600 seconds)", optional: true);
        if (spot == true && keepAlive > 0)
        {
            Error("training.warmPoolKeepAliveMinutes", $"{keepAlive} is not allowed while training.spotByDefault is true; SageMaker has no warm pools for managed spot training, so allowed 0 (or set spotByDefault to false).");
        }

        var defaults = new TrainingConfig
        {
            AllowedInstanceTypes = [], DefaultInstanceType = "", MaxInstanceCount = 1, SpotByDefault = false, MaxRuntimeHours = 1,
        };
        var effectiveTuningJobs = tuningJobs ?? defaults.MaxTuningJobs;
        var effectiveParallel = parallel ?? defaults.MaxParallelTuningJobs;
        if (effectiveParallel > effectiveTuningJobs)
        {
            Error("training.maxParallelTuningJobs", $"{effectiveParallel} is greater than training.maxTuningJobs ({effectiveTuningJobs}); allowed 1..{effectiveTuningJobs}.");
        }

        if (types is null || defaultType is null || count is null || spot is null || hours is null)
        {
            return null;
        }

        return new TrainingConfig
        {
            AllowedInstanceTypes = types,
            DefaultInstanceType = defaultType,
            MaxInstanceCount = count.Value,
            SpotByDefault = spot.Value,
            MaxRuntimeHours = hours.Value,
            MaxTuningJobs = effectiveTuningJobs,
            MaxParallelTuningJobs = effectiveParallel,
            WarmPoolKeepAliveMinutes = keepAlive ?? defaults.WarmPoolKeepAliveMinutes,
        };
    }

    private void ValidateInstanceType(string type, string path)
    {
        if (InstanceTypeCatalog.IsGpuTrainingType(type))
        {
            return;
        }

        var supported = string.Join(", ", InstanceTypeCatalog.GpuTrainingTypes);
        if (!InstanceTypePattern().IsMatch(type))
        {
            Error(path, $"\"{type}\" is not a SageMaker training instance type; allowed ml.<family>.<size>, one of {supported}.");
        }
        else if (!InstanceTypeCatalog.GpuTrainingFamilies.Contains(InstanceTypeCatalog.FamilyOf(type) ?? string.Empty))
        {
            Error(path, $"\"{type}\" is not a GPU instance type (the Hugging Face training DLCs are GPU-only); allowed {supported}.");
        }
        else
        {
            Error(path, $"\"{type}\" is not a size of the {InstanceTypeCatalog.FamilyOf(type)} family; allowed {supported}.");
        }
    }

    private RetentionConfig? ReadRetention(Dictionary<string, JsonElement> top)
    {
        var section = ObjectSection(top, "retention");
        if (section is null)
        {
            return null;
        }

        var policy = Enum(section, "removalPolicy", "retention.removalPolicy", new Dictionary<string, RemovalBehaviour>
        {
            ["retain"] = RemovalBehaviour.Retain,
            ["destroy"] = RemovalBehaviour.Destroy,
        });
        var checkpoints = Int(section, "checkpointExpirationDays", "retention.checkpointExpirationDays", 1, 3650);
        var logs = Int(section, "logRetentionDays", "retention.logRetentionDays", EnvironmentSchema.LogRetentionDays[0], EnvironmentSchema.LogRetentionDays[^1], $", one of {string.Join(", ", EnvironmentSchema.LogRetentionDays)} (CloudWatch Logs retention periods)");
        if (logs is not null && !EnvironmentSchema.LogRetentionDays.Contains(logs.Value))
        {
            Error("retention.logRetentionDays", $"{logs} is not a CloudWatch Logs retention period; allowed {string.Join(", ", EnvironmentSchema.LogRetentionDays)}.");
            logs = null;
        }

        return policy is null || checkpoints is null || logs is null
            ? null
            : new RetentionConfig { RemovalPolicy = policy.Value, CheckpointExpirationDays = checkpoints.Value, LogRetentionDays = logs.Value };
    }

    private StudioConfig? ReadStudio(Dictionary<string, JsonElement> top)
    {
        var section = ObjectSection(top, "studio");
        if (section is null)
        {
            return null;
        }

        var idle = Int(section, "idleTimeoutMinutes", "studio.idleTimeoutMinutes", 60, 525600, " (1 hour to 1 year, SageMaker's IdleSettings limits)");
        var users = new List<StudioUserConfig>();
        if (section.TryGetValue("users", out var usersElement))
        {
            if (usersElement.ValueKind != JsonValueKind.Array)
            {
                Error("studio.users", $"{Show(usersElement)} is not an array; allowed an array of objects like {{\"name\": \"alice\"}}.");
            }
            else
            {
                var index = 0;
                foreach (var item in usersElement.EnumerateArray())
                {
                    var path = $"studio.users[{index++}]";
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        Error(path, $"{Show(item)} is not an object; allowed an object like {{\"name\": \"alice\"}}.");
                        continue;
                    }

                    var user = Section(item, "studio.users[]", path);
                    var userName = String(user, "name", $"{path}.name");
                    if (userName is null)
                    {
                        continue;
                    }

                    if (!UserNamePattern().IsMatch(userName))
                    {
                        Error($"{path}.name", $"\"{userName}\" is not a valid Studio user profile name; allowed 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.");
                    }

                    users.Add(new StudioUserConfig { Name = userName });
                }

                if (index > EnvironmentSchema.MaxStudioUsers)
                {
                    Error("studio.users", $"has {index} users; allowed at most {EnvironmentSchema.MaxStudioUsers}: each is a resource carrying every tag, and CloudFormation accepts at most 500 resources and 1 MiB per template (split the team over two environments).");
                }

                foreach (var duplicate in users.GroupBy(u => u.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
                {
                    Error("studio.users", $"\"{duplicate.Key}\" is listed more than once (names are compared ignoring case); allowed distinct user names.");
                }
            }
        }

        var notebookJobs = Bool(section, "notebookJobs", "studio.notebookJobs", optional: true);
        return idle is null ? null : new StudioConfig { IdleTimeoutMinutes = idle.Value, Users = users, NotebookJobs = notebookJobs ?? false };
    }

    private BudgetConfig? ReadBudget(Dictionary<string, JsonElement> top)
    {
        var section = ObjectSection(top, "budget");
        if (section is null)
        {
            return null;
        }

        decimal? limit = null;
        if (Present(section, "monthlyLimitUsd", "budget.monthlyLimitUsd", out var limitElement))
        {
            if (limitElement.ValueKind != JsonValueKind.Number || !limitElement.TryGetDecimal(out var value))
            {
                Error("budget.monthlyLimitUsd", $"{Show(limitElement)} is not a number; allowed a number of US dollars greater than 0, e.g. 500.");
            }
            else if (value <= 0 || value > 10_000_000 || decimal.Round(value, 2) != value)
            {
                Error("budget.monthlyLimitUsd", $"{Show(limitElement)} is out of range; allowed greater than 0 and at most 10000000 US dollars, with at most 2 decimals.");
            }
            else
            {
                limit = value;
            }
        }

        List<int>? thresholds = null;
        if (Present(section, "alertThresholdsPercent", "budget.alertThresholdsPercent", out var thresholdsElement))
        {
            if (thresholdsElement.ValueKind != JsonValueKind.Array)
            {
                Error("budget.alertThresholdsPercent", $"{Show(thresholdsElement)} is not an array; allowed 1 to {MaxBudgetNotifications} whole percentages 1..1000, e.g. [80, 100].");
            }
            else
            {
                thresholds = [];
                var index = 0;
                foreach (var item in thresholdsElement.EnumerateArray())
                {
                    var path = $"budget.alertThresholdsPercent[{index++}]";
                    if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var percent))
                    {
                        Error(path, $"{Show(item)} is not a whole number; allowed 1..1000.");
                    }
                    else if (percent < 1 || percent > 1000)
                    {
                        Error(path, $"{percent} is out of range; allowed 1..1000.");
                    }
                    else
                    {
                        thresholds.Add(percent);
                    }
                }

                if (index == 0 || index > MaxBudgetNotifications)
                {
                    Error("budget.alertThresholdsPercent", $"has {index} threshold(s); allowed 1 to {MaxBudgetNotifications} (AWS Budgets' notifications per budget).");
                }

                foreach (var duplicate in thresholds.GroupBy(t => t).Where(g => g.Count() > 1))
                {
                    Error("budget.alertThresholdsPercent", $"{duplicate.Key} is listed more than once; allowed distinct percentages.");
                }
            }
        }

        return limit is null || thresholds is null
            ? null
            : new BudgetConfig { MonthlyLimitUsd = limit.Value, AlertThresholdsPercent = thresholds };
    }

    /// <summary>
    /// <c>registry</c>: <c>approval</c> (<c>manual</c>, the default, or <c>automatic</c>) and <c>approvers</c>, IAM role
    /// ARNs of the environment's own account (a policy of this stack can attach only to its account's roles).
    /// </summary>
    private RegistryConfig ReadRegistry(Dictionary<string, JsonElement> top, string? account)
    {
        if (!top.ContainsKey("registry"))
        {
            return new RegistryConfig();
        }

        var section = ObjectSection(top, "registry");
        if (section is null)
        {
            return new RegistryConfig();
        }

        var approval = section.ContainsKey("approval")
            ? Enum(section, "approval", "registry.approval", new Dictionary<string, ApprovalMode> { ["manual"] = ApprovalMode.Manual, ["automatic"] = ApprovalMode.Automatic })
            : ApprovalMode.Manual;
        var approvers = StringArray(section, "approvers", "registry.approvers", optional: true) ?? [];
        for (var i = 0; i < approvers.Count; i++)
        {
            var match = RoleArnPattern().Match(approvers[i]);
            if (!match.Success)
            {
                Error($"registry.approvers[{i}]", $"\"{approvers[i]}\" is not an IAM role ARN; allowed arn:aws:iam::<account>:role/<path/name> (the roles that may approve or reject the environment's model versions).");
            }
            else if (account is not null && match.Groups["account"].Value != account)
            {
                Error($"registry.approvers[{i}]", $"\"{approvers[i]}\" is a role of account {match.Groups["account"].Value}; allowed roles of the environment's account {account} (the stack attaches the approvers' policy to them).");
            }
        }

        if (approvers.Count > EnvironmentSchema.MaxApprovers)
        {
            Error("registry.approvers", $"has {approvers.Count} roles; allowed at most {EnvironmentSchema.MaxApprovers} (give one approvers' role to the people who approve).");
        }

        foreach (var duplicate in approvers.GroupBy(a => a, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Error("registry.approvers", $"\"{duplicate.Key}\" is listed more than once; allowed distinct roles.");
        }

        return new RegistryConfig { Approval = approval ?? ApprovalMode.Manual, Approvers = approvers };
    }

    // IAM: role names 1-64 of [\w+=,.@-], paths of /-separated segments of the same characters (IAM user guide, IAM identifiers).
    [GeneratedRegex(@"^arn:aws:iam::(?<account>[0-9]{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}\z", RegexOptions.CultureInvariant | RegexOptions.ECMAScript)]
    private static partial Regex RoleArnPattern();

    private List<string> ReadEmails(Dictionary<string, JsonElement> top)
    {
        var emails = StringArray(top, "notificationEmails", "notificationEmails", optional: true) ?? [];
        for (var i = 0; i < emails.Count; i++)
        {
            if (!PlatformNotifications.IsEmailAddress(emails[i]))
            {
                Error($"notificationEmails[{i}]", $"\"{emails[i]}\" is not an email address; allowed name@domain.tld in ASCII letters, digits and !#$%&'*+/=?^_`{{|}}~- (dots only between them), at most 254 characters.");
            }
        }

        if (emails.Count > EnvironmentSchema.MaxNotificationEmails)
        {
            Error("notificationEmails", $"has {emails.Count} addresses; allowed at most {EnvironmentSchema.MaxNotificationEmails}: each is a subscription resource of the stack (subscribe a mailing list instead).");
        }

        foreach (var duplicate in emails.GroupBy(e => e, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            Error("notificationEmails", $"\"{duplicate.Key}\" is listed more than once; allowed distinct addresses.");
        }

        return emails;
    }

    private Dictionary<string, string> ReadTags(Dictionary<string, JsonElement> top)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!top.TryGetValue("tags", out var element))
        {
            return tags;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            Error("tags", $"{Show(element)} is not an object; allowed an object of string values, e.g. {{\"cost-center\": \"ml-42\"}}.");
            return tags;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        // IAM compares tag keys ignoring case and refuses a role carrying two that differ only in case
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#case-sensitivity); every tag lands on the roles.
        var seenIgnoringCase = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            var key = property.Name;
            var path = $"tags[\"{key}\"]";
            if (!seen.Add(key))
            {
                Error(path, "is defined more than once; allowed each key once.");
                continue;
            }

            if (!seenIgnoringCase.TryAdd(key, key))
            {
                Error(path, $"differs from tags[\"{seenIgnoringCase[key]}\"] only in case, which IAM treats as the same key and refuses on the roles; allowed keys distinct ignoring case (keep one).");
            }

            if (key.Length is < 1 or > 128 || !TagPattern().IsMatch(key))
            {
                Error(path, "is not a valid tag key; allowed 1 to 128 letters, digits, spaces and _ . : / = + - @.");
            }
            else if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                Error(path, "uses the reserved prefix \"aws:\"; allowed any key not starting with aws:.");
            }
            else if (string.Equals(key, PlatformApp.EnvironmentTag, StringComparison.OrdinalIgnoreCase))
            {
                Error(path, $"is reserved (the app sets {PlatformApp.EnvironmentTag}=<name> on every resource, and IAM compares keys ignoring case); allowed any other key.");
            }
            else if (key == "Name" || key.StartsWith("aws-cdk:", StringComparison.OrdinalIgnoreCase))
            {
                Error(path, "is reserved (the CDK sets Name and aws-cdk:* on the VPC and its subnets); allowed any other key, e.g. \"name\" or \"display-name\".");
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                Error(path, $"{Show(property.Value)} is not a string; allowed a string of {EnvironmentSchema.MinTagValueLength} to {EnvironmentSchema.MaxTagValueLength} characters.");
                continue;
            }

            var value = property.Value.GetString()!;
            if (value.Length is < EnvironmentSchema.MinTagValueLength or > EnvironmentSchema.MaxTagValueLength || !TagPattern().IsMatch(value))
            {
                Error(path, $"{Show(property.Value)} is not a valid tag value; allowed {EnvironmentSchema.MinTagValueLength} to {EnvironmentSchema.MaxTagValueLength} letters, digits, spaces and _ . : / = + - @ ({EnvironmentSchema.TagValueReason}).");
            }

            tags[key] = value;
        }

        if (seen.Count > EnvironmentSchema.MaxTags)
        {
            Error("tags", $"has {seen.Count} tags; allowed at most {EnvironmentSchema.MaxTags}: AWS allows {EnvironmentSchema.AwsTagsPerResource} per resource and the app and the CDK add up to {EnvironmentSchema.AddedTagKeys.Count} ({string.Join(", ", EnvironmentSchema.AddedTagKeys)}).");
        }

        var bytes = seen.Sum(k => System.Text.Encoding.UTF8.GetByteCount(k) + (tags.TryGetValue(k, out var v) ? System.Text.Encoding.UTF8.GetByteCount(v) : 0));
        if (bytes > EnvironmentSchema.MaxTagBytes)
        {
            Error("tags", $"keys and values total {bytes} bytes (UTF-8); allowed at most {EnvironmentSchema.MaxTagBytes}: every tag is written onto each tagged resource and CloudFormation accepts templates up to 1 MiB (shorten or drop tags).");
        }

        return tags;
    }

    // ---- generic helpers -------------------------------------------------------------------------------------------

    /// <summary>Checks the keys of an object (unknown, duplicate, missing) and returns the known ones.</summary>
    private Dictionary<string, JsonElement> Section(JsonElement obj, string schemaKey, string path)
    {
        var keys = EnvironmentSchema.Sections[schemaKey];
        var allowed = keys.All;
        var known = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            var fieldPath = Join(path, property.Name);
            if (!allowed.Contains(property.Name))
            {
                var suggestion = Suggest(property.Name, allowed);
                Error(fieldPath, $"unknown key{(suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)")}; allowed keys{(path.Length == 0 ? "" : $" in {path}")}: {string.Join(", ", allowed)}.");
            }
            else if (!known.TryAdd(property.Name, property.Value))
            {
                Error(fieldPath, "is defined more than once; allowed each key once.");
            }
        }

        return known;
    }

    private Dictionary<string, JsonElement>? ObjectSection(Dictionary<string, JsonElement> parent, string key)
    {
        if (!Present(parent, key, key, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            Error(key, $"{Show(element)} is not an object; allowed an object with keys {string.Join(", ", EnvironmentSchema.Sections[key].All)}.");
            return null;
        }

        return Section(element, key, key);
    }

    private bool Present(Dictionary<string, JsonElement> section, string key, string path, out JsonElement element, bool optional = false)
    {
        if (section.TryGetValue(key, out element))
        {
            return true;
        }

        if (!optional)
        {
            Error(path, $"required key is missing; allowed {Expected.GetValueOrDefault(path, path.EndsWith(".name", StringComparison.Ordinal) ? "a user profile name string, e.g. \"alice\"" : "a value")} (see environments/environment.schema.json).");
        }

        return false;
    }

    private string? String(Dictionary<string, JsonElement> section, string key, string path, bool optional = false)
    {
        if (!Present(section, key, path, out var element, optional))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
        {
            Error(path, $"{Show(element)} is not a non-empty string; allowed a JSON string.");
            return null;
        }

        return element.GetString();
    }

    private List<string>? StringArray(Dictionary<string, JsonElement> section, string key, string path, bool optional = false)
    {
        if (!Present(section, key, path, out var element, optional))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            Error(path, $"{Show(element)} is not an array; allowed an array of strings.");
            return null;
        }

        var values = new List<string>();
        var index = 0;
        var ok = true;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                Error($"{path}[{index}]", $"{Show(item)} is not a non-empty string; allowed a JSON string.");
                ok = false;
            }
            else
            {
                values.Add(item.GetString()!);
            }

            index++;
        }

        return ok ? values : null;
    }

    private int? Int(Dictionary<string, JsonElement> section, string key, string path, int min, int max, string note = "", bool optional = false)
    {
        if (!Present(section, key, path, out var element, optional))
        {
            return null;
        }

        var range = min == int.MinValue ? "a whole number" : $"{min}..{max}{note}";
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            Error(path, $"{Show(element)} is not a whole number; allowed {range}.");
            return null;
        }

        if (value < min || value > max)
        {
            Error(path, $"{value} is out of range; allowed {range}.");
            return null;
        }

        return value;
    }

    private bool? Bool(Dictionary<string, JsonElement> section, string key, string path, bool optional = false)
    {
        if (!Present(section, key, path, out var element, optional))
        {
            return null;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(path, $"{Show(element)} is not a boolean; allowed true or false (without quotes).");
            return null;
        }

        return element.GetBoolean();
    }

    private T? Enum<T>(Dictionary<string, JsonElement> section, string key, string path, Dictionary<string, T> values)
        where T : struct
    {
        if (!Present(section, key, path, out var element))
        {
            return null;
        }

        var allowed = string.Join(" or ", values.Keys.Select(v => $"\"{v}\""));
        if (element.ValueKind != JsonValueKind.String || !values.TryGetValue(element.GetString()!, out var value))
        {
            var suggestion = element.ValueKind == JsonValueKind.String ? Suggest(element.GetString()!, values.Keys.ToList()) : null;
            Error(path, $"{Show(element)} is not a valid value{(suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)")}; allowed {allowed}.");
            return null;
        }

        return value;
    }

    private void Error(string path, string message) => errors.Add($"{file}: {path}: {message}");

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The value as written in the file, shortened for long values.</summary>
    private static string Show(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length <= 80 ? raw : raw[..77] + "...";
    }

    /// <summary>The allowed key closest to <paramref name="key"/>, when it is plausibly a typo.</summary>
    internal static string? Suggest(string key, IReadOnlyList<string> allowed)
    {
        var exact = allowed.FirstOrDefault(a => string.Equals(a, key, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return exact;
        }

        var best = allowed
            .Select(a => (Key: a, Distance: Distance(key.ToLowerInvariant(), a.ToLowerInvariant())))
            .OrderBy(x => x.Distance)
            .First();
        return best.Distance <= Math.Max(2, best.Key.Length / 3) ? best.Key : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
