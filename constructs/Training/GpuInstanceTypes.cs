using System.Text.RegularExpressions;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// The one definition of "a GPU training instance type" for Hugging Face training: the image catalog
/// (<see cref="HuggingFaceImage"/>), the request builder, the training pipeline's
/// allowed instance types and the environment loader all ask this class, and all explain a refusal with
/// <see cref="Explain"/>.
/// </summary>
/// <remarks>
/// The families are the NVIDIA GPU families SageMaker training offers on x86_64 (the DLCs are CUDA builds for x86_64).
/// Sources: the SDK's <c>image_uri_config/instance_gpu_info.json</c> (p3, p3dn, p4d, p4de, p5, g4dn, g5) and the
/// SageMaker training instance list for the newer g6, g6e, p5e, p5en and p6-b200. Excluded on purpose: p2 (Kepler, not
/// targeted by the CUDA 11/12 builds), g4ad (AMD GPU), g5g (Graviton), inf/trn (Neuron, which needs the neuronx DLCs)
/// and every CPU family.
/// </remarks>
public static partial class GpuInstanceTypes
{
    /// <summary>The accepted instance families, e.g. <c>g5</c> for <c>ml.g5.2xlarge</c>.</summary>
    public static IReadOnlyList<string> Families { get; } =
        ["g4dn", "g5", "g6", "g6e", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200"];

    /// <summary>Instance types named as examples in messages.</summary>
    public static IReadOnlyList<string> Examples { get; } =
        ["ml.g5.2xlarge", "ml.g6e.xlarge", "ml.p4d.24xlarge", "ml.p5.48xlarge"];

    [GeneratedRegex(@"^ml\.(?<family>[a-z0-9-]+)\.(?<size>[a-z0-9]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex InstanceTypePattern();

    /// <summary>The family of an <c>ml.&lt;family&gt;.&lt;size&gt;</c> type (<c>g5</c>), or null when it has no such shape.</summary>
    /// <param name="instanceType">A SageMaker instance type.</param>
    /// <returns>The family, or null.</returns>
    public static string? FamilyOf(string? instanceType)
    {
        var match = InstanceTypePattern().Match(instanceType ?? string.Empty);
        return match.Success ? match.Groups["family"].Value : null;
    }

    /// <summary>Whether <paramref name="instanceType"/> is a GPU training instance type the Hugging Face DLCs run on.</summary>
    /// <param name="instanceType">A SageMaker instance type, e.g. <c>ml.g5.2xlarge</c>.</param>
    /// <returns>True when its family is one of <see cref="Families"/>.</returns>
    public static bool IsSupported(string? instanceType) =>
        FamilyOf(instanceType) is { } family && Families.Contains(family, StringComparer.Ordinal);

    /// <summary>
    /// Why <paramref name="instanceType"/> is refused, as one sentence starting with the quoted type (callers prefix
    /// the field name), or null when it is supported.
    /// </summary>
    /// <param name="instanceType">A SageMaker instance type.</param>
    /// <returns>The explanation, or null.</returns>
    public static string? Explain(string? instanceType)
    {
        if (IsSupported(instanceType))
        {
            return null;
        }

        var examples = string.Join(", ", Examples);
        var family = FamilyOf(instanceType);
        return family is null
            ? $"'{instanceType}' is not a SageMaker instance type of the form 'ml.<family>.<size>'; Hugging Face training DLCs are GPU-only, e.g. {examples}."
            : $"'{instanceType}' (family '{family}') is not a GPU training instance type: Hugging Face PyTorch training DLCs are GPU-only "
              + $"(NVIDIA CUDA on x86_64). Use a GPU family ({string.Join(", ", Families)}), e.g. {examples}.";
    }
}
