using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3.Assets;
using Constructs;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// A training source directory packaged the way SageMaker's training toolkit expects it (<c>sourcedir.tar.gz</c>: a
/// gzip tar with the directory's contents at its root, plus any <see cref="TrainingSourceCodeOptions.Dependencies"/>
/// beside them) and published as a CDK file asset.
/// </summary>
/// <remarks>
/// <para>The archive is deterministic, so <c>cdk diff</c> shows no change when no file changed: ustar entries sorted
/// ordinally by relative path (<c>/</c> separators, directories included so empty ones survive), modification time
/// fixed at 1980-01-02T00:00:00Z (zip-safe if the code is later built into a wheel), uid/gid 0 with empty owner names,
/// mode 0755 for directories and owner-executable files and 0644 otherwise; gzip header written by hand with no file
/// name, mtime 0, XFL 0 and OS 255, deflate at <see cref="CompressionLevel.SmallestSize"/>. Ustar is used rather than PAX or
/// GNU because every header byte then comes from the fields above (PAX and GNU headers may add access/change times);
/// paths longer than ustar's 100 + 155 characters are rejected. Symbolic links are rejected rather than followed.</para>
/// <para>The archive is written to a content-addressed path outside the source tree
/// (<c>{temp}/hf-sourcedir/{sha256}/sourcedir.tar.gz</c>), so parallel syntheses never race, and the asset is created
/// from that file: CDK uploads the bytes as they are and the asset hash is the file's hash.</para>
/// </remarks>
public sealed class TrainingSourceCode
{
    /// <summary>Modification time of every entry: 1980-01-02T00:00:00Z.</summary>
    public static readonly DateTimeOffset EntryTimestamp = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Name of the archive file, as the SageMaker Python SDK names it.</summary>
    public const string ArchiveFileName = "sourcedir.tar.gz";

    /// <summary>Exclusions applied to every archive.</summary>
    public static IReadOnlyList<string> DefaultExcludes { get; } = ["__pycache__/", "*.pyc", ".git/", ".DS_Store", "*.egg-info"];

    private static readonly Size DefaultMaxArchiveSize = Size.Mebibytes(100);

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode ExecutableMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private TrainingSourceCode(Asset asset, string sha256, string archivePath)
    {
        Asset = asset;
        Sha256 = sha256;
        ArchivePath = archivePath;
    }

    /// <summary>The file asset holding <c>sourcedir.tar.gz</c>.</summary>
    public Asset Asset { get; }

    /// <summary><c>s3://bucket/key</c> of the archive (tokens until deployment); what <c>sagemaker_submit_directory</c> names.</summary>
    /// <remarks>Built from the bucket and the literal key (<c>&lt;hash&gt;.gz</c>) rather than <c>Asset.S3ObjectUrl</c>, which is one
    /// opaque token: the key's file name must stay readable at synthesis for network-isolated jobs.</remarks>
    public string S3Uri => $"s3://{Asset.S3BucketName}/{Asset.S3ObjectKey}";

    /// <summary>Object key of the archive in the asset bucket (<c>{asset hash}.gz</c>): the file name the archive gets when it
    /// is delivered through an input channel instead of being downloaded by the toolkit.</summary>
    public string S3ObjectKey => Asset.S3ObjectKey;

    /// <summary>Lower-case hex SHA-256 of the archive bytes.</summary>
    public string Sha256 { get; }

    /// <summary>Local path of the archive that was published.</summary>
    public string ArchivePath { get; }

    /// <summary>
    /// Packages <paramref name="directory"/> and publishes it as a file asset with construct id <paramref name="id"/>.
    /// </summary>
    /// <param name="scope">Scope of the asset.</param>
    /// <param name="id">Construct id of the asset (part of the public contract).</param>
    /// <param name="directory">Source directory, absolute or relative to the current directory (the CDK app's root), e.g.
    /// <c>training-scripts/translation</c>.</param>
    /// <param name="options">Entry point check, dependencies, extra exclusions and size limit.</param>
    /// <exception cref="ArgumentException">The directory does not exist, the entry point is missing or excluded, the archive is
    /// larger than the limit, or a path cannot be archived (symbolic link, too long for ustar).</exception>
    public static TrainingSourceCode FromDirectory(Construct scope, string id, string directory, TrainingSourceCodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var bytes = BuildArchive(directory, options, $"{scope.Node.Path}/{id}");
        var sha = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        var path = WriteContentAddressed(bytes, sha);
        var asset = new Asset(scope, id, new AssetProps { Path = path });
        return new TrainingSourceCode(asset, sha, path);
    }

    /// <summary>
    /// Grants <paramref name="grantee"/> read access to the archive object (<c>s3:GetObject*</c>, <c>s3:GetBucket*</c>,
    /// <c>s3:List*</c> on the asset bucket, scoped to the object key) through the bucket's L2 grant.
    /// </summary>
    public Grant GrantRead(IGrantable grantee) => Asset.Bucket.GrantRead(grantee, Asset.S3ObjectKey);

    /// <summary>Builds the deterministic <c>sourcedir.tar.gz</c> bytes for <paramref name="directory"/> (see the remarks of
    /// <see cref="TrainingSourceCode"/>).</summary>
    /// <exception cref="ArgumentException">See <see cref="FromDirectory"/>.</exception>
    public static byte[] CreateArchive(string directory, TrainingSourceCodeOptions? options = null) =>
        BuildArchive(directory, options, $"directory {directory}");

    /// <summary>The library's one error format: <c>Invalid TrainingSourceCode for '{subject}':</c> then one line per
    /// problem, <c>{prop} is '{value}'; {what is allowed and the fix}</c>.</summary>
    private static ArgumentException Invalid(string subject, IEnumerable<string> problems, Exception? inner = null) =>
        new($"Invalid TrainingSourceCode for '{subject}':\n - " + string.Join("\n - ", problems), "directory", inner);

    private static byte[] BuildArchive(string directory, TrainingSourceCodeOptions? options, string subject)
    {
        options ??= new TrainingSourceCodeOptions();
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(directory))
            throw Invalid(subject, [$"directory is '{directory}'; give the training source directory, e.g. 'training-scripts/translation'."]);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            throw Invalid(subject, [$"directory is '{directory}'; it resolves to '{root}', which does not exist: give an existing directory (a relative path is resolved from the current directory, the CDK app's root)."]);

        var excludes = DefaultExcludes.Concat(options.Exclude ?? []).Select(Glob.Parse).ToArray();
        var entries = new List<(string Name, FileSystemInfo Info)>();
        Walk(new DirectoryInfo(root), "", excludes, entries, problems);
        AddDependencies(options.Dependencies ?? [], root, excludes, entries, problems);

        if (options.EntryPoint is { } entryPoint)
        {
            var normalized = entryPoint.Replace('\\', '/').TrimStart('.', '/');
            if (string.IsNullOrWhiteSpace(normalized) || !File.Exists(Path.Combine(root, normalized)))
                problems.Add($"EntryPoint is '{entryPoint}'; it does not exist in '{root}': give the script's path relative to the directory.");
            else if (!entries.Any(e => e.Name == normalized))
                problems.Add($"EntryPoint is '{entryPoint}'; it is excluded from the archive: remove the Exclude pattern that matches it.");
        }

        var maxBytes = (long)(options.MaxArchiveSize ?? DefaultMaxArchiveSize).ToBytes();
        var rawBytes = entries.Select(e => e.Info is FileInfo f ? f.Length : 0).Sum();
        if (rawBytes > Math.Max(maxBytes, 1) * 20L || rawBytes > int.MaxValue / 2)
            problems.Add($"directory is '{root}'; it holds {rawBytes} bytes: the archive carries code, pass datasets and models as input channels.");
        if (problems.Count > 0)
            throw Invalid(subject, problems);

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, info) in entries)
            {
                var isDirectory = info is DirectoryInfo;
                var entry = new UstarTarEntry(isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile, name)
                {
                    ModificationTime = EntryTimestamp,
                    Uid = 0,
                    Gid = 0,
                    UserName = "",
                    GroupName = "",
                    Mode = isDirectory || IsExecutable(info) ? ExecutableMode : FileMode,
                };
                try
                {
                    if (isDirectory)
                    {
                        writer.WriteEntry(entry);
                    }
                    else
                    {
                        using var data = File.OpenRead(info.FullName);
                        entry.DataStream = data;
                        writer.WriteEntry(entry);
                    }
                }
                catch (ArgumentException e)
                {
                    throw Invalid(subject, [$"directory is '{root}'; '{name}' cannot be written to a ustar archive ({e.Message}): shorten the path."], e);
                }
            }
        }

        var archive = Gzip(tar.GetBuffer().AsSpan(0, (int)tar.Length));
        if (archive.Length > maxBytes)
            throw Invalid(subject, [$"MaxArchiveSize is '{maxBytes} bytes'; the archive of '{root}' is {archive.Length} bytes, above the limit: "
                + "keep data and model files out of the source directory or exclude them."]);
        return archive;
    }

    /// <summary>Each dependency directory under its base name at the archive root (<see cref="TrainingSourceCodeOptions.Dependencies"/>).</summary>
    private static void AddDependencies(IReadOnlyList<string> dependencies, string root, Glob[] excludes, List<(string Name, FileSystemInfo Info)> entries, List<string> problems)
    {
        var taken = entries.Select(e => e.Name.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dependency in dependencies)
        {
            if (string.IsNullOrWhiteSpace(dependency))
            {
                problems.Add($"Dependencies is '{dependency}'; give a directory to add at the archive root, e.g. 'training-scripts/hf_recipe'.");
                continue;
            }

            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dependency));
            var info = new DirectoryInfo(full);
            var name = info.Name;
            if (!info.Exists)
            {
                problems.Add($"Dependencies is '{dependency}'; it resolves to '{full}', which is not a directory: give an existing directory (a relative path is resolved from the current directory, the CDK app's root).");
            }
            else if (info.LinkTarget is not null)
            {
                problems.Add($"Dependencies is '{dependency}'; it is a symbolic link: links are not archived, give the directory itself.");
            }
            else if (taken.Contains(name))
            {
                problems.Add($"Dependencies is '{dependency}'; its name '{name}' is also an entry of the source directory '{root}': rename one of them (both would land at the archive root).");
            }
            else if (!added.Add(name))
            {
                problems.Add($"Dependencies is '{dependency}'; another dependency is also named '{name}': give directories with distinct names (each lands at the archive root under its name).");
            }
            else
            {
                entries.Add((name + "/", info));
                Walk(info, name + "/", excludes, entries, problems);
            }
        }
    }

    private static void Walk(DirectoryInfo directory, string prefix, Glob[] excludes, List<(string, FileSystemInfo)> entries, List<string> problems)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
        foreach (var info in directory.EnumerateFileSystemInfos("*", options))
        {
            var relative = prefix + info.Name;
            var isDirectory = info is DirectoryInfo;
            if (excludes.Any(g => g.IsMatch(relative, info.Name, isDirectory))) continue;
            if (info.LinkTarget is not null)
            {
                problems.Add($"directory is '{directory.FullName}'; '{relative}' is a symbolic link: links are not archived, copy the file or exclude it.");
                continue;
            }
            if (isDirectory)
            {
                entries.Add((relative + "/", info));
                Walk((DirectoryInfo)info, relative + "/", excludes, entries, problems);
            }
            else
            {
                entries.Add((relative, info));
            }
        }
    }

    private static bool IsExecutable(FileSystemInfo info) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(info.FullName) & UnixFileMode.UserExecute) != 0;

    /// <summary>RFC 1952 member with a constant header: no name, mtime 0, XFL 0, OS 255 (unknown).</summary>
    private static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream();
        output.Write([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            deflate.Write(data);
        Span<byte> trailer = stackalloc byte[8];
        BitConverterLittleEndian(trailer[..4], Crc32(data));
        BitConverterLittleEndian(trailer[4..], (uint)data.Length);
        output.Write(trailer);
        return output.ToArray();
    }

    private static void BitConverterLittleEndian(Span<byte> destination, uint value) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination, value);

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static string WriteContentAddressed(byte[] bytes, string sha)
    {
        var folder = Path.Combine(Path.GetTempPath(), "hf-sourcedir", sha);
        var path = Path.Combine(folder, ArchiveFileName);
        if (File.Exists(path) && Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant() == sha) return path;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $"{ArchiveFileName}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temporary, bytes);
        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary); // another synthesis wrote the same bytes first
        }
        return path;
    }

    /// <summary>A parsed exclusion glob.</summary>
    private sealed class Glob
    {
        private readonly Regex _regex;
        private readonly bool _directoryOnly;
        private readonly bool _nameOnly;

        private Glob(Regex regex, bool directoryOnly, bool nameOnly)
        {
            _regex = regex;
            _directoryOnly = directoryOnly;
            _nameOnly = nameOnly;
        }

        public static Glob Parse(string pattern)
        {
            var p = pattern.Replace('\\', '/').Trim();
            var directoryOnly = p.EndsWith('/');
            p = p.Trim('/');
            var nameOnly = !p.Contains('/');
            var regex = new StringBuilder("^");
            for (var i = 0; i < p.Length; i++)
            {
                if (p[i] == '*' && i + 1 < p.Length && p[i + 1] == '*')
                {
                    var slash = i + 2 < p.Length && p[i + 2] == '/';
                    regex.Append(slash ? "(?:.*/)?" : ".*");
                    i += slash ? 2 : 1;
                }
                else if (p[i] == '*') regex.Append("[^/]*");
                else if (p[i] == '?') regex.Append("[^/]");
                else regex.Append(Regex.Escape(p[i].ToString()));
            }
            regex.Append("\\z"); // the true end: .NET's $ also matches before a final newline
            return new Glob(new Regex(regex.ToString(), RegexOptions.CultureInvariant), directoryOnly, nameOnly);
        }

        public bool IsMatch(string relativePath, string name, bool isDirectory) =>
            (!_directoryOnly || isDirectory) && _regex.IsMatch(_nameOnly ? name : relativePath);
    }
}
