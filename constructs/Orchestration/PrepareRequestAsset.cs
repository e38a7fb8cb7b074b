using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HfSageMaker.Constructs.Orchestration;

/// <summary>
/// The <c>PrepareRequest</c> function's code: the ES modules of <c>runtime/</c>, embedded in the assembly and written out
/// as the Lambda asset (entry point <c>prepare-request.mjs</c>).
/// </summary>
internal static class PrepareRequestAsset
{
    private const string Prefix = "HfSageMaker.Constructs.Orchestration.runtime.";

    /// <summary>Writes the embedded run-time modules to a content-addressed directory (the Lambda asset).</summary>
    public static string Directory()
    {
        var assembly = typeof(PrepareRequestAsset).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                return (Name: n[Prefix.Length..], Bytes: buffer.ToArray());
            })
            .ToArray();
        if (!files.Any(f => f.Name == "prepare-request.mjs"))
        {
            throw new InvalidOperationException($"embedded resource {Prefix}prepare-request.mjs is missing from the assembly");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\n{bytes.Length}\n"));
            hash.AppendData(bytes);
        }

        var directory = Path.Combine(Path.GetTempPath(), $"hf-sagemaker-prepare-request-{Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant()}");
        foreach (var (name, bytes) in files)
        {
            var file = Path.Combine(directory, name);
            if (File.Exists(file))
            {
                continue;
            }

            System.IO.Directory.CreateDirectory(directory);
            var temp = file + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, file, overwrite: true);
        }

        return directory;
    }
}
