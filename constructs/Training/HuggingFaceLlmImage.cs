using Amazon.CDK;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Resolves the Hugging Face LLM inference image (Text Generation Inference, TGI) as the SageMaker Python SDK's
/// <c>sagemaker.huggingface.get_huggingface_llm_image_uri("huggingface", region=..., version=...)</c> does
/// (<c>huggingface/llm_utils.py</c>, v2.257.6 lines 31-61: <c>image_uris.retrieve("huggingface-llm", region,
/// version, image_scope="inference")</c>):
/// <c>{account}.dkr.ecr.{region}.{domain}/huggingface-pytorch-tgi-inference:{pytorch}-tgi{version}-gpu-{py}-{cuda-ubuntu}</c>.
/// </summary>
/// <remarks>
/// <para>The default version is the SDK's when <c>version</c> is <c>None</c>: <c>image_uris.py</c>
/// <c>_validate_version_and_set_if_needed</c> (lines 503-514) -> <c>_get_latest_version</c> (477-491) ->
/// <c>_fetch_latest_version_from_config</c> (767-816), which, without a <c>latest</c> alias, returns the greater of the
/// first and the last version of <c>huggingface-llm.json</c> in file order (lines 799-814): <see cref="DefaultVersion"/>,
/// 3.3.6 at v2.257.6. Short versions are the table's aliases (<c>3.3</c> -> 3.3.6, line 521) and, unlike the Hugging
/// Face DLC tags, the tag always carries the full entry: it is the entry's <c>tag_prefix</c> (line 278), then
/// <c>gpu</c> (the table's only processor; no instance type is passed, lines 538-540), the entry's only Python version
/// (lines 614-616) and its container version (line 231), joined by <c>_format_tag</c> (line 645).</para>
/// <para>The table is embedded in this assembly (<c>Training/Catalog/huggingface-llm-images.json</c>) and refreshed with
/// <c>scripts/update-dlc-catalog.py</c>; registry accounts and domains as for <see cref="HuggingFaceImage"/>.</para>
/// </remarks>
public static class HuggingFaceLlmImage
{
    /// <summary>Construct id of the per-stack <see cref="CfnMapping"/> (region -> account, domain) that
    /// <see cref="ForScope"/> adds to environment-agnostic stacks.</summary>
    public const string RegistryMappingId = "HuggingFaceLlmDlcRegistry";

    private const string What = "Hugging Face LLM (TGI) image";

    private static HuggingFaceLlmImageCatalog Catalog => HuggingFaceLlmImageCatalog.Instance;

    /// <summary>The TGI version the SDK picks when none is given (3.3.6 at SDK v2.257.6).</summary>
    public static string DefaultVersion => Catalog.DefaultVersion;

    /// <summary>Every TGI image of the catalog, ordered by version.</summary>
    public static IReadOnlyList<HuggingFaceLlmImageVersion> SupportedVersions => Catalog.Images;

    /// <summary>Every region that hosts at least one TGI image, sorted ordinally.</summary>
    public static IReadOnlyCollection<string> SupportedRegions { get; } =
        Catalog.Registries.Keys.OrderBy(r => r, StringComparer.Ordinal).ToArray();

    /// <summary>The aws/sagemaker-python-sdk commit the embedded catalog was generated from.</summary>
    public static string CatalogSourceCommit => Catalog.SourceCommit;

    /// <summary>
    /// The TGI image URI for a concrete region, e.g. <c>Uri("eu-west-1")</c> ->
    /// <c>763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04</c>.
    /// </summary>
    /// <param name="region">Concrete region name.</param>
    /// <param name="version">TGI version, full (<c>3.3.6</c>) or an SDK alias (<c>3.3</c>); default: <see cref="DefaultVersion"/>.</param>
    /// <exception cref="ArgumentException">The version or the region is unsupported; one message names each.</exception>
    public static string Uri(string region, string? version = null)
    {
        var problems = new List<(string Param, string Message)>();
        if (region is not null && CdkTokens.IsUnresolved(region))
            problems.Add((nameof(region), $"region is an unresolved token ('{region}'); use ForScope for environment-agnostic stacks."));
        var image = Resolve(version, problems);
        if (region is null)
            problems.Add((nameof(region), "region is null; give a region name such as 'us-east-1'."));
        else if (image is not null && !CdkTokens.IsUnresolved(region))
            CheckRegion(image, region, problems);
        DlcRegistry.ThrowIfAny(What, problems);
        return DlcRegistry.Uri(Catalog.Registries, region!, Catalog.Repository, Tag(image!));
    }

    /// <summary>
    /// The TGI image URI for the stack that holds <paramref name="scope"/>: the literal URI in a concrete region; for an
    /// environment-agnostic stack an <c>Fn::Join</c> of <c>Fn::FindInMap</c> on a <see cref="CfnMapping"/> with id
    /// <see cref="RegistryMappingId"/> (added once per stack) and <c>AWS::Region</c>, with a warning annotation naming the
    /// regions that do not host the chosen image.
    /// </summary>
    /// <exception cref="ArgumentException">The version or the concrete region is unsupported.</exception>
    public static string ForScope(Construct scope, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var stack = Stack.Of(scope);
        if (!CdkTokens.IsUnresolved(stack.Region)) return Uri(stack.Region, version);

        var problems = new List<(string Param, string Message)>();
        var image = Resolve(version, problems);
        DlcRegistry.ThrowIfAny(What, problems);
        var missing = SupportedRegions.Where(r => !image!.Regions.Contains(r, StringComparer.Ordinal)).ToArray();
        if (missing.Length > 0)
        {
            Annotations.Of(scope).AddWarningV2(WarningIds.LlmDlcRegionSubset,
                $"Hugging Face LLM image {Tag(image!)} is not published in {string.Join(", ", missing)}; "
                + "a model registered with it in this environment-agnostic stack cannot be deployed there.");
        }
        return DlcRegistry.AgnosticUri(stack, RegistryMappingId, Catalog.Registries, Catalog.Repository, Tag(image!));
    }

    /// <summary>Where SageMaker extracts a model's <c>model.tar.gz</c> in a serving container (AWS docs, "Custom
    /// Inference Code with Hosting Services", How SageMaker AI Loads Your Model Artifacts).</summary>
    public const string ModelDirectory = "/opt/ml/model";

    /// <summary>
    /// The environment that tells the TGI image where the weights are: <c>HF_MODEL_ID</c>, which its SageMaker entry
    /// point requires and passes on as <c>MODEL_ID</c> (huggingface/text-generation-inference <c>sagemaker-entrypoint.sh</c>),
    /// set to <see cref="ModelDirectory"/> or, for weights saved in a folder of the archive, <c>/opt/ml/model/&lt;folder&gt;</c>.
    /// </summary>
    /// <param name="modelFolder">The folder of <c>model.tar.gz</c> that holds the weights, e.g. <c>merged</c>; null: its root.</param>
    /// <returns><c>{ HF_MODEL_ID: ... }</c>.</returns>
    public static IReadOnlyDictionary<string, string> Environment(string? modelFolder = null) =>
        new Dictionary<string, string> { ["HF_MODEL_ID"] = modelFolder is null ? ModelDirectory : $"{ModelDirectory}/{modelFolder}" };

    private static string Tag(HuggingFaceLlmImageVersion image) =>
        $"{image.TagPrefix}-gpu-{image.PythonVersion}-{image.ContainerVersion}";

    private static HuggingFaceLlmImageVersion? Resolve(string? version, List<(string Param, string Message)> problems)
    {
        if (DlcRegistry.AnyToken(problems, (nameof(version), version))) return null;
        var given = version?.Trim();
        var full = given is null ? Catalog.DefaultVersion : Catalog.VersionAliases.TryGetValue(given, out var aliased) ? aliased : given;
        var image = Catalog.Images.FirstOrDefault(i => i.Version == full);
        if (image is null)
        {
            var all = Catalog.Images.Select(i => i.Version).ToArray();
            problems.Add((nameof(version),
                $"version '{version}' is not a Hugging Face LLM (TGI) image of the SageMaker Python SDK catalog; nearest: "
                + $"{string.Join(", ", DlcRegistry.NearestVersions(given ?? "", all, 3))} (all: {string.Join(", ", all)}; "
                + $"aliases: {string.Join(", ", Catalog.VersionAliases.Select(a => $"{a.Key} -> {a.Value}"))}; default {Catalog.DefaultVersion})."));
        }
        return image;
    }

    private static void CheckRegion(HuggingFaceLlmImageVersion image, string region, List<(string Param, string Message)> problems) =>
        DlcRegistry.CheckRegion(region, SupportedRegions, image.Regions, "Hugging Face LLM (TGI) image", $"TGI {image.Version}", problems);
}
