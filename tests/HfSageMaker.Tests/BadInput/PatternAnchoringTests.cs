using System.Text.RegularExpressions;
using HfSageMaker.Infra.Configuration;
using Xunit;

namespace HfSageMaker.Tests.BadInput;

/// <summary>
/// .NET's <c>$</c> also matches before a final newline and <c>\d</c> matches every Unicode decimal digit, so
/// <c>"123456789012\n"</c> or Arabic-Indic digits passed patterns written for ASCII. Every pattern of the
/// library and the app anchors at the true end (<c>\z</c>) and names ASCII digits (<c>[0-9]</c>).
/// </summary>
public sealed partial class PatternAnchoringTests
{
    private static readonly string Root = RepositoryLocator.FindRoot()!;

    /// <summary>C# string literals: verbatim (<c>@"..."</c>, <c>""</c> escapes a quote) and regular ones.</summary>
    [GeneratedRegex("""@"(?<verbatim>(?:[^"]|"")*)"|(?<![@$\\])"(?<regular>(?:[^"\\\n]|\\.)*)"(?!")""")]
    private static partial Regex StringLiteral();

    private static IEnumerable<string> SourceFiles() =>
        new[] { "constructs", "infra" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories));

    private static IEnumerable<(string File, int Line, string Pattern)> Patterns(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            foreach (Match m in StringLiteral().Matches(text))
            {
                var verbatim = m.Groups["verbatim"].Success;
                var content = verbatim ? m.Groups["verbatim"].Value.Replace("\"\"", "\"", StringComparison.Ordinal) : Regex.Unescape(m.Groups["regular"].Value.Replace("\\\\", "\u0001", StringComparison.Ordinal)).Replace("\u0001", "\\", StringComparison.Ordinal);
                var line = text[..m.Index].Count(ch => ch == '\n') + 1;
                yield return (Path.GetRelativePath(Root, file).Replace('\\', '/'), line, content);
            }
        }
    }

    /// <summary>Whether a literal ends in an unescaped <c>$</c>. A pattern is a literal starting with <c>^</c>, or a piece
    /// of a concatenated pattern (regex syntax, no spaces: code inside interpolated strings is not a pattern).</summary>
    private static bool EndsInDollar(string s) => s.EndsWith('$') && !s.EndsWith("\\$", StringComparison.Ordinal);

    private static List<string> DollarOffenders(IEnumerable<string> files) =>
        Patterns(files)
            .Where(p => (p.Pattern.StartsWith('^') && (p.Pattern.Contains("$)", StringComparison.Ordinal) || p.Pattern.Contains("|$", StringComparison.Ordinal) || EndsInDollar(p.Pattern)))
                        || (p.Pattern.Length > 1 && EndsInDollar(p.Pattern) && p.Pattern.IndexOfAny(['(', '[', '\\']) >= 0 && !p.Pattern.Contains(' ', StringComparison.Ordinal)))
            .Select(p => $"{p.File}:{p.Line}: {p.Pattern}")
            .ToList();

    [Fact]
    public void NoPatternInTheSources_EndsInDollar()
    {
        var offenders = DollarOffenders(SourceFiles());
        Assert.True(offenders.Count == 0, "anchor with \\z, not $:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void NoPatternInTheSources_UsesUnicodeDigitClass()
    {
        var offenders = Patterns(SourceFiles())
            .Where(p => p.Pattern.StartsWith('^') && p.Pattern.Contains("\\d", StringComparison.Ordinal))
            .Select(p => $"{p.File}:{p.Line}: {p.Pattern}")
            .ToList();
        Assert.True(offenders.Count == 0, "write [0-9], not \\d:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void NoRegexIsBuiltWithADollarCharacter()
    {
        // Patterns assembled at run time (e.g. the .gitignore-style globs of TrainingSourceCode) append their anchor.
        var offenders = new[] { "constructs", "infra" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((l, i) => (f, i, l)))
            .Where(x => x.l.Contains("Append('$')", StringComparison.Ordinal) || x.l.Contains("Append(\"$\")", StringComparison.Ordinal))
            .Select(x => $"{x.f}:{x.i + 1}")
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void TheScan_FindsEveryFormOfDollarPattern()
    {
        // The scanner must be able to fail: a file with each form it has to catch, and one anchored correctly.
        var file = Path.Combine(Path.GetTempPath(), "hf-scan-" + Guid.NewGuid().ToString("N") + ".cs");
        File.WriteAllText(file, """
            [GeneratedRegex("^[0-9]{12}$")] A();
            [GeneratedRegex(@"^[a-z]+$", RegexOptions.CultureInvariant)] B();
            var c = new Regex(@"^a" + @"(?:b|c)?$");
            [GeneratedRegex("^prod(-|$)")] D();
            [GeneratedRegex("^fine\\z")] E();
            var f = $"costs {x} US$";
            """);
        try
        {
            var found = DollarOffenders([file]);
            Assert.Equal(4, found.Count);
            Assert.DoesNotContain(found, f => f.Contains("fine", StringComparison.Ordinal) || f.Contains("costs", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
