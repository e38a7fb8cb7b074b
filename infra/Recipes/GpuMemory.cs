using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Infra.Recipes;

/// <summary>
/// Memory of one GPU of each GPU training family, in GiB: what a recipe's <see cref="TrainingRecipe.MinimumGpuMemoryGiB"/>
/// is checked against. Every family of <see cref="GpuInstanceTypes.Families"/> has an entry (a test keeps them in step).
/// </summary>
/// <remarks>
/// Sources (AWS instance type pages, "GPU memory" per accelerator): https://aws.amazon.com/ec2/instance-types/g4/ (T4,
/// 16 GB), https://aws.amazon.com/ec2/instance-types/g5/ (A10G, 24 GB), https://aws.amazon.com/ec2/instance-types/g6/
/// (L4, 24 GB), https://aws.amazon.com/ec2/instance-types/g6e/ (L40S, 48 GB), https://aws.amazon.com/ec2/instance-types/p3/
/// (V100, 16 GB; p3dn 32 GB), https://aws.amazon.com/ec2/instance-types/p4/ (A100, 40 GB; p4de 80 GB),
/// https://aws.amazon.com/ec2/instance-types/p5/ (H100 80 GB; p5e/p5en H200 141 GB) and
/// https://aws.amazon.com/ec2/instance-types/p6/ (B200, 179 GB per GPU: 1432 GB over 8).
/// </remarks>
public static class GpuMemory
{
    /// <summary>GiB of memory per GPU, by instance family (<c>g5</c> for <c>ml.g5.2xlarge</c>).</summary>
    public static IReadOnlyDictionary<string, int> PerGpuGiBByFamily { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["g4dn"] = 16,
        ["g5"] = 24,
        ["g6"] = 24,
        ["g6e"] = 48,
        ["p3"] = 16,
        ["p3dn"] = 32,
        ["p4d"] = 40,
        ["p4de"] = 80,
        ["p5"] = 80,
        ["p5e"] = 141,
        ["p5en"] = 141,
        ["p6-b200"] = 179,
    };

    /// <summary>GiB of memory of one GPU of <paramref name="instanceType"/>, or null for a type outside the GPU families.</summary>
    /// <param name="instanceType">A SageMaker instance type, e.g. <c>ml.g5.2xlarge</c>.</param>
    /// <returns>The memory per GPU, or null.</returns>
    public static int? PerGpuGiB(string instanceType) =>
        GpuInstanceTypes.FamilyOf(instanceType) is { } family && PerGpuGiBByFamily.TryGetValue(family, out var gib) ? gib : null;
}
