using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HfSageMaker.Infra.Schemas;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// Reads every environment file of <c>environments/</c>: each <c>*.json</c> except <c>*.schema.json</c>; a file whose
/// extension is <c>.json</c> in another case (<c>staging.JSON</c>) is refused by name, and every other file is ignored.
/// Files are strict JSON (RFC 8259: no comments, no trailing commas) in strict UTF-8, so the Python and Node tooling,
/// <c>jq</c> and a reviewer all read exactly what synthesis reads; use the <c>description</c> field for prose. Each file
/// is checked in three passes, all reported together: its text (no unpaired surrogate escapes, no control characters, no
/// duplicate keys: what a schema cannot see), the generated schema (<see cref="EnvironmentSchema.Evaluator"/>, JsonSchema.Net,
/// worded by <see cref="SchemaProblems"/>), then the cross-field rules (<see cref="EnvironmentRules"/>). All problems of
/// all files are thrown together as one <see cref="EnvironmentValidationException"/>.
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
    /// <param name="warnings">Where concerns that do not stop synthesis go (one line each), or null to drop them.</param>
    /// <exception cref="EnvironmentValidationException">Any file is invalid; lists every problem.</exception>
    public static IReadOnlyList<EnvironmentConfig> LoadAll(List<string>? warnings = null) => LoadAll(LocateDirectory(), warnings);

    /// <summary>Loads and validates every environment file of <paramref name="directory"/>, sorted by file name.</summary>
    /// <param name="directory">The environments directory.</param>
    /// <param name="warnings">Where concerns that do not stop synthesis go (one line each), or null to drop them.</param>
    /// <exception cref="EnvironmentValidationException">Any file is invalid, or there is none; lists every problem.</exception>
    public static IReadOnlyList<EnvironmentConfig> LoadAll(string directory, List<string>? warnings = null)
    {
        var errors = new List<string>();
        var candidates = Directory.GetFiles(directory)
            .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !f.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var other in candidates.Where(f => !f.EndsWith(".json", StringComparison.Ordinal)))
        {
            errors.Add($"{Display(other)}: (file): the extension {Path.GetExtension(other)} is not .json in lower case, so this file would be "
                       + $"skipped; allowed {Path.GetFileNameWithoutExtension(other)}.json (rename it: the app and the tools read environments/*.json).");
        }

        var files = candidates.Where(f => f.EndsWith(".json", StringComparison.Ordinal)).ToList();
        if (files.Count == 0 && errors.Count == 0)
        {
            throw new EnvironmentValidationException(
                [$"{Display(directory)}/: no environment files (*.json) found; add one per environment, e.g. dev.json."]);
        }

        // A file is loaded only when its name equals the file name, so names are unique.
        var configs = files.Select(file => ParseFile(file, errors, warnings)).OfType<EnvironmentConfig>().ToList();
        errors.AddRange(SharedAccountRegionProblems(configs, Display(directory)));
        return errors.Count > 0 ? throw new EnvironmentValidationException(errors) : configs;
    }

    /// <summary>
    /// Two environments in one account and region would share what the stacks treat as theirs alone: the account-wide
    /// cost budget (each would count and alert on the other's spend), the SageMaker event rules and the regional IAM and
    /// job name space, so such pairs are refused: give each environment its own account (the supported layout) or region.
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
    public static EnvironmentConfig? ParseFile(string path, List<string> errors, List<string>? warnings = null)
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
        return text is null ? null : Parse(text, display, Path.GetFileNameWithoutExtension(path), errors, warnings);
    }

    /// <summary>
    /// The file's text when it is strict UTF-8 without a byte-order mark (RFC 8259 section 8.1: what <c>jq</c>, Python's
    /// <c>json</c> and Node's <c>JSON.parse</c> of the deploy workflow read alike); otherwise adds one error naming the
    /// file, the encoding found and the fix, and returns null.
    /// </summary>
    private static string? DecodeStrictUtf8(byte[] bytes, string displayName, List<string> errors)
    {
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
    public static EnvironmentConfig? Parse(string json, string displayName, string expectedName, List<string> errors, List<string>? warnings = null)
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
            var start = errors.Count;
            var order = new Dictionary<string, int>(StringComparer.Ordinal);
            var text = TextProblems(document.RootElement, order, out var copy);
            using var readable = copy;
            var root = copy?.RootElement ?? document.RootElement;
            var schema = SchemaProblems.Find(EnvironmentSchema.Evaluator, root).Where(p => !text.Any(t => t.Pointer == p.Pointer)).ToList();
            errors.AddRange(text.Select(p => (p.Pointer, Line: $"{displayName}: {p.Path}: {p.Message}"))
                .Concat(schema.Select(p => (p.Pointer, Line: p.Line(displayName))))
                .OrderBy(p => Place(p.Pointer)).Select(p => p.Line));
            var dirty = text.Select(p => p.Pointer).Concat(schema.Where(p => !p.UnknownKey).Select(p => p.Pointer)).ToHashSet(StringComparer.Ordinal);
            var config = new EnvironmentRules(displayName, root, dirty, errors, warnings ?? []).Check(expectedName);
            return errors.Count > start ? null : config;

            // A pointer's place in the file; a missing key's is its object's.
            int Place(string pointer) => order.TryGetValue(pointer, out var at) ? at : Place(pointer[..Math.Max(0, pointer.LastIndexOf('/'))]);
        }
        catch (JsonException ex)
        {
            var reason = ex.Message.Split(" LineNumber:")[0].Replace(" Change the reader options.", "", StringComparison.Ordinal).Trim();
            errors.Add($"{displayName}: malformed JSON at line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: {reason} " +
                       "(files are strict JSON: no comments, no trailing commas).");
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A defect of the loader, never of the file alone: still one line naming the file, never a stack trace.
            errors.Add($"{displayName}: (file): could not be validated ({ex.GetType().Name}: {ex.Message}); allowed a file " +
                       $"that follows {EnvironmentSchema.FileName}. This is a defect of the validator: please report it with the file.");
            return null;
        }
    }

    /// <summary>
    /// What a schema cannot see in the text, for every key and string: an escaped lone surrogate (<c>"\ud800"</c>: valid
    /// JSON that .NET cannot read as text, while Python and Node carry on), a control character (a line break or tab in a
    /// value; also what closes the gap of .NET's <c>$</c>, which matches before a final newline, in the schema's patterns),
    /// a key defined twice in one object (a parsed value keeps only one), and a number beyond .NET's decimal (JsonSchema.Net
    /// cannot compare it). <paramref name="order"/>: every value's pointer with its place in the document.
    /// <paramref name="readable"/>: when a value cannot be read, a copy of the document for the schema and the rules with
    /// each such one replaced (a string by its escaped text, a number by its text, a key by <c>&lt;key #n&gt;</c>): the
    /// schema's findings at its pointer are dropped (reported here) and the rules skip it, so it hides no other problem.
    /// </summary>
    private static List<(string Pointer, string Path, string Message)> TextProblems(JsonElement root, Dictionary<string, int> order, out JsonDocument? readable)
    {
        var found = new List<(string, string, string)>();
        var lost = false;
        var buffer = new ArrayBufferWriter<byte>();
        using var copy = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Walk(root, "", "");
        copy.Flush();
        readable = lost ? JsonDocument.Parse(buffer.WrittenMemory) : null;
        return found;

        void Walk(JsonElement e, string pointer, string path)
        {
            order.TryAdd(pointer, order.Count);
            if (e.ValueKind == JsonValueKind.Object)
            {
                copy.WriteStartObject();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var property in e.EnumerateObject())
                {
                    var read = Readable(() => property.Name);
                    var name = read ?? $"<key #{index + 1}>";
                    var at = (Pointer: SchemaProblems.Pointer(pointer, name), Path: path + SchemaProblems.Key(path.Length == 0 ? "" : ".", name));
                    index++;
                    if (Check(at, read, "the key") && !seen.Add(name))
                    {
                        found.Add((at.Pointer, at.Path, "is defined more than once; allowed each key once."));
                    }

                    copy.WritePropertyName(name);
                    Walk(property.Value, at.Pointer, at.Path);
                }

                copy.WriteEndObject();
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                copy.WriteStartArray();
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    Walk(item, $"{pointer}/{i}", $"{path}[{i++}]");
                }

                copy.WriteEndArray();
            }
            else if (e.ValueKind == JsonValueKind.String && !Check((pointer, path), Readable(e.GetString), SchemaProblems.Show(e)))
            {
                copy.WriteStringValue(e.GetRawText()[1..^1]); // distinct as written, so uniqueItems finds no false repeat
            }
            else if (e.ValueKind == JsonValueKind.Number && !e.TryGetDecimal(out _))
            {
                lost = true; // JsonSchema.Net 8.0.5 compares numbers as decimal (uniqueItems, const): it would throw
                found.Add((pointer, path.Length == 0 ? "(root)" : path, $"{SchemaProblems.Show(e)} is out of range of every field; allowed numbers of at most 28 digits (no limit of an environment file comes near)."));
                copy.WriteStringValue(e.GetRawText());
            }
            else
            {
                e.WriteTo(copy);
            }
        }

        bool Check((string Pointer, string Path) at, string? text, string subject)
        {
            var path = at.Path.Length == 0 ? "(root)" : at.Path;
            if (text is null)
            {
                lost = true;
                found.Add((at.Pointer, path, $"{subject} holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff without its pair), which is not "
                    + "Unicode text; allowed escapes of whole characters only (write the character itself, or both halves of a pair such as \\ud83d\\ude00)."));
                return false;
            }

            var control = text.FirstOrDefault(char.IsControl);
            if (text.Any(char.IsControl))
            {
                found.Add((at.Pointer, path, $"{subject} holds the control character U+{(int)control:X4}; allowed text without control characters (no line breaks or tabs)."));
            }

            return true;
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
