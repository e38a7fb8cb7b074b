using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Amazon.CDK;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>Deterministic sourcedir.tar.gz: no synthesis, plain files in a temporary directory.</summary>
public sealed class TrainingSourceCodeArchiveTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hf-sourcedir-test-" + Guid.NewGuid().ToString("N"));
    private readonly string _source;

    public TrainingSourceCodeArchiveTests()
    {
        _source = Path.Combine(_root, "translation");
        Write("train.py", "print('train')\n");
        Write("requirements.txt", "transformers\n");
        Write(".env.example", "HF_HUB_OFFLINE=1\n");
        Write("pkg/__init__.py", "");
        Write("pkg/util.py", "def f():\n    return 1\n");
        Write("pkg/util.pyc", "compiled");
        Write("run.sh", "#!/bin/sh\n");
        Write("__pycache__/train.cpython-311.pyc", "compiled");
        Write(".git/config", "[core]\n");
        Write(".DS_Store", "finder");
        Write("mypkg.egg-info/PKG-INFO", "Name: mypkg\n");
        Write("data/big.bin", new string('x', 1000));
        Directory.CreateDirectory(Path.Combine(_source, "empty"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(_source, "run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static readonly TrainingSourceCodeOptions Options = new() { EntryPoint = "train.py", Exclude = ["data/"] };

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_source, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static List<(TarEntry Entry, string? Content)> Extract(byte[] archive)
    {
        using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress); // checks CRC32 and size
        using var reader = new TarReader(gzip);
        var entries = new List<(TarEntry, string?)>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
            entries.Add((entry, entry.EntryType != TarEntryType.RegularFile ? null
                : entry.DataStream is null ? "" : new StreamReader(entry.DataStream).ReadToEnd()));
        return entries;
    }

    [Fact]
    public void Two_builds_of_the_same_directory_are_byte_identical()
    {
        var first = TrainingSourceCode.CreateArchive(_source, Options);
        var second = TrainingSourceCode.CreateArchive(_source, Options);
        Assert.Equal(first, second);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(first)), Convert.ToHexString(SHA256.HashData(second)));
    }

    [Fact]
    public void Touching_files_or_moving_the_directory_does_not_change_the_bytes_but_editing_content_does()
    {
        var before = TrainingSourceCode.CreateArchive(_source, Options);
        foreach (var file in Directory.EnumerateFiles(_source, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(3));
        Assert.Equal(before, TrainingSourceCode.CreateArchive(_source, Options));

        var copy = Path.Combine(_root, "elsewhere", "translation");
        foreach (var file in Directory.EnumerateFiles(_source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(_source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
        Directory.CreateDirectory(Path.Combine(copy, "empty"));
        Assert.Equal(before, TrainingSourceCode.CreateArchive(copy, Options));

        File.AppendAllText(Path.Combine(_source, "pkg/util.py"), "# changed\n");
        Assert.NotEqual(before, TrainingSourceCode.CreateArchive(_source, Options));
    }

    [Fact]
    public void Gzip_header_is_constant_with_no_name_and_zero_mtime()
    {
        var archive = TrainingSourceCode.CreateArchive(_source, Options);
        Assert.Equal(new byte[] { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff }, archive[..10]);
    }

    [Fact]
    public void Entries_are_sorted_owned_by_root_with_fixed_time_and_excluded_files_absent()
    {
        var entries = Extract(TrainingSourceCode.CreateArchive(_source, Options));
        var names = entries.Select(e => e.Entry.Name).ToArray();
        Assert.Equal(new[] { ".env.example", "empty/", "pkg/", "pkg/__init__.py", "pkg/util.py", "requirements.txt", "run.sh", "train.py" }, names);
        foreach (var (entry, _) in entries)
        {
            Assert.Equal(TarEntryFormat.Ustar, entry.Format);
            Assert.Equal(0, entry.Uid);
            Assert.Equal(0, entry.Gid);
            Assert.Equal("", ((PosixTarEntry)entry).UserName);
            Assert.Equal("", ((PosixTarEntry)entry).GroupName);
            Assert.Equal(new DateTimeOffset(1980, 1, 2, 0, 0, 0, TimeSpan.Zero), entry.ModificationTime);
        }
        var rwr = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var rwx = rwr | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        Assert.Equal(rwr, entries.Single(e => e.Entry.Name == "train.py").Entry.Mode);
        Assert.Equal(rwx, entries.Single(e => e.Entry.Name == "pkg/").Entry.Mode);
        Assert.Equal(TarEntryType.Directory, entries.Single(e => e.Entry.Name == "empty/").Entry.EntryType);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(rwx, entries.Single(e => e.Entry.Name == "run.sh").Entry.Mode);
    }

    [Fact]
    public void Extracted_files_have_the_source_contents()
    {
        var entries = Extract(TrainingSourceCode.CreateArchive(_source, Options));
        foreach (var (entry, content) in entries.Where(e => e.Entry.EntryType == TarEntryType.RegularFile))
            Assert.Equal(File.ReadAllText(Path.Combine(_source, entry.Name)), content);
        Assert.Equal(6, entries.Count(e => e.Entry.EntryType == TarEntryType.RegularFile));
    }

    [Fact]
    public void Missing_directory_is_rejected_with_its_path()
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainingSourceCode.CreateArchive(Path.Combine(_root, "nope")));
        Assert.StartsWith($"Invalid TrainingSourceCode for 'directory {Path.Combine(_root, "nope")}':\n - directory is '", ex.Message);
        Assert.Contains("nope', which does not exist: give an existing directory", ex.Message);
    }

    [Fact]
    public void Missing_or_excluded_entry_point_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainingSourceCode.CreateArchive(_source, new TrainingSourceCodeOptions { EntryPoint = "missing.py" }));
        Assert.Contains("EntryPoint is 'missing.py'; it does not exist in", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => TrainingSourceCode.CreateArchive(_source,
            new TrainingSourceCodeOptions { EntryPoint = "train.py", Exclude = ["train.*"] }));
        Assert.Contains("EntryPoint is 'train.py'; it is excluded from the archive", ex.Message);
    }

    [Fact]
    public void Archive_above_the_size_limit_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainingSourceCode.CreateArchive(_source, new TrainingSourceCodeOptions { MaxArchiveSize = Size.Bytes(64) }));
        Assert.Contains("MaxArchiveSize is '64 bytes'; the archive of", ex.Message);
    }

    [PosixFact]
    public void Symbolic_link_is_rejected()
    {
        File.CreateSymbolicLink(Path.Combine(_source, "link.py"), Path.Combine(_source, "train.py"));
        var ex = Assert.Throws<ArgumentException>(() => TrainingSourceCode.CreateArchive(_source, Options));
        Assert.Contains("'link.py' is a symbolic link: links are not archived", ex.Message);
    }

    private string WriteDependency(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Dependencies_land_at_the_archive_root_under_their_names_as_the_sdk_puts_them()
    {
        // SDK v2.257.6 utils.py create_tar_file: t.add(dependency, arcname=os.path.basename(dependency))
        WriteDependency("shared/hf_recipe/__init__.py", "");
        WriteDependency("shared/hf_recipe/util.py", "X = 1\n");
        WriteDependency("shared/hf_recipe/__pycache__/util.cpython-311.pyc", "compiled");
        WriteDependency("shared/hf_recipe/data/big.bin", "excluded by the caller's pattern");
        var options = new TrainingSourceCodeOptions { EntryPoint = "train.py", Exclude = ["data/"], Dependencies = [Path.Combine(_root, "shared", "hf_recipe") + Path.DirectorySeparatorChar] };
        var entries = Extract(TrainingSourceCode.CreateArchive(_source, options));
        Assert.Equal(
            new[] { ".env.example", "empty/", "hf_recipe/", "hf_recipe/__init__.py", "hf_recipe/util.py", "pkg/", "pkg/__init__.py", "pkg/util.py", "requirements.txt", "run.sh", "train.py" },
            entries.Select(e => e.Entry.Name));
        Assert.Equal("X = 1\n", entries.Single(e => e.Entry.Name == "hf_recipe/util.py").Content);
        Assert.Equal(TrainingSourceCode.CreateArchive(_source, options), TrainingSourceCode.CreateArchive(_source, options));
        Assert.NotEqual(TrainingSourceCode.CreateArchive(_source, Options), TrainingSourceCode.CreateArchive(_source, options));
    }

    [Fact]
    public void Dependency_named_like_an_entry_of_the_source_or_another_dependency_or_missing_is_refused_with_every_problem()
    {
        WriteDependency("shared/pkg/__init__.py", "");
        WriteDependency("shared/lib/__init__.py", "");
        WriteDependency("other/lib/__init__.py", "");
        var ex = Assert.Throws<ArgumentException>(() => TrainingSourceCode.CreateArchive(_source, new TrainingSourceCodeOptions
        {
            Dependencies = [Path.Combine(_root, "shared", "pkg"), Path.Combine(_root, "shared", "lib"), Path.Combine(_root, "other", "lib"), Path.Combine(_root, "absent"), " "],
        }));
        Assert.StartsWith($"Invalid TrainingSourceCode for 'directory {_source}':\n - ", ex.Message);
        Assert.Contains($"Dependencies is '{Path.Combine(_root, "shared", "pkg")}'; its name 'pkg' is also an entry of the source directory '{_source}': rename one of them", ex.Message);
        Assert.Contains($"Dependencies is '{Path.Combine(_root, "other", "lib")}'; another dependency is also named 'lib'", ex.Message);
        Assert.Contains($"Dependencies is '{Path.Combine(_root, "absent")}'; it resolves to '{Path.Combine(_root, "absent")}', which is not a directory", ex.Message);
        Assert.Contains("Dependencies is ' '; give a directory", ex.Message);
        Assert.Equal(4, ex.Message.Split("\n - ").Length - 1);
    }
}
