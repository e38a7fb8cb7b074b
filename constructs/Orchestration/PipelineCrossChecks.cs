using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Security;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// Checks between props that are each valid alone but do not fit together, at synthesis (each would otherwise fail
/// minutes into a training job, or inside jsii with a message that names no prop): the image against the job's
/// versions and against what the execution role may pull, the entry point against the code archive, and the subnet
/// selection against the VPC.
/// </summary>
internal static partial class PipelineCrossChecks
{
    /// <summary>The Hugging Face training DLC repository (what <c>HuggingFaceImage</c> resolves to).</summary>
    private const string DlcRepository = "huggingface-pytorch-training";

    /// <summary><c>{account}.dkr.ecr[-fips].{region}.{domain}/{repository}[:{tag}][@{digest}]</c>.</summary>
    [GeneratedRegex(@"^[0-9]{12}\.dkr\.ecr(?:-fips)?\.(?<region>[a-z0-9-]+)\.[a-z0-9.]+/(?<repository>[^:@]+)(?::(?<tag>[^@]+))?(?:@.+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex EcrImage();

    /// <summary>The Hugging Face DLC tag: <c>{pytorch}-transformers{transformers}-{gpu|cpu}-{py}[-...]</c>
    /// (sagemaker-python-sdk <c>image_uris._format_tag</c> with the Hugging Face base framework version).</summary>
    [GeneratedRegex(@"^(?<pytorch>[0-9]+(?:\.[0-9]+)*)-transformers(?<transformers>[0-9]+(?:\.[0-9]+)*)-(?:gpu|cpu)-(?<python>py[0-9]+)(?:-|\z)", RegexOptions.CultureInvariant)]
    private static partial Regex DlcTag();

    /// <summary>
    /// A Hugging Face DLC image must carry the job's versions (a full version in the tag matches its alias in the
    /// job: <c>4.36</c> matches <c>4.36.0</c>); any literal image must come from a repository, and region, that a
    /// <see cref="SageMakerExecutionRole"/> may pull. Tokens and roles of unknown policy are not checked.
    /// </summary>
    public static void Image(PropsValidation v, string imageUri, HuggingFaceTrainingJobDefinition job, IRole role, Stack stack)
    {
        if (CdkTokens.IsUnresolved(imageUri) || EcrImage().Match(imageUri) is not { Success: true } image)
        {
            return;
        }
        var repository = image.Groups["repository"].Value;
        if (repository == DlcRepository && image.Groups["tag"].Success && DlcTag().Match(image.Groups["tag"].Value) is { Success: true } tag)
        {
            var transformers = tag.Groups["transformers"].Value;
            var pytorch = tag.Groups["pytorch"].Value;
            var python = tag.Groups["python"].Value;
            if (!SameVersion(job.TransformersVersion, transformers) || !SameVersion(job.PytorchVersion, pytorch) || job.PythonVersion != python)
            {
                v.Add("ImageUri", imageUri,
                    $"its tag is transformers {transformers}, PyTorch {pytorch}, {python} but Job asks for transformers {job.TransformersVersion}, "
                    + $"PyTorch {job.PytorchVersion}, {job.PythonVersion}; leave ImageUri unset to get the job's image, or change the Job's versions to the image's.");
            }
        }
        if (SageMakerExecutionRole.Of(role) is { } executionRole)
        {
            var repositories = executionRole.ImageRepositories;
            if (!repositories.Contains(repository, StringComparer.Ordinal))
            {
                v.Add("ImageUri", imageUri,
                    $"ExecutionRole '{executionRole.Node.Path}' may pull only from {string.Join(", ", repositories)}; add '{repository}' to "
                    + "SageMakerExecutionRoleProps.ImageRepositories, or use an image from one of those repositories.");
            }
            var region = image.Groups["region"].Value;
            if (!CdkTokens.IsUnresolved(stack.Region) && region != stack.Region)
            {
                v.Add("ImageUri", imageUri,
                    $"the image is in {region} but ExecutionRole '{executionRole.Node.Path}' may pull only in the stack's region {stack.Region}; "
                    + $"use the image's copy in {stack.Region}.");
            }
        }
    }

    /// <summary>The default image comes from the DLC repository: the execution role must be allowed to pull it.</summary>
    public static void ImageRepositoryOfDefault(PropsValidation v, IRole role)
    {
        if (SageMakerExecutionRole.Of(role) is { } executionRole && !executionRole.ImageRepositories.Contains(DlcRepository, StringComparer.Ordinal))
        {
            v.Add("ImageUri", "(not set: the Hugging Face DLC of the job)",
                $"ExecutionRole '{executionRole.Node.Path}' may pull only from {string.Join(", ", executionRole.ImageRepositories)}; add "
                + $"'{DlcRepository}' to SageMakerExecutionRoleProps.ImageRepositories, or give an ImageUri from one of those repositories.");
        }
    }

    private static bool SameVersion(string requested, string actual) =>
        requested == actual || actual.StartsWith(requested + ".", StringComparison.Ordinal);

    /// <summary>The job's entry point must be a file in the archive (the toolkit runs it from the archive's root).</summary>
    public static void EntryPoint(PropsValidation v, HuggingFaceTrainingJobDefinition job, TrainingSourceCode code)
    {
        if (string.IsNullOrWhiteSpace(job.EntryPoint) || !File.Exists(code.ArchivePath))
        {
            return;
        }
        var entryPoint = job.EntryPoint.Replace('\\', '/');
        entryPoint = entryPoint.StartsWith("./", StringComparison.Ordinal) ? entryPoint[2..] : entryPoint;
        var files = ArchiveFiles(code.ArchivePath);
        if (!files.Contains(entryPoint, StringComparer.Ordinal))
        {
            var scripts = files.Where(f => f.EndsWith(".py", StringComparison.Ordinal)).Take(10).ToList();
            v.Add("Job.EntryPoint", job.EntryPoint,
                $"SourceCode has no such file (its Python files: {(scripts.Count == 0 ? "none" : string.Join(", ", scripts))}); give the script's path "
                + "relative to the source directory, or pass the directory that holds it to TrainingSourceCode.FromDirectory.");
        }
    }

    private static List<string> ArchiveFiles(string archivePath)
    {
        var files = new List<string>();
        using var gzip = new GZipStream(File.OpenRead(archivePath), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                files.Add(entry.Name);
            }
        }
        return files;
    }

    /// <summary>
    /// The subnets of the jobs: the given selection, or the VPC's isolated subnets, or its private subnets with egress
    /// when it has no isolated ones. A selection the VPC cannot satisfy is reported on <c>VpcSubnets</c> instead of
    /// failing inside jsii.
    /// </summary>
    public static (SubnetSelection? Selection, ISelectedSubnets? Subnets) Subnets(PropsValidation v, IVpc? vpc, SubnetSelection? given)
    {
        if (vpc is null)
        {
            v.Require(given is null, "VpcSubnets", Describe(given), "give the Vpc too, or drop VpcSubnets (they apply only with a Vpc).");
            return (null, null);
        }
        var selection = given;
        if (selection is null)
        {
            var type = vpc.IsolatedSubnets.Length > 0 ? SubnetType.PRIVATE_ISOLATED
                : vpc.PrivateSubnets.Length > 0 ? SubnetType.PRIVATE_WITH_EGRESS
                : (SubnetType?)null;
            if (type is null)
            {
                v.Add("Vpc", vpc.Node.Path,
                    "it has no private subnets (isolated or with egress); give a VPC with private subnets, or select subnets with VpcSubnets.");
                return (null, null);
            }
            selection = new SubnetSelection { SubnetType = type };
        }
        ISelectedSubnets selected;
        try
        {
            selected = vpc.SelectSubnets(selection);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            v.Add("VpcSubnets", Describe(selection),
                $"the Vpc '{vpc.Node.Path}' cannot provide it ({PipelinePropsValidator.FirstLine(e.Message)}); select subnets the VPC has, "
                + $"e.g. new SubnetSelection {{ SubnetType = SubnetType.{(vpc.IsolatedSubnets.Length > 0 ? "PRIVATE_ISOLATED" : "PRIVATE_WITH_EGRESS")} }}, or leave VpcSubnets unset.");
            return (null, null);
        }
        if (selected.SubnetIds.Length == 0)
        {
            v.Add("VpcSubnets", Describe(selection), $"it selects no subnet of the Vpc '{vpc.Node.Path}'; select at least one, or leave VpcSubnets unset.");
        }
        return (selection, selected);
    }

    private static string? Describe(SubnetSelection? selection) => selection switch
    {
        null => null,
        { Subnets: { Length: > 0 } subnets } => $"{subnets.Length} subnets",
        { SubnetGroupName: { } group } => $"SubnetGroupName {group}",
        { SubnetType: { } type } => $"SubnetType {type}",
        _ => "a subnet selection",
    };
}
