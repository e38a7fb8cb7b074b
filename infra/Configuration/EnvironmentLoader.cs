using System.Text;
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
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{display}: cannot be read: {ex.Message}");
            return null;
        }

        var text = DecodeStrictUtf8(bytes, display, errors);
        return text is null ? null : Parse(text, display, Path.GetFileNameWithoutExtension(path), errors);
    }

    /// <summary>
    /// The file's text when it is strict UTF-8 without a byte-order mark (RFC 8259 section 8.1: what <c>jq</c>, Python's
    /// <c>json</c> and Node's <c>JSON.parse</c> of the deploy workflow read alike); otherwise adds one error naming the
    /// file, the encoding found and the fix, and returns null.
    /// </summary>
    internal static string? DecodeStrictUtf8(byte[] bytes, string displayName, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(errors);
        const string fix = "allowed UTF-8 without a byte-order mark (save the file as \"UTF-8\", not \"UTF-8 with BOM\" or UTF-16)";
        string? found = bytes switch
        {
            [0xEF, 0xBB, 0xBF, ..] => "starts with a UTF-8 byte-order mark (EF BB BF)",
            [0x00, 0x00, 0xFE, 0xFF, ..] or [0xFF, 0xFE, 0x00, 0x00, ..] => "is UTF-32 (it starts with a byte-order mark)",
            [0xFE, 0xFF, ..] or [0xFF, 0xFE, ..] => "is UTF-16 (it starts with a byte-order mark)",
            _ when Array.IndexOf(bytes, (byte)0) >= 0 => $"holds a NUL byte at byte offset {Array.IndexOf(bytes, (byte)0)} (UTF-16 or UTF-32 without a byte-order mark, or a binary file)",
            _ => null,
        };
        if (found is not null)
        {
            errors.Add($"{displayName}: (file): {found}; {fix}.");
            return null;
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            var offset = ex.Index >= 0 ? $" at byte offset {ex.Index}" : "";
            var sample = ex.BytesUnknown is { Length: > 0 } unknown ? $" (bytes {Convert.ToHexString(unknown)})" : "";
            errors.Add($"{displayName}: (file): is not valid UTF-8{offset}{sample}, e.g. Latin-1 or Windows-1252 text; {fix}.");
            return null;
        }
    }

    /// <summary>UTF-8 that throws on invalid bytes (encoded surrogates and overlong forms included) instead of replacing them.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
            var unreadable = UnreadableStrings(document.RootElement, "");
            if (unreadable.Count > 0)
            {
                errors.AddRange(unreadable.Select(path =>
                    $"{displayName}: {path}: holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff without its pair), which is not " +
                    "Unicode text; allowed escapes of whole characters only (write the character itself, or both halves of a pair such as \\ud83d\\ude00)."));
                return null;
            }

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
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A defect of the reader, never of the file alone: still one line naming the file, never a stack trace.
            errors.Add($"{displayName}: (file): could not be validated ({ex.GetType().Name}: {ex.Message}); allowed a file " +
                       "that follows environments/environment.schema.json. This is a defect of the validator: please report it with the file.");
            return null;
        }
    }

    /// <summary>
    /// The paths of every property name and string value that cannot be read as text: JSON allows an escaped lone
    /// surrogate (<c>"\ud800"</c>), which .NET refuses to turn into a string (and Python and Node would carry on with).
    /// </summary>
    private static List<string> UnreadableStrings(JsonElement element, string path)
    {
        var found = new List<string>();
        Walk(element, path);
        return found;

        void Walk(JsonElement e, string at)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var index = 0;
                    foreach (var property in e.EnumerateObject())
                    {
                        string? name = Readable(() => property.Name);
                        var child = name is null ? $"{(at.Length == 0 ? "" : at + ".")}<key #{index + 1}>" : (at.Length == 0 ? name : $"{at}.{name}");
                        if (name is null)
                        {
                            found.Add(child);
                        }

                        Walk(property.Value, child);
                        index++;
                    }

                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item, $"{at}[{i++}]");
                    }

                    break;
                case JsonValueKind.String when Readable(e.GetString) is null:
                    found.Add(at.Length == 0 ? "(root)" : at);
                    break;
            }
        }

        static string? Readable(Func<string?> read)
        {
            try
            {
                return read();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
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
