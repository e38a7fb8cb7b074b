using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>
/// A fact that needs POSIX file-system rights (creating a symbolic link without a privilege). On Windows it is
/// reported as skipped with that reason, never passed without running; scripts/test.sh fails on a skip that
/// tests/allowed-skips.json does not name.
/// </summary>
public sealed class PosixFactAttribute : FactAttribute
{
    /// <summary>Skips on Windows, where creating a symbolic link needs Developer Mode or an administrator.</summary>
    public PosixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
            Skip = "creating a symbolic link on Windows needs Developer Mode or an administrator";
    }
}
