using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Studio;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Recipes;
using HfSageMaker.Infra.Schemas;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// The rules of an environment file that a JSON Schema cannot state, each once: they relate two fields, the file to its
/// name, a field to a table outside the file (zone letters, GPU memory, image regions, recipe distributions), or sum or
/// compare across many values. Each runs on the parts of the file the schema found clean (<paramref name="dirty"/> holds
/// the JSON pointers of the schema's and the text's problems), so one run reports every problem without echoing one.
/// Builds the <see cref="EnvironmentConfig"/> when the file has no problem at all.
/// </summary>
/// <param name="file">The file as messages name it.</param>
/// <param name="root">The parsed file.</param>
/// <param name="dirty">Pointers of values with a problem already reported.</param>
/// <param name="errors">Where problems go, one line each.</param>
/// <param name="warnings">Where concerns that do not stop synthesis go.</param>
internal sealed partial class EnvironmentRules(string file, JsonElement root, IReadOnlySet<string> dirty, List<string> errors, List<string> warnings)
{
    /// <summary>How the file's JSON maps onto <see cref="EnvironmentConfig"/>: camelCase keys and enum values.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false), new WholeNumberConverter() },
    };

    [GeneratedRegex(@"^prod(uction)?(-|\z)")]
    private static partial Regex ProductionName();

    /// <summary>Runs every rule; returns the environment when the file has no problem (none before, none here).</summary>
    /// <param name="expectedName">The file name without extension, which <c>name</c> must equal.</param>
    /// <returns>The environment, or null.</returns>
    public EnvironmentConfig? Check(string expectedName)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null; // the schema said so
        }

        var start = errors.Count;
        var name = Read<string>("/name");
        var region = Read<string>("/region");
        var training = Read<TrainingConfig>("/training");
        var retention = Read<RetentionConfig>("/retention");
        var studio = Read<StudioConfig>("/studio");
        var tags = Read<Dictionary<string, string>>("/tags");
        if (name is not null && name != expectedName)
        {
            Error("name", $"\"{name}\" does not match the file name; allowed \"{expectedName}\" (rename the file to {name}.json or change the name).");
        }

        if (name is not null && retention is { RemovalPolicy: not RemovalBehaviour.Retain } && ProductionName().IsMatch(name))
        {
            Error("retention.removalPolicy", $"\"destroy\" is not allowed for the production environment \"{name}\"; allowed \"retain\" (production data must survive stack deletion).");
        }

        Zones(region, Read<List<string>>("/availabilityZones"));
        NetworkAddress(Read<NetworkConfig>("/network"));
        var recipes = Recipes(training, region, out var runtimes);
        if (training is not null)
        {
            Guardrails("training", training, null, root.TryGetProperty("recipes", out _) ? null : RecipeRegistry.Get(RecipeRegistry.DefaultRecipe));
        }

        foreach (var (label, hours) in runtimes.Where(_ => retention is not null))
        {
            // Checkpoints must outlive the longest job: a spot job may wait up to twice its run time, and checkpoint files a
            // job does not rewrite would otherwise expire under it, so a resume would start from less or from nothing.
            var neededDays = (int)Math.Ceiling(2 * hours / 24.0);
            if (retention!.CheckpointExpirationDays < neededDays)
            {
                Error("retention.checkpointExpirationDays", $"{retention.CheckpointExpirationDays} is shorter than the longest job may run; allowed {neededDays} or more (2 x {label} {hours}, the spot wait included, in days).");
            }
        }

        Distinct("studio.users", studio?.Users.Select(u => u.Name), "user names");
        Approvers(Read<string>("/account"), Read<List<string>>("/registry/approvers"));
        Distinct("notificationEmails", Read<List<string>>("/notificationEmails"), "addresses");
        Budget();
        Tags(tags, studio);
        if (errors.Count > start || dirty.Count > 0)
        {
            return null;
        }

        var config = root.Deserialize<EnvironmentConfig>(Options)!;
        return config with { Recipes = recipes?.Select(r => ReferenceEquals(r.Training, training) ? r with { Training = config.Training } : r).ToList() };
    }

    /// <summary>The value at <paramref name="pointer"/> when present and free of reported problems; otherwise default.</summary>
    private T? Read<T>(string pointer)
    {
        var clean = !dirty.Any(d => d == pointer || d.StartsWith(pointer + "/", StringComparison.Ordinal));
        return clean && SchemaProblems.At(root, pointer) is { } element ? element.Deserialize<T>(Options) : default;
    }

    private void Error(string path, string message) => errors.Add($"{file}: {path}: {message}");

    /// <summary>
    /// The approvers' roles are the environment's account's (the stack attaches their policy to them), each named once: IAM
    /// role names are unique in an account whatever their path and are not distinguished by case ("IAM name requirements",
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), and the policy lists roles by name.
    /// </summary>
    private void Approvers(string? account, List<string>? approvers)
    {
        var roles = (approvers ?? []).Select(a => (Account: a.Split(':')[4], Name: a[(a.LastIndexOf('/') + 1)..])).ToList(); // ARNs the schema found clean
        for (var i = 0; i < roles.Count; i++)
        {
            var (roleAccount, name) = roles[i];
            var first = roles.FindIndex(r => r.Account == roleAccount && string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
            if (account is not null && roleAccount != account)
            {
                Error($"registry.approvers[{i}]", $"\"{approvers![i]}\" is a role of account {roleAccount}; allowed roles of the environment's account {account} (the stack attaches the approvers' policy to them).");
            }
            else if (first < i)
            {
                Error($"registry.approvers[{i}]", $"\"{approvers![i]}\" names the role \"{name}\", as registry.approvers[{first}] (\"{approvers[first]}\") does; IAM role names are unique in an account whatever their path and case; allowed each role once (keep one).");
            }
        }
    }

    private void Zones(string? region, List<string>? zones)
    {
        if (region is null || zones is null || !EnvironmentSchema.AvailabilityZoneLetters.TryGetValue(region, out var letters))
        {
            return;
        }

        for (var i = 0; i < zones.Count; i++)
        {
            var zone = zones[i];
            if (!(zone.Length == region.Length + 1 && zone.StartsWith(region, StringComparison.Ordinal) && letters.Contains(zone[^1], StringComparison.Ordinal)))
            {
                Error($"availabilityZones[{i}]", $"\"{zone}\" is not a zone of region {region}; allowed {string.Join(", ", letters.Select(l => region + l))}.");
            }
        }
    }

    /// <summary>The CIDR must be its block's network address (the schema's pattern has made it a private /16 to /24 of ASCII digits).</summary>
    private void NetworkAddress(NetworkConfig? network)
    {
        if (network is null)
        {
            return;
        }

        var parts = network.Cidr.Split('.', '/').Select(p => uint.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var address = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
        var prefix = (int)parts[4];
        var bits = address & ~(uint.MaxValue >> prefix);
        if (bits != address)
        {
            Error("network.cidr", $"\"{network.Cidr}\" has host bits set; allowed the network address, e.g. \"{bits >> 24}.{(bits >> 16) & 255}.{(bits >> 8) & 255}.{bits & 255}/{prefix}\".");
        }
    }

    /// <summary>
    /// The recipes of <c>recipes</c>, each with its guardrails (its keys over <c>training</c>), checked; null when the
    /// file has none. <paramref name="runtimes"/>: every distinct maximum run time, with the key that sets it.
    /// </summary>
    private List<RecipeConfig>? Recipes(TrainingConfig? training, string? region, out List<(string Label, int Hours)> runtimes)
    {
        runtimes = training is null ? [] : [("training.maxRuntimeHours", training.MaxRuntimeHours)];
        if (!root.TryGetProperty("recipes", out var entries) || entries.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var recipes = new List<RecipeConfig>();
        foreach (var entry in entries.EnumerateObject().Where(e => RecipeRegistry.Names.Contains(e.Name)))
        {
            var recipe = RecipeRegistry.Get(entry.Name);
            var path = $"recipes{SchemaProblems.Key(".", entry.Name)}";
            if (region is not null && recipe.TrainingImage is { } image && !image.Regions.Contains(region, StringComparer.Ordinal))
            {
                var regions = image.Regions.Where(EnvironmentSchema.Regions.Contains).Order(StringComparer.Ordinal);
                Error(path, $"the {recipe.Name} recipe's DLC (transformers {recipe.TransformersVersion}, PyTorch {recipe.PytorchVersion}) is not published in region \"{region}\"; allowed in {string.Join(", ", regions)} (or leave {recipe.Name} out of recipes).");
            }

            if (training is null || Read<JsonObject>($"/recipes/{entry.Name}") is not { } own)
            {
                continue; // problems of the entry or of what it inherits are reported where they are
            }

            var merged = JsonSerializer.SerializeToNode(training, Options)!.AsObject();
            foreach (var (key, value) in own)
            {
                merged[key] = value?.DeepClone();
            }

            var config = merged.Deserialize<TrainingConfig>(Options)!;
            if (own.ContainsKey("maxRuntimeHours") && runtimes.All(r => r.Hours != config.MaxRuntimeHours))
            {
                runtimes.Add(($"{path}.maxRuntimeHours", config.MaxRuntimeHours));
            }

            Guardrails(path, config, own.Select(p => p.Key).ToHashSet(StringComparer.Ordinal), recipe);
            recipes.Add(new RecipeConfig { Name = entry.Name, Training = own.Count == 0 ? training : config });
        }

        return recipes;
    }

    /// <summary>
    /// The rules within one set of guardrails: <c>training</c> (<paramref name="own"/> null) or a recipe's merged ones,
    /// where a rule between keys is checked only when the recipe sets one of them (otherwise <c>training</c> reported it),
    /// and the rules of <paramref name="recipe"/> (null: <c>training</c> of a file whose <c>recipes</c> name the recipes).
    /// </summary>
    private void Guardrails(string path, TrainingConfig c, IReadOnlySet<string>? own, TrainingRecipe? recipe)
    {
        bool Own(params string[] keys) => own is null || keys.Any(own.Contains);
        string Where(string key) => own is null || own.Contains(key) ? $"{path}.{key}" : $"{path}.{key} (inherited from training.{key})";
        if (Own("defaultInstanceType", "allowedInstanceTypes") && !c.AllowedInstanceTypes.Contains(c.DefaultInstanceType))
        {
            Error($"{path}.defaultInstanceType", $"\"{c.DefaultInstanceType}\" is not in {path}.allowedInstanceTypes; allowed {string.Join(", ", c.AllowedInstanceTypes)}.");
        }

        if (Own("spotByDefault", "warmPoolKeepAliveMinutes") && c.SpotByDefault && c.WarmPoolKeepAliveMinutes > 0)
        {
            Error($"{path}.warmPoolKeepAliveMinutes", $"{c.WarmPoolKeepAliveMinutes} is not allowed while {path}.spotByDefault is true; SageMaker has no warm pools for managed spot training, so allowed 0 (or set spotByDefault to false).");
        }

        if (Own("maxTuningJobs", "maxParallelTuningJobs") && c.MaxParallelTuningJobs > c.MaxTuningJobs)
        {
            Error($"{path}.maxParallelTuningJobs", $"{c.MaxParallelTuningJobs} is greater than {path}.maxTuningJobs ({c.MaxTuningJobs}); allowed 1..{c.MaxTuningJobs}.");
        }

        if (recipe is null)
        {
            return;
        }

        var fits = InstanceTypeCatalog.GpuTrainingTypes.Where(t => InstanceTypeCatalog.Find(t)?.GpuMemoryGiB >= recipe.MinimumGpuMemoryGiB).ToList();
        for (var i = 0; i < c.AllowedInstanceTypes.Count; i++)
        {
            var memory = InstanceTypeCatalog.Find(c.AllowedInstanceTypes[i])?.GpuMemoryGiB;
            if (memory < recipe.MinimumGpuMemoryGiB)
            {
                var inherited = own is not null && !own.Contains("allowedInstanceTypes");
                Error(inherited ? $"{path}.allowedInstanceTypes (inherited from training.allowedInstanceTypes[{i}])" : $"{path}.allowedInstanceTypes[{i}]",
                    $"\"{c.AllowedInstanceTypes[i]}\" has {memory} GiB of memory per GPU; the {recipe.Name} recipe needs at least {recipe.MinimumGpuMemoryGiB} GiB ({recipe.MinimumGpuMemoryReason}); allowed {string.Join(", ", fits)}{(inherited ? $" (give {path} its own allowedInstanceTypes and defaultInstanceType)" : "")}.");
            }
        }

        if (recipe.MaxInstancesPerJob(c) < c.MaxInstanceCount)
        {
            // Not an error: the pipeline still works, and PrepareRequest lets a run ask for one instance (MaxInstancesPerRun).
            warnings.Add($"{file}: {Where("maxInstanceCount")}: {c.MaxInstanceCount} has no effect for the {recipe.Name} recipe{(own is null ? " (deployed when recipes is absent)" : "")}: it runs no distribution "
                + $"(training-scripts/{recipe.Name}/recipe.json has no \"distribution\"), so every extra instance would train its own copy of the model and "
                + $"PrepareRequest refuses an instanceCount above 1; allowed 1 (set {path}.maxInstanceCount to 1, or give the recipe a distribution).");
        }
    }

    /// <summary>Names Studio, IAM and SNS compare ignoring case: exact repeats are the schema's (uniqueItems), the rest here.</summary>
    private void Distinct(string path, IEnumerable<string>? values, string what)
    {
        foreach (var group in (values ?? []).GroupBy(v => v, StringComparer.OrdinalIgnoreCase).Where(g => g.Distinct(StringComparer.Ordinal).Count() > 1))
        {
            Error(path, $"\"{group.First()}\" is listed more than once (compared ignoring case); allowed distinct {what}.");
        }
    }

    /// <summary>At most 2 decimals: the schema's multipleOf 0.01 is inexact in binary floating point.</summary>
    private void Budget()
    {
        if (Read<JsonElement?>("/budget/monthlyLimitUsd") is { } limit && !(limit.TryGetDecimal(out var value) && value > 0 && decimal.Round(value, 2) == value))
        {
            Error("budget.monthlyLimitUsd", $"{SchemaProblems.Show(limit)} has more than 2 decimals; allowed US dollars and cents (e.g. 500 or 1234.56).");
        }
    }

    private void Tags(Dictionary<string, string>? tags, StudioConfig? studio)
    {
        if (tags is null)
        {
            return;
        }

        // IAM compares tag keys ignoring case and refuses a role carrying two that differ only in case
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#case-sensitivity); every tag lands on the roles.
        foreach (var group in tags.Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            Error($"tags{SchemaProblems.Key(".", group.Last())}", $"differs from tags{SchemaProblems.Key(".", group.First())} only in case, which IAM treats as the same key and refuses on the roles; allowed keys distinct ignoring case (keep one).");
        }

        var bytes = tags.Sum(t => Encoding.UTF8.GetByteCount(t.Key) + Encoding.UTF8.GetByteCount(t.Value));
        if (bytes > EnvironmentSchema.MaxTagBytes)
        {
            Error("tags", $"keys and values total {bytes} bytes (UTF-8); allowed at most {EnvironmentSchema.MaxTagBytes}: every tag is written onto each tagged resource and CloudFormation accepts templates up to 1 MiB (shorten or drop tags).");
        }

        // With notebook jobs the tags also go into the SageMaker Python SDK defaults, which SageMakerSdkDefaults writes in ASCII only.
        foreach (var (key, value) in tags.Where(t => studio is { NotebookJobs: true } && !(SageMakerSdkDefaults.IsSdkTagText(t.Key) && SageMakerSdkDefaults.IsSdkTagText(t.Value))))
        {
            Error($"tags{SchemaProblems.Key(".", key)}", $"\"{key}\": \"{value}\" holds characters outside ASCII letters, digits, spaces and _ . : / = + - @, which studio.notebookJobs: true cannot carry (the tags are written into the SageMaker Python SDK defaults of notebooks); allowed those ASCII characters only, or studio.notebookJobs: false.");
        }
    }

    /// <summary>Reads a JSON number as <see cref="int"/> when it is whole (<c>2.0</c> and <c>1e2</c> too, as JSON Schema's <c>integer</c>).</summary>
    private sealed class WholeNumberConverter : JsonConverter<int>
    {
        public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TryGetInt32(out var value) ? value
            : reader.TryGetDecimal(out var number) && decimal.Truncate(number) == number && number is >= int.MinValue and <= int.MaxValue ? (int)number
            : throw new JsonException($"{Encoding.UTF8.GetString(reader.ValueSpan)} is not a whole number.");

        public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }
}
