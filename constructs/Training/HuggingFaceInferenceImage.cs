using System.Text.RegularExpressions;
using Amazon.CDK;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Resolves the Hugging Face PyTorch <b>inference</b> DLC image that serves a model trained on a Hugging Face PyTorch
/// training DLC, the way the SageMaker Python SDK resolves it for <c>HuggingFaceModel</c> / <c>estimator.register()</c>
/// (<c>image_uris.retrieve("huggingface", region, version, py_version, instance_type, image_scope="inference",
/// base_framework_version="pytorch…")</c>):
/// <c>{account}.dkr.ecr.{region}.{domain}/huggingface-pytorch-inference:{pytorch}-transformers{transformers}-{gpu|cpu}-{py}-{suffix}</c>.
/// </summary>
/// <remarks>
/// <para><b>Why "nearest".</b> The SDK looks the training DLC's own versions up in the inference table
/// (<c>huggingface/model.py</c> <c>serving_image_uri</c>, v2.257.6 lines 582-599, called by <c>register</c>, lines
/// 428-434) and fails when the table has no inference image for them: for this platform's recipes, transformers 4.36.0
/// and 4.56.2, <c>estimator.register()</c> raises "Unsupported huggingface version" (captured in
/// <c>tests/fixtures/sdk-captured/*-register.json</c>). This class therefore picks, from the same table, the inference
/// image <b>nearest</b> to the training DLC, defined as follows (versions compared numerically, component by component):</para>
/// <list type="number">
/// <item>transformers: the smallest inference transformers version at or above the training one; when there is none,
/// the greatest below it (a transformers release loads checkpoints that older releases saved, while an older release
/// may not know a newer configuration or architecture);</item>
/// <item>PyTorch, among that transformers version's entries: the training PyTorch version when present, else the
/// smallest above it, else the greatest below it;</item>
/// <item>Python: the entry's Python version (each entry of the SDK table has one); with several, the training DLC's
/// when listed, else the newest.</item>
/// </list>
/// <para>An exact match is therefore chosen when the table has one (for example 4.26.0 / 1.13.1). The region is checked
/// after the choice: a region that does not host the nearest image is an error, never a silent fallback to another
/// version.</para>
/// <para><b>Processor.</b> Inference images exist for GPU and CPU; the instance type picks one as <c>image_uris.py</c>
/// <c>_processor</c> does (lines 532-580, for the scope's processors <c>["gpu", "cpu"]</c>): the family of
/// <c>ml.&lt;family&gt;.&lt;size&gt;</c> (<c>utils.get_instance_type_family</c>, <c>utils.py</c> lines 1666-1677) starting
/// with <c>g</c> or <c>p</c> is GPU, any other is CPU, and the tag takes that processor's container version (line 231).
/// Refused as in the SDK: <c>inf*</c> / <c>trn*</c> (the SDK switches to the Neuron images, lines 193-196 and 463-469,
/// which this catalog does not hold) and the Graviton families of <c>fw_utils.py</c>
/// <c>GRAVITON_ALLOWED_TARGET_INSTANCE_FAMILY</c> (lines 178-187; <c>image_uris.py</c> lines 198 and 421-437). Refused
/// here although the SDK returns a URI: GPU families the CUDA x86_64 images cannot run on (those outside
/// <see cref="InstanceTypeCatalog.GpuTrainingFamilies"/>, e.g. p2, g4ad, g5g) and other Arm (Graviton) CPU families (e.g. m7g): a model
/// registered with such a type could never be deployed on it.</para>
/// <para>The table is embedded in this assembly (<c>Training/Catalog/huggingface-inference-images.json</c>) and refreshed
/// with <c>scripts/update-dlc-catalog.py</c>; the registry accounts and domains follow <see cref="HuggingFaceImage"/>.</para>
/// </remarks>
public static partial class HuggingFaceInferenceImage
{
    /// <summary>Construct id of the per-stack <see cref="CfnMapping"/> (region -> account, domain) that
    /// <see cref="ForScope"/> adds to environment-agnostic stacks.</summary>
    public const string RegistryMappingId = "HuggingFaceInferenceDlcRegistry";

    private const string What = "Hugging Face PyTorch inference image";

    private static HuggingFaceInferenceImageCatalog Catalog => HuggingFaceInferenceImageCatalog.Instance;

    /// <summary>Every inference image of the catalog (one per Python version), ordered by transformers then PyTorch version.</summary>
    public static IReadOnlyList<HuggingFaceInferenceImageVersion> SupportedVersions { get; } = Catalog.Images
        .SelectMany(i => i.PythonVersions.Select(py => ToVersion(i, py)))
        .ToArray();

    /// <summary>Every region that hosts at least one Hugging Face PyTorch inference DLC, sorted ordinally.</summary>
    public static IReadOnlyCollection<string> SupportedRegions { get; } =
        Catalog.Registries.Keys.OrderBy(r => r, StringComparer.Ordinal).ToArray();

    /// <summary>The aws/sagemaker-python-sdk commit the embedded catalog was generated from.</summary>
    public static string CatalogSourceCommit => Catalog.SourceCommit;

    /// <summary>
    /// The inference image nearest to a training DLC (see the class remarks for the rule), e.g.
    /// <c>Nearest("4.36.0", "2.1.0", "py310")</c> -> transformers 4.37.0, PyTorch 2.1.0, py310.
    /// </summary>
    /// <param name="trainingTransformersVersion">The training DLC's transformers version, full (<c>4.36.0</c>) or an SDK
    /// alias of the training table (<c>4.36</c>).</param>
    /// <param name="trainingPytorchVersion">The training DLC's PyTorch version paired with it, full or alias.</param>
    /// <param name="trainingPythonVersion">The training DLC's Python version, e.g. <c>py310</c>.</param>
    /// <exception cref="ArgumentException">The versions are not a training DLC of <see cref="HuggingFaceImage"/>'s catalog.</exception>
    public static HuggingFaceInferenceImageVersion Nearest(string trainingTransformersVersion, string trainingPytorchVersion, string trainingPythonVersion)
    {
        var problems = new List<(string Param, string Message)>();
        var chosen = Choose(trainingTransformersVersion, trainingPytorchVersion, trainingPythonVersion, problems);
        DlcRegistry.ThrowIfAny(What, problems);
        return chosen!;
    }

    /// <summary>
    /// The processor of the inference image for <paramref name="instanceType"/>: <c>gpu</c> or <c>cpu</c>, as
    /// <c>image_uris.py</c> <c>_processor</c> decides it (see the class remarks).
    /// </summary>
    /// <param name="instanceType">A SageMaker inference instance type, e.g. <c>ml.g5.xlarge</c>.</param>
    /// <exception cref="ArgumentException">The type is malformed, Neuron, Graviton or a GPU family the CUDA images do not run on.</exception>
    public static string Processor(string instanceType)
    {
        var problems = new List<(string Param, string Message)>();
        var processor = ProcessorOf(instanceType, problems);
        DlcRegistry.ThrowIfAny(What, problems);
        return processor!;
    }

    /// <summary>
    /// The inference image URI for a concrete region: the image <see cref="Nearest"/> to the training DLC, for the
    /// processor of <paramref name="instanceType"/>, e.g. <c>Uri("4.36.0", "2.1.0", "py310", "ml.g5.xlarge", "eu-west-1")</c> ->
    /// <c>763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04</c>.
    /// </summary>
    /// <param name="trainingTransformersVersion">The training DLC's transformers version (full or alias).</param>
    /// <param name="trainingPytorchVersion">The training DLC's PyTorch version (full or alias).</param>
    /// <param name="trainingPythonVersion">The training DLC's Python version.</param>
    /// <param name="instanceType">The inference instance type that picks GPU or CPU (the SDK uses the first of
    /// <c>inference_instances</c>). An unresolved token is refused: the tag is chosen at synthesis.</param>
    /// <param name="region">Concrete region name.</param>
    /// <exception cref="ArgumentException">Any parameter is unsupported; one message names each bad parameter and value.</exception>
    public static string Uri(string trainingTransformersVersion, string trainingPytorchVersion, string trainingPythonVersion,
        string instanceType, string region)
    {
        var problems = new List<(string Param, string Message)>();
        if (region is not null && CdkTokens.IsUnresolved(region))
            problems.Add((nameof(region), $"region is an unresolved token ('{region}'); use ForScope for environment-agnostic stacks."));
        var (image, tag) = Resolve(trainingTransformersVersion, trainingPytorchVersion, trainingPythonVersion, instanceType, problems);
        if (region is null)
            problems.Add((nameof(region), "region is null; give a region name such as 'us-east-1'."));
        else if (image is not null && !CdkTokens.IsUnresolved(region))
            CheckRegion(image, region, problems);
        DlcRegistry.ThrowIfAny(What, problems);
        return DlcRegistry.Uri(Catalog.Registries, region!, Catalog.Repository, tag!);
    }

    /// <summary>
    /// The URI of one given inference image of the catalog (an item of <see cref="SupportedVersions"/>, e.g. the result of
    /// <see cref="Nearest"/>) for a concrete region, as <c>image_uris.retrieve("huggingface", region,
    /// version=image.TransformersVersion, py_version=image.PythonVersion, instance_type=instanceType, image_scope="inference",
    /// base_framework_version="pytorch" + image.PytorchVersion)</c> returns it.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not in the catalog, or the instance type or region is unsupported.</exception>
    public static string Uri(HuggingFaceInferenceImageVersion image, string instanceType, string region)
    {
        ArgumentNullException.ThrowIfNull(image);
        var problems = new List<(string Param, string Message)>();
        var processor = ProcessorOf(instanceType, problems);
        var known = SupportedVersions.FirstOrDefault(v => v.TransformersVersion == image.TransformersVersion
            && v.PytorchVersion == image.PytorchVersion && v.PythonVersion == image.PythonVersion);
        if (known is null)
            problems.Add((nameof(image), $"image transformers {image.TransformersVersion} / PyTorch {image.PytorchVersion} / {image.PythonVersion} "
                + $"is not in the inference catalog; supported: {string.Join(", ", SupportedVersions.Select(v => $"{v.TransformersVersion}/{v.PytorchVersion}/{v.PythonVersion}"))}."));
        if (region is null || CdkTokens.IsUnresolved(region))
            problems.Add((nameof(region), $"region '{region}' is not a concrete region name such as 'us-east-1'."));
        else if (known is not null)
            CheckRegion(known, region, problems);
        DlcRegistry.ThrowIfAny(What, problems);
        return DlcRegistry.Uri(Catalog.Registries, region!, Catalog.Repository, TagOf(known!, processor!));
    }

    /// <summary>
    /// The inference image URI for the stack that holds <paramref name="scope"/>: the literal URI when the stack's region
    /// is concrete; for an environment-agnostic stack an <c>Fn::Join</c> of <c>Fn::FindInMap</c> on a
    /// <see cref="CfnMapping"/> with id <see cref="RegistryMappingId"/> (added once per stack) and <c>AWS::Region</c>,
    /// with a warning annotation naming the regions that do not host the chosen image.
    /// </summary>
    /// <exception cref="ArgumentException">A version, the instance type or the concrete region is unsupported.</exception>
    public static string ForScope(Construct scope, string trainingTransformersVersion, string trainingPytorchVersion,
        string trainingPythonVersion, string instanceType)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var stack = Stack.Of(scope);
        if (!CdkTokens.IsUnresolved(stack.Region))
            return Uri(trainingTransformersVersion, trainingPytorchVersion, trainingPythonVersion, instanceType, stack.Region);

        var problems = new List<(string Param, string Message)>();
        var (image, tag) = Resolve(trainingTransformersVersion, trainingPytorchVersion, trainingPythonVersion, instanceType, problems);
        DlcRegistry.ThrowIfAny(What, problems);
        var missing = SupportedRegions.Where(r => !image!.Regions.Contains(r, StringComparer.Ordinal)).ToArray();
        if (missing.Length > 0)
        {
            Annotations.Of(scope).AddWarningV2(WarningIds.InferenceDlcRegionSubset,
                $"Hugging Face inference image {tag} is not published in {string.Join(", ", missing)}; "
                + "a model registered with it in this environment-agnostic stack cannot be deployed there.");
        }
        return DlcRegistry.AgnosticUri(stack, RegistryMappingId, Catalog.Registries, Catalog.Repository, tag!);
    }

    private static HuggingFaceInferenceImageVersion ToVersion(InferenceCatalogImage image, string python) =>
        new(image.Transformers, image.Pytorch, python, image.ContainerVersions["gpu"], image.ContainerVersions["cpu"], image.Regions);

    private static (HuggingFaceInferenceImageVersion? Image, string? Tag) Resolve(string transformers, string pytorch, string python,
        string instanceType, List<(string Param, string Message)> problems)
    {
        var processor = ProcessorOf(instanceType, problems);
        var image = Choose(transformers, pytorch, python, problems);
        if (image is null || processor is null) return (image, null);
        return (image, TagOf(image, processor));
    }

    // image_uris.py retrieve: tag prefix "{pt_or_tf_version}-transformers{_version}" (line 276) with the full versions
    // passed, then _format_tag (line 645) joins processor, py_version and container_version[processor] (line 231).
    private static string TagOf(HuggingFaceInferenceImageVersion image, string processor) =>
        $"{image.PytorchVersion}-transformers{image.TransformersVersion}-{processor}-{image.PythonVersion}-"
        + (processor == "gpu" ? image.GpuContainerVersion : image.CpuContainerVersion);

    private static HuggingFaceInferenceImageVersion? Choose(string transformersVersion, string pytorchVersion, string pythonVersion,
        List<(string Param, string Message)> problems)
    {
        if (DlcRegistry.AnyToken(problems, (nameof(transformersVersion), transformersVersion), (nameof(pytorchVersion), pytorchVersion),
                (nameof(pythonVersion), pythonVersion)))
            return null;
        var training = HuggingFaceImageCatalog.Instance;
        var givenTransformers = (transformersVersion ?? "").Trim();
        var fullTransformers = training.TransformersAliases.TryGetValue(givenTransformers, out var t) ? t : givenTransformers;
        var givenPytorch = (pytorchVersion ?? "").Trim();
        var row = training.Images.FirstOrDefault(i => i.Transformers == fullTransformers
            && (i.Pytorch == givenPytorch || i.PytorchAliases.Contains(givenPytorch, StringComparer.Ordinal)));
        if (row is null)
        {
            problems.Add(("transformersVersion",
                $"transformersVersion '{transformersVersion}' with pytorchVersion '{pytorchVersion}' is not a Hugging Face PyTorch training DLC "
                + "of the SageMaker Python SDK catalog (the inference image is chosen for a training DLC); training DLCs: "
                + string.Join(", ", training.Images.Select(i => $"{i.Transformers}/{i.Pytorch}")) + "."));
            return null;
        }

        var trainingT = DlcRegistry.VersionNumber(row.Transformers)!.Value;
        var trainingP = DlcRegistry.VersionNumber(row.Pytorch)!.Value;
        var transformers = Catalog.Images.Select(i => i.Transformers).Distinct(StringComparer.Ordinal).ToArray();
        var chosenTransformers = NearestNotBelowElseBelow(transformers, trainingT);
        var pytorchChoices = Catalog.Images.Where(i => i.Transformers == chosenTransformers).Select(i => i.Pytorch).ToArray();
        var chosenPytorch = NearestNotBelowElseBelow(pytorchChoices, trainingP);
        var entry = Catalog.Images.Single(i => i.Transformers == chosenTransformers && i.Pytorch == chosenPytorch);
        var py = (pythonVersion ?? "").Trim();
        var chosenPython = entry.PythonVersions.Contains(py, StringComparer.Ordinal)
            ? py
            : entry.PythonVersions.OrderByDescending(v => int.Parse(v[2..], System.Globalization.CultureInfo.InvariantCulture)).First();
        return ToVersion(entry, chosenPython);
    }

    /// <summary>The smallest candidate at or above <paramref name="target"/>, else the greatest below it.</summary>
    private static string NearestNotBelowElseBelow(IEnumerable<string> candidates, long target)
    {
        var numbered = candidates.Select(c => (Version: c, Number: DlcRegistry.VersionNumber(c)!.Value)).ToArray();
        var above = numbered.Where(c => c.Number >= target).OrderBy(c => c.Number).ToArray();
        return above.Length > 0 ? above[0].Version : numbered.OrderByDescending(c => c.Number).First().Version;
    }

    [GeneratedRegex(@"^[a-z]+[0-9]+g[a-z]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex GravitonFamily();

    private static string? ProcessorOf(string instanceType, List<(string Param, string Message)> problems)
    {
        if (instanceType is not null && CdkTokens.IsUnresolved(instanceType))
        {
            problems.Add((nameof(instanceType), $"instanceType is an unresolved token ('{instanceType}'); the image (GPU or CPU) is chosen at synthesis, give a literal type."));
            return null;
        }
        var family = InstanceTypeCatalog.FamilyOf(instanceType);
        if (family is null)
        {
            problems.Add((nameof(instanceType),
                $"instanceType '{instanceType}' is not a SageMaker instance type of the form 'ml.<family>.<size>', e.g. ml.g5.xlarge (GPU) or ml.m5.xlarge (CPU)."));
            return null;
        }
        if (family.StartsWith("inf", StringComparison.Ordinal) || family.StartsWith("trn", StringComparison.Ordinal))
        {
            problems.Add((nameof(instanceType),
                $"instanceType '{instanceType}' is an AWS Inferentia/Trainium type: the SDK serves those with the Hugging Face Neuron images, "
                + "which this catalog does not hold; use a GPU (e.g. ml.g5.xlarge) or CPU (e.g. ml.m5.xlarge) type."));
            return null;
        }
        if (family[0] is 'g' or 'p')
        {
            if (InstanceTypeCatalog.GpuTrainingFamilies.Contains(family, StringComparer.Ordinal)) return "gpu";
            problems.Add((nameof(instanceType),
                $"instanceType '{instanceType}' (family '{family}') is not a GPU family the CUDA x86_64 inference images run on; "
                + $"use one of {string.Join(", ", InstanceTypeCatalog.GpuTrainingFamilies)}, or a CPU type."));
            return null;
        }
        if (GravitonFamily().IsMatch(family))
        {
            problems.Add((nameof(instanceType),
                $"instanceType '{instanceType}' (family '{family}') is an Arm (Graviton) type; the Hugging Face inference images are x86_64 builds "
                + "(the SDK refuses Graviton types for the huggingface framework); use an x86_64 CPU type such as ml.m5.xlarge or a GPU type."));
            return null;
        }
        return "cpu";
    }

    private static void CheckRegion(HuggingFaceInferenceImageVersion image, string region, List<(string Param, string Message)> problems) =>
        DlcRegistry.CheckRegion(region, SupportedRegions, image.Regions, "Hugging Face PyTorch inference DLC",
            $"the inference image transformers {image.TransformersVersion} with PyTorch {image.PytorchVersion}", problems);
}
