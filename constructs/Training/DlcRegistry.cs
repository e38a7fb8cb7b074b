using System.Globalization;
using Amazon.CDK;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// What the Hugging Face DLC resolvers (<see cref="HuggingFaceImage"/>, <see cref="HuggingFaceInferenceImage"/>,
/// <see cref="HuggingFaceLlmImage"/>) share: the ECR registry domain of a region, the per-stack region mapping for
/// environment-agnostic stacks, version ordering and "nearest" suggestions, and the one error format.
/// </summary>
internal static class DlcRegistry
{
    /// <summary>
    /// ECR registry DNS suffix of a region's partition, as botocore's endpoint data gives it for <c>ecr</c> (the SDK
    /// takes the hostname from there: <c>image_uris.py</c> <c>retrieve</c>, v2.257.6 line 216): <c>amazonaws.com</c>,
    /// <c>amazonaws.com.cn</c> (aws-cn), <c>c2s.ic.gov</c> (aws-iso), <c>sc2s.sgov.gov</c> (aws-iso-b),
    /// <c>csp.hci.ic.gov</c> (aws-iso-f), <c>cloud.adc-e.uk</c> (aws-iso-e).
    /// </summary>
    public static string Domain(string region)
    {
        if (region.StartsWith("cn-", StringComparison.Ordinal)) return "amazonaws.com.cn";
        if (region.StartsWith("us-isob-", StringComparison.Ordinal)) return "sc2s.sgov.gov";
        if (region.StartsWith("us-isof-", StringComparison.Ordinal)) return "csp.hci.ic.gov";
        if (region.StartsWith("eu-isoe-", StringComparison.Ordinal)) return "cloud.adc-e.uk";
        if (region.StartsWith("us-iso-", StringComparison.Ordinal)) return "c2s.ic.gov";
        if (region.Contains("-iso", StringComparison.Ordinal))
            throw new ArgumentException($"No ECR domain is known for region '{region}'.", nameof(region));
        return "amazonaws.com";
    }

    /// <summary>The image URI <c>{account}.dkr.ecr.{region}.{domain}/{repository}:{tag}</c> of a concrete region.</summary>
    public static string Uri(IReadOnlyDictionary<string, string> registries, string region, string repository, string tag) =>
        $"{registries[region]}.dkr.ecr.{region}.{Domain(region)}/{repository}:{tag}";

    /// <summary>
    /// The image URI for an environment-agnostic stack: an <c>Fn::Join</c> of <c>Fn::FindInMap</c> on the stack's
    /// <see cref="CfnMapping"/> <paramref name="mappingId"/> (region -> <c>account</c>, <c>domain</c>, added once) and
    /// <c>AWS::Region</c>.
    /// </summary>
    public static string AgnosticUri(Stack stack, string mappingId, IReadOnlyDictionary<string, string> registries, string repository, string tag)
    {
        var mapping = Mapping(stack, mappingId, registries);
        return Fn.Join("", [
            mapping.FindInMap(Aws.REGION, "account"), ".dkr.ecr.", Aws.REGION, ".", mapping.FindInMap(Aws.REGION, "domain"),
            "/", repository, ":", tag,
        ]);
    }

    private static CfnMapping Mapping(Stack stack, string mappingId, IReadOnlyDictionary<string, string> registries)
    {
        var existing = stack.Node.TryFindChild(mappingId);
        if (existing is CfnMapping mapping) return mapping;
        if (existing is not null)
            throw new InvalidOperationException($"Stack '{stack.Node.Path}' already has a child '{mappingId}' that is not a CfnMapping.");
        var values = new Dictionary<string, IDictionary<string, object>>(StringComparer.Ordinal);
        foreach (var region in registries.Keys.OrderBy(r => r, StringComparer.Ordinal))
            values[region] = new Dictionary<string, object> { ["account"] = registries[region], ["domain"] = Domain(region) };
        return new CfnMapping(stack, mappingId, new CfnMappingProps { Mapping = values });
    }

    /// <summary>Adds a problem for each unresolved token among <paramref name="values"/>; true when there was one.</summary>
    public static bool AnyToken(List<(string Param, string Message)> problems, params (string Param, string? Value)[] values)
    {
        var any = false;
        foreach (var (param, value) in values)
        {
            if (value is null || !CdkTokens.IsUnresolved(value)) continue;
            problems.Add((param, $"{param} is an unresolved token ('{value}'); the image tag is chosen at synthesis, give a literal version."));
            any = true;
        }
        return any;
    }

    /// <summary>
    /// Adds a <c>region</c> problem when <paramref name="region"/> has no registry in the catalog (with the nearest and all
    /// regions) or does not host the chosen image (with the regions that do).
    /// </summary>
    /// <param name="region">The concrete region asked for.</param>
    /// <param name="supportedRegions">Every region of the catalog, sorted.</param>
    /// <param name="imageRegions">The regions that host the chosen image.</param>
    /// <param name="catalogImages">What the catalog holds, e.g. "Hugging Face PyTorch training DLC".</param>
    /// <param name="image">The chosen image, e.g. "transformers 4.26.0 with PyTorch 1.13.1".</param>
    /// <param name="problems">Where the problem is added.</param>
    public static void CheckRegion(string region, IReadOnlyCollection<string> supportedRegions, IReadOnlyList<string> imageRegions,
        string catalogImages, string image, List<(string Param, string Message)> problems)
    {
        if (!supportedRegions.Contains(region, StringComparer.Ordinal))
        {
            problems.Add(("region",
                $"region '{region}' hosts no {catalogImages} in the SageMaker Python SDK catalog; nearest: "
                + $"{string.Join(", ", NearestRegions(region, supportedRegions, 3))} (all: {string.Join(", ", supportedRegions)})."));
        }
        else if (!imageRegions.Contains(region, StringComparer.Ordinal))
        {
            problems.Add(("region", $"region '{region}' does not host {image}; regions that do: {string.Join(", ", imageRegions)}."));
        }
    }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem, named after the first one's parameter.</summary>
    public static void ThrowIfAny(string what, List<(string Param, string Message)> problems)
    {
        if (problems.Count == 0) return;
        throw new ArgumentException(
            $"Invalid {what} request:\n - " + string.Join("\n - ", problems.Select(p => p.Message)),
            problems[0].Param);
    }

    /// <summary>The <paramref name="count"/> candidates numerically nearest to <paramref name="requested"/> (newest first on ties).</summary>
    public static IEnumerable<string> NearestVersions(string requested, IReadOnlyList<string> candidates, int count)
    {
        var target = VersionNumber(requested);
        if (target is null) return candidates.Reverse().Take(count);
        return candidates
            .OrderBy(c => Math.Abs(VersionNumber(c)!.Value - target.Value))
            .ThenByDescending(c => VersionNumber(c)!.Value)
            .Take(count);
    }

    /// <summary>major.minor.patch as one comparable number (a missing part counts as 0); <c>null</c> when not numeric.</summary>
    public static long? VersionNumber(string? version)
    {
        var parts = (version ?? "").Trim().Split('.');
        if (parts.Length is < 1 or > 3) return null;
        long value = 0;
        for (var i = 0; i < 3; i++)
        {
            var part = i < parts.Length ? parts[i] : "0";
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 999) return null;
            value = value * 1000 + n;
        }
        return value;
    }

    /// <summary>The <paramref name="count"/> candidates closest in spelling to <paramref name="requested"/>.</summary>
    public static IEnumerable<string> NearestRegions(string requested, IEnumerable<string> candidates, int count) =>
        candidates.OrderBy(c => Levenshtein(requested ?? "", c)).ThenBy(c => c, StringComparer.Ordinal).Take(count);

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
