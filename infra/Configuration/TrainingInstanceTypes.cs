using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// The GPU <c>ml.*</c> instance types an environment may allow for Hugging Face training, with their GPU counts. Whether
/// a type is a GPU training type at all is decided by the construct library's <see cref="GpuInstanceTypes"/> (the one
/// definition the image catalog and the request builder use); this list is the subset of those types that the
/// <c>TrainingInstanceType</c> enum of the SageMaker API model the tests validate requests against
/// (<c>tests/models/sagemaker-2017-07-24.*.json.gz</c>, botocore 1.43.11) knows. GPU counts: the SDK's
/// <c>image_uri_config/instance_gpu_info.json</c> (v2.257.6) where it lists the type, else the EC2 accelerated computing
/// specifications (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html).
/// </summary>
public static class TrainingInstanceTypes
{
    /// <summary>Every supported GPU training instance type with its number of GPUs.</summary>
    public static IReadOnlyDictionary<string, int> GpuCount { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["ml.g4dn.xlarge"] = 1,
        ["ml.g4dn.2xlarge"] = 1,
        ["ml.g4dn.4xlarge"] = 1,
        ["ml.g4dn.8xlarge"] = 1,
        ["ml.g4dn.12xlarge"] = 4,
        ["ml.g4dn.16xlarge"] = 1,
        ["ml.g5.xlarge"] = 1,
        ["ml.g5.2xlarge"] = 1,
        ["ml.g5.4xlarge"] = 1,
        ["ml.g5.8xlarge"] = 1,
        ["ml.g5.12xlarge"] = 4,
        ["ml.g5.16xlarge"] = 1,
        ["ml.g5.24xlarge"] = 4,
        ["ml.g5.48xlarge"] = 8,
        ["ml.p3.2xlarge"] = 1,
        ["ml.p3.8xlarge"] = 4,
        ["ml.p3.16xlarge"] = 8,
        ["ml.p3dn.24xlarge"] = 8,
        ["ml.p4d.24xlarge"] = 8,
        ["ml.p4de.24xlarge"] = 8,
        ["ml.g6.xlarge"] = 1,
        ["ml.g6.2xlarge"] = 1,
        ["ml.g6.4xlarge"] = 1,
        ["ml.g6.8xlarge"] = 1,
        ["ml.g6.12xlarge"] = 4,
        ["ml.g6.16xlarge"] = 1,
        ["ml.g6.24xlarge"] = 4,
        ["ml.g6.48xlarge"] = 8,
        ["ml.g6e.xlarge"] = 1,
        ["ml.g6e.2xlarge"] = 1,
        ["ml.g6e.4xlarge"] = 1,
        ["ml.g6e.8xlarge"] = 1,
        ["ml.g6e.12xlarge"] = 4,
        ["ml.g6e.16xlarge"] = 1,
        ["ml.g6e.24xlarge"] = 4,
        ["ml.g6e.48xlarge"] = 8,
        ["ml.p5.4xlarge"] = 1,
        ["ml.p5.48xlarge"] = 8,
        ["ml.p5e.48xlarge"] = 8,
        ["ml.p5en.48xlarge"] = 8,
        ["ml.p6-b200.48xlarge"] = 8,
    };

    /// <summary>Every supported type, by family then size (the order used in messages).</summary>
    public static IReadOnlyList<string> All { get; } = [.. GpuCount.Keys];

    /// <summary>
    /// The GPU training families, from <see cref="GpuInstanceTypes.Families"/>: a type outside them is "not a GPU
    /// type"; a type inside them but not in <see cref="GpuCount"/> is a size this platform does not offer (yet).
    /// </summary>
    public static IReadOnlySet<string> GpuFamilies { get; } =
        GpuInstanceTypes.Families.ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="instanceType"/> is a supported GPU training instance type.</summary>
    public static bool IsSupported(string instanceType) =>
        GpuCount.ContainsKey(instanceType) && GpuInstanceTypes.IsSupported(instanceType);

    /// <summary>The family of an <c>ml.&lt;family&gt;.&lt;size&gt;</c> type, e.g. <c>g5</c>; empty when it has no such shape.</summary>
    public static string FamilyOf(string instanceType)
    {
        var parts = instanceType.Split('.');
        return parts.Length == 3 && parts[0] == "ml" ? parts[1] : string.Empty;
    }
}
