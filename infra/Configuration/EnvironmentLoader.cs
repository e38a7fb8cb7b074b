using System.Text.Json;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// Reads every <c>environments/*.json</c> file (except <c>*.schema.json</c>) and validates every field. Files are strict
/// JSON (RFC 8259: no comments, no trailing commas) so that the Python and Node tooling, <c>jq</c> and a reviewer all
/// read exactly what synthesis reads; use the <c>description</c> field for prose. All problems of all files are
/// collected and thrown together as one <see cref="EnvironmentValidationException"/>.
/// </summary>
public static class EnvironmentLoader
{
    /// <summary>Environment variable that overrides the environments directory (used by tests).</summary>
    public const string DirectoryVariable = "HF_ENVIRONMENTS_DIR";

    /// <summary>Name of the directory holding the environment files, at the repository root.</summary>
    public const string DirectoryName = "environments";

    /// <summary>
    /// The environments directory: <see cref="DirectoryVariable"/> when set, else the <c>environments</c> folder of the
    /// repository root (found from the current directory, then from the application's base directory).
    /// </summary>
    /// <exception cref="EnvironmentValidationException">No such directory can be found.</exception>
    public static string LocateDirectory()
    {
        var overridden = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return Directory.Exists(overridden)
                ? Path.GetFullPath(overridden)
                : throw new EnvironmentValidationException(
                    [$"{DirectoryVariable}: directory \"{overridden}\" does not exist."]);
        }

        var root = RepositoryLocator.FindRoot();
        var candidate = root is null ? null : Path.Combine(root, DirectoryName);
        return candidate is not null && Directory.Exists(candidate)
            ? candidate
            : throw new EnvironmentValidationException(
                [$"{DirectoryName}/: directory not found; run from the repository (the folder holding cdk.json) or set {DirectoryVariable}."]);
    }

    /// <summary>Loads and validates every environment file of <see cref="LocateDirectory"/>.</summary>
    /// <exception cref="EnvironmentValidationException">Any file is invalid; lists every problem.</exception>
    public static IReadOnlyList<EnvironmentConfig> LoadAll() => LoadAll(LocateDirectory());

    /// <summary>Loads and validates every <c>*.json</c> file of <paramref name="directory"/>, sorted by file name.</summary>
    /// <exception cref="EnvironmentValidationException">Any file is invalid, or there is none; lists every problem.</exception>
    public static IReadOnlyList<EnvironmentConfig> LoadAll(string directory)
    {
        var files = Directory.GetFiles(directory, "*.json")
            .Where(f => !f.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new EnvironmentValidationException(
                [$"{Display(directory)}/: no environment files (*.json) found; add one per environment, e.g. dev.json."]);
        }

        var errors = new List<string>();
        var configs = new List<EnvironmentConfig>();
        foreach (var file in files)
        {
            var config = ParseFile(file, errors);
            if (config is not null)
            {
                configs.Add(config);
            }
        }

        foreach (var duplicate in configs.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"{Display(directory)}/: environment name \"{duplicate.Key}\" is defined more than once; each name must be unique.");
        }

        errors.AddRange(SharedAccountRegionProblems(configs, Display(directory)));

        return errors.Count > 0 ? throw new EnvironmentValidationException(errors) : configs;
    }

    /// <summary>
    /// Two environments in one account and region would share what the stacks treat as theirs alone: the account-wide
    /// cost budget (each would count and alert on the other's spend), the SageMaker event stream and its rules, and the
    /// regional IAM and job name space. Job prefixes carry the environment name (<c>hf-&lt;recipe&gt;-&lt;environment&gt;</c>),
    /// but the budget cannot be told apart, so such pairs are refused: give each environment its own account (the
    /// supported layout) or region.
    /// </summary>
    internal static IEnumerable<string> SharedAccountRegionProblems(IReadOnlyList<EnvironmentConfig> configs, string directory) =>
        configs.GroupBy(c => (c.Account, c.Region))
            .Where(g => g.Count() > 1)
            .Select(g => $"{directory}/: environments {string.Join(" and ", g.Select(c => $"\"{c.Name}\""))} both deploy to account "
                + $"{g.Key.Account} in {g.Key.Region}; allowed one environment per account and region (their account-wide cost "
                + "budgets, SageMaker event rules and IAM job scopes would mix). Give each environment its own \"account\" "
                + "(recommended: budgets count a whole account) or its own \"region\".");

    /// <summary>
    /// Parses and validates one file, adding every problem to <paramref name="errors"/>; returns null when the file has any.
    /// The environment name must equal the file name without extension.
    /// </summary>
    public static EnvironmentConfig? ParseFile(string path, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var display = Display(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            errors.Add($"{display}: cannot be read: {ex.Message}");
            return null;
        }

        return Parse(text, display, Path.GetFileNameWithoutExtension(path), errors);
    }

    /// <summary>
    /// Parses and validates one environment document. <paramref name="displayName"/> prefixes every error;
    /// <paramref name="expectedName"/> is the file name the <c>name</c> field must equal.
    /// </summary>
    public static EnvironmentConfig? Parse(string json, string displayName, string expectedName, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(json))
        {
            errors.Add($"{displayName}: the file is empty; expected a JSON object.");
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Disallow,
                AllowTrailingCommas = false,
                MaxDepth = 16,
            });
            return new EnvironmentFileReader(displayName, errors).Read(document.RootElement, expectedName);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            var reason = ex.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                reason = reason[..cut];
            }

            reason = reason.Replace(" Change the reader options.", "", StringComparison.Ordinal);
            errors.Add($"{displayName}: malformed JSON at line {line}, column {column}: {reason.Trim()} " +
                       "(files are strict JSON: no comments, no trailing commas).");
            return null;
        }
    }

    /// <summary>A path as shown in errors: relative to the current directory when inside it, with forward slashes.</summary>
    internal static string Display(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        var shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
        return shown.Replace('\\', '/');
    }
}
