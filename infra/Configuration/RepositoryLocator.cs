namespace HfSageMaker.Infra.Configuration;

/// <summary>Finds the repository root: the nearest folder holding <c>cdk.json</c>.</summary>
public static class RepositoryLocator
{
    /// <summary>
    /// The nearest folder holding <c>cdk.json</c>, searching up from the current directory, then up from the
    /// application's base directory (so tests running from <c>bin/</c> find it); null when there is none.
    /// </summary>
    public static string? FindRoot() =>
        FindUp(Directory.GetCurrentDirectory()) ?? FindUp(AppContext.BaseDirectory);

    private static string? FindUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cdk.json")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
