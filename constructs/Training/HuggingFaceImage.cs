using System.Text.RegularExpressions;
using Amazon.CDK;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Resolves Hugging Face PyTorch training Deep Learning Container (DLC) image URIs the way the SageMaker Python SDK's
/// <c>HuggingFace</c> estimator does (<c>image_uris.retrieve("huggingface", ..., image_scope="training")</c>):
/// <c>{account}.dkr.ecr.{region}.{domain}/huggingface-pytorch-training:{pytorch}-transformers{transformers}-gpu-{py}-{cuda-ubuntu}</c>.
/// </summary>
/// <remarks>
/// <para>Version pairs, Python versions, the CUDA/Ubuntu suffix and the registry account of every region come from the
/// SDK's own table (<c>image_uri_config/huggingface.json</c>, training scope, PyTorch entries), embedded in this
/// assembly and refreshed with <c>scripts/update-dlc-catalog.py</c>; see <see cref="CatalogSourceCommit"/>. Unlike the
/// SDK, every combination is checked at synthesis: a wrong tag would otherwise fail minutes into the training job.</para>
/// <para>The registry domain follows the ECR endpoint of the region's partition (botocore <c>dnsSuffix</c>):
/// <c>amazonaws.com</c>, <c>amazonaws.com.cn</c> for <c>cn-*</c>, <c>c2s.ic.gov</c> for <c>us-iso-*</c> and
/// <c>sc2s.sgov.gov</c> for <c>us-isob-*</c>.</para>
/// <para>Bring your own container: a training job definition given an explicit image URI does not use this class;
/// check such a URI with <see cref="ValidateImageUri"/>.</para>
/// </remarks>
public static class HuggingFaceImage
{
    /// <summary>Construct id of the per-stack <see cref="CfnMapping"/> (region -> account, domain) that
    /// <see cref="ForScope"/> adds to environment-agnostic stacks.</summary>
    public const string RegistryMappingId = "HuggingFaceDlcRegistry";

    /// <summary>
    /// SageMaker instance families accepted for Hugging Face training DLCs: the same list as
    /// <see cref="InstanceTypeCatalog.GpuTrainingFamilies"/>, the one definition shared with the request builder.
    /// </summary>
    public static IReadOnlyList<string> GpuInstanceFamilies => InstanceTypeCatalog.GpuTrainingFamilies;

    private static readonly Regex EcrImageUriPattern = new(
        @"^(?<account>[0-9]{12})\.dkr\.ecr(-fips)?\.(?<region>[a-z]{2}(-[a-z]+)+-[0-9])\.(?<domain>amazonaws\.com|amazonaws\.com\.cn|c2s\.ic\.gov|sc2s\.sgov\.gov)/"
        + @"(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)"
        + @"(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@sha256:[0-9a-f]{64})?\z",
        RegexOptions.CultureInvariant);

    private static HuggingFaceImageCatalog Catalog => HuggingFaceImageCatalog.Instance;

    /// <summary>Every transformers / PyTorch pair of the catalog, ordered by transformers then PyTorch version.</summary>
    public static IReadOnlyList<HuggingFaceImageVersion> SupportedVersions { get; } = Catalog.Images
        .Select(i => new HuggingFaceImageVersion(i.Transformers, i.Pytorch, i.PythonVersions, i.ContainerVersion, i.Regions))
        .ToArray();

    /// <summary>Every region that hosts at least one Hugging Face PyTorch training DLC, sorted ordinally.</summary>
    public static IReadOnlyCollection<string> SupportedRegions { get; } =
        Catalog.Registries.Keys.OrderBy(r => r, StringComparer.Ordinal).ToArray();

    /// <summary>The aws/sagemaker-python-sdk commit the embedded catalog was generated from.</summary>
    public static string CatalogSourceCommit => Catalog.SourceCommit;

    /// <summary>
    /// Returns the training image URI for a concrete region, e.g.
    /// <c>Uri("4.26", "1.13", "py39", "ml.g5.2xlarge", "us-east-1")</c> ->
    /// <c>763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04</c>
    /// (short versions stay short in the tag, as the SDK writes them; both versions must be full or both short).
    /// </summary>
    /// <param name="transformersVersion">Full (<c>4.26.0</c>) or SDK alias (<c>4.26</c>) transformers version.</param>
    /// <param name="pytorchVersion">Full (<c>1.13.1</c>) or SDK alias (<c>1.13</c>) PyTorch version paired with it.</param>
    /// <param name="pythonVersion">Python version as the SDK names it, e.g. <c>py39</c>.</param>
    /// <param name="instanceType">SageMaker training instance type; must be a GPU type (see <see cref="GpuInstanceFamilies"/>).
    /// An unresolved token is not checked.</param>
    /// <param name="region">Concrete region name, e.g. <c>eu-west-1</c>.</param>
    /// <exception cref="ArgumentException">Any parameter is unsupported; the message names each bad parameter and value
    /// and lists the nearest supported choices.</exception>
    public static string Uri(string transformersVersion, string pytorchVersion, string pythonVersion, string instanceType, string region)
    {
        var problems = new List<(string Param, string Message)>();
        if (region is not null && CdkTokens.IsUnresolved(region))
            problems.Add((nameof(region), $"region is an unresolved token ('{region}'); use ForScope for environment-agnostic stacks."));
        var resolved = Resolve(transformersVersion, pytorchVersion, pythonVersion, instanceType, problems);
        if (resolved is not null && region is not null && !CdkTokens.IsUnresolved(region))
            CheckRegion(resolved.Image, region, problems);
        else if (region is null)
            problems.Add((nameof(region), "region is null; give a region name such as 'us-east-1'."));
        ThrowIfAny(problems);

        return DlcRegistry.Uri(Catalog.Registries, region!, Catalog.Repository, resolved!.Tag);
    }

    /// <summary>
    /// Returns the training image URI for the stack that holds <paramref name="scope"/>: the literal URI when the stack's
    /// region is concrete; for an environment-agnostic stack, an <c>Fn::Join</c> of <c>Fn::FindInMap</c> on a
    /// <see cref="CfnMapping"/> with id <see cref="RegistryMappingId"/> (region -> <c>account</c>, <c>domain</c>, added
    /// once per stack) and <c>AWS::Region</c>. Versions and the instance type are validated eagerly in both cases; for an
    /// agnostic stack a warning annotation names the regions that do not host the chosen image.
    /// </summary>
    /// <exception cref="ArgumentException">A version, the Python version, the instance type or the concrete region is
    /// unsupported (see <see cref="Uri"/>).</exception>
    public static string ForScope(Construct scope, string transformersVersion, string pytorchVersion, string pythonVersion, string instanceType)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var stack = Stack.Of(scope);
        if (!CdkTokens.IsUnresolved(stack.Region))
            return Uri(transformersVersion, pytorchVersion, pythonVersion, instanceType, stack.Region);

        var problems = new List<(string Param, string Message)>();
        var resolved = Resolve(transformersVersion, pytorchVersion, pythonVersion, instanceType, problems);
        ThrowIfAny(problems);

        var missing = SupportedRegions.Where(r => !resolved!.Image.Regions.Contains(r, StringComparer.Ordinal)).ToArray();
        if (missing.Length > 0)
        {
            Annotations.Of(scope).AddWarningV2(WarningIds.DlcRegionSubset,
                $"Hugging Face training image {resolved!.Tag} is not published in {string.Join(", ", missing)}; "
                + "deploying this environment-agnostic stack there fails when SageMaker pulls the image.");
        }
        return DlcRegistry.AgnosticUri(stack, RegistryMappingId, Catalog.Registries, Catalog.Repository, resolved!.Tag);
    }

    /// <summary>
    /// Checks that a bring-your-own-container image URI has the ECR shape
    /// <c>{12-digit account}.dkr.ecr[-fips].{region}.{amazonaws.com|amazonaws.com.cn|c2s.ic.gov|sc2s.sgov.gov}/{repository}[:tag|@sha256:digest]</c>
    /// and at most 255 characters (the CreateTrainingJob limit). Unresolved tokens are not checked.
    /// </summary>
    /// <returns><paramref name="imageUri"/> unchanged, for chaining.</returns>
    /// <exception cref="ArgumentException">The URI is empty, too long or not an ECR image URI.</exception>
    public static string ValidateImageUri(string imageUri)
    {
        if (imageUri is not null && CdkTokens.IsUnresolved(imageUri)) return imageUri;
        if (string.IsNullOrWhiteSpace(imageUri))
            throw new ArgumentException("HuggingFaceImage.ValidateImageUri: imageUri is empty; give an ECR image URI such as "
                + "'123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:1.0'.", nameof(imageUri));
        if (imageUri.Length > 255)
            throw new ArgumentException($"HuggingFaceImage.ValidateImageUri: imageUri '{imageUri}' has {imageUri.Length} characters; "
                + "SageMaker accepts at most 255.", nameof(imageUri));
        if (!EcrImageUriPattern.IsMatch(imageUri))
            throw new ArgumentException($"HuggingFaceImage.ValidateImageUri: imageUri '{imageUri}' is not an ECR image URI; expected "
                + "'{account}.dkr.ecr.{region}.{domain}/{repository}[:{tag}|@sha256:{digest}]', e.g. "
                + "'123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:1.0'.", nameof(imageUri));
        return imageUri;
    }

    /// <summary>The repository of a literal ECR image URI that <see cref="ValidateImageUri"/> accepts; null for a token
    /// or any other string.</summary>
    internal static string? RepositoryOf(string imageUri) =>
        CdkTokens.IsUnresolved(imageUri) || EcrImageUriPattern.Match(imageUri) is not { Success: true } match
            ? null : match.Groups["repository"].Value;

    private sealed record Resolution(CatalogImage Image, string Tag);

    private static Resolution? Resolve(string transformersVersion, string pytorchVersion, string pythonVersion, string instanceType,
        List<(string Param, string Message)> problems)
    {
        CheckInstanceType(instanceType, problems);
        if (DlcRegistry.AnyToken(problems, (nameof(transformersVersion), transformersVersion), (nameof(pytorchVersion), pytorchVersion),
                (nameof(pythonVersion), pythonVersion)))
            return null;

        if (string.IsNullOrWhiteSpace(transformersVersion))
        {
            problems.Add((nameof(transformersVersion), $"transformersVersion is empty; supported: {string.Join(", ", AllTransformers())}."));
            return null;
        }
        var transformers = Catalog.TransformersAliases.TryGetValue(transformersVersion.Trim(), out var full) ? full : transformersVersion.Trim();
        var rows = Catalog.Images.Where(i => i.Transformers == transformers).ToArray();
        if (rows.Length == 0)
        {
            problems.Add((nameof(transformersVersion),
                $"transformersVersion '{transformersVersion}' has no Hugging Face PyTorch training DLC in the SageMaker Python SDK catalog; "
                + $"nearest supported: {string.Join(", ", DlcRegistry.NearestVersions(transformersVersion, AllTransformers(), 3))} "
                + $"(all: {string.Join(", ", AllTransformers())})."));
            return null;
        }

        var pytorch = (pytorchVersion ?? "").Trim();
        if (pytorch.StartsWith("pytorch", StringComparison.Ordinal)) pytorch = pytorch["pytorch".Length..];
        var image = rows.FirstOrDefault(r => r.Pytorch == pytorch || r.PytorchAliases.Contains(pytorch, StringComparer.Ordinal));
        if (image is null)
        {
            var choices = rows.Select(r => r.PytorchAliases.Count == 0 ? r.Pytorch : $"{r.Pytorch} (or {string.Join(", ", r.PytorchAliases)})");
            problems.Add((nameof(pytorchVersion),
                $"pytorchVersion '{pytorchVersion}' is not paired with transformers {transformers}; supported PyTorch versions for it: "
                + $"{string.Join("; ", choices)}."));
            return null;
        }

        var python = (pythonVersion ?? "").Trim();
        if (!image.PythonVersions.Contains(python, StringComparer.Ordinal))
        {
            var hint = Regex.IsMatch(python, @"^3\.[0-9]+\z", RegexOptions.CultureInvariant)
                ? $" (write '{python}' as 'py{python.Replace(".", "", StringComparison.Ordinal)}')" : "";
            problems.Add((nameof(pythonVersion),
                $"pythonVersion '{pythonVersion}' is not available for transformers {image.Transformers} with PyTorch {image.Pytorch}{hint}; "
                + $"allowed: {string.Join(", ", image.PythonVersions)}."));
            return null;
        }

        // huggingface/estimator.py _validate_args (v2.257.6, lines 284-291): both versions full or both short.
        var givenTransformers = transformersVersion.Trim();
        if (givenTransformers.Split('.').Length != pytorch.Split('.').Length)
        {
            problems.Add((nameof(pytorchVersion),
                $"transformersVersion '{transformersVersion}' and pytorchVersion '{pytorchVersion}' mix a full and a short version; "
                + $"the SDK requires both full ({image.Transformers} / {image.Pytorch}) or both short (its HuggingFace._validate_args)."));
            return null;
        }

        // image_uris.py retrieve (lines 245-276): the tag carries the versions as given (a short alias stays short:
        // "_version = original_version", pt_or_tf_version from base_framework_version), then _format_tag (line 645)
        // joins prefix, processor, py_version and the container version.
        var tag = $"{pytorch}-transformers{givenTransformers}-gpu-{python}"
            + (image.ContainerVersion is null ? "" : "-" + image.ContainerVersion);
        return new Resolution(image, tag);
    }

    private static void CheckInstanceType(string instanceType, List<(string Param, string Message)> problems)
    {
        if (instanceType is not null && CdkTokens.IsUnresolved(instanceType)) return;
        if (InstanceTypeCatalog.ExplainNotGpuTraining(instanceType) is { } why)
            problems.Add((nameof(instanceType), $"instanceType {why}"));
    }

    private static void CheckRegion(CatalogImage image, string region, List<(string Param, string Message)> problems) =>
        DlcRegistry.CheckRegion(region, SupportedRegions, image.Regions, "Hugging Face PyTorch training DLC",
            $"transformers {image.Transformers} with PyTorch {image.Pytorch}", problems);

    private static void ThrowIfAny(List<(string Param, string Message)> problems) =>
        DlcRegistry.ThrowIfAny("Hugging Face PyTorch training image", problems);

    private static string[] AllTransformers() =>
        Catalog.Images.Select(i => i.Transformers).Distinct(StringComparer.Ordinal).ToArray();
}
