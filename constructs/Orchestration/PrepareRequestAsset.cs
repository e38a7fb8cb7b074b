using System.Globalization;
using System.Security.Cryptography;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>The <c>PrepareRequest</c> handler, embedded in the assembly and written out as the Lambda asset.</summary>
internal static class PrepareRequestAsset
{
    /// <summary>Writes the embedded run-time code to a content-addressed directory (the Lambda asset).</summary>
    public static string Directory()
    {
        const string resource = "HfSageMaker.Constructs.Orchestration.runtime.prepare-request.mjs";
        using var stream = typeof(PrepareRequestAsset).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from the assembly");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var directory = Path.Combine(Path.GetTempPath(), $"hf-sagemaker-prepare-request-{hash}");
        var file = Path.Combine(directory, "prepare-request.mjs");
        if (!File.Exists(file))
        {
            System.IO.Directory.CreateDirectory(directory);
            var temp = file + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, file, overwrite: true);
        }
        return directory;
    }
}
