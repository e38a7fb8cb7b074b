using System.Text.RegularExpressions;

namespace HfSageMaker.Constructs.Training;

/// <summary>Facts about SageMaker training instance types used by the request builder.</summary>
internal static partial class InstanceTypes
{
    /// <summary>
    /// SMDDP instance types: the SDK's <c>fw_utils.py</c> <c>SM_DATAPARALLEL_SUPPORTED_INSTANCE_TYPES</c> (v2.257.6,
    /// lines 85-91, without <c>local_gpu</c>). The SDK declares the list but no longer checks it (a listed divergence:
    /// this library does); ml.p5.48xlarge is refused for every smdistributed mode by
    /// <c>Framework._distribution_configuration</c> (<c>estimator.py</c> lines 4168-4173), see <see cref="IsP5For(string)"/>.
    /// </summary>
    public static readonly IReadOnlyList<string> SmdDataParallel =
        ["ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge"];

    /// <summary><c>estimator.py</c> (v2.257.6) line 4152: <c>"p5.48xlarge" in self.instance_type</c>.</summary>
    public static bool IsP5For(string instanceType) => instanceType.Contains("p5.48xlarge", StringComparison.Ordinal);

    // Only for AcceptsVolumeKmsKey; whether a type is a GPU training type is GpuInstanceTypes' decision.
    [GeneratedRegex(@"^ml\.(?<family>[pg][0-9]+[a-z]*)\.(?<size>[0-9]*x?large)\z")]
    private static partial Regex InstanceTypePattern();

    /// <summary>
    /// Whether the type has only EBS storage, so <c>VolumeKmsKeyId</c> is accepted. SageMaker rejects a volume key on
    /// types with local NVMe instance storage (ResourceConfig.VolumeKmsKeyId documentation); among GPU families only
    /// p2, p3 (not p3dn) and g3 lack instance storage.
    /// </summary>
    public static bool AcceptsVolumeKmsKey(string instanceType)
    {
        var match = InstanceTypePattern().Match(instanceType);
        var family = match.Success ? match.Groups["family"].Value : string.Empty;
        return family is "p2" or "p3" or "g3" or "g3s";
    }
}
