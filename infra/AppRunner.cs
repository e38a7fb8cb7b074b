using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Quotas;

namespace HfSageMaker.Infra;

/// <summary>
/// The app's entry point, factored out of <c>Program.cs</c> so tests can run it. With no arguments it synthesizes
/// every environment; <c>quotas [env] [--json]</c> prints the Service Quotas each environment needs; <c>schema [--check]</c>
/// writes (or checks) the environment file schema and the README's key table, which are generated from the C# model.
/// Exit codes: 0 success, 1 invalid recipe folders or environment files (nothing written) or a stale schema, 2 bad command line.
/// </summary>
public static partial class AppRunner
{
    /// <summary>Usage text printed by <c>--help</c> and on a bad command line.</summary>
    public const string Usage =
        "Usage: dotnet run --project infra [-- quotas [<environment>] [--json] | -- schema [--check]]\n" +
        "  (no arguments)          synthesize every environments/*.json into cdk.out/ (or $CDK_OUTDIR)\n" +
        "  quotas [env] [--json]   list the SageMaker Service Quotas each environment needs\n" +
        "  schema [--check]        write environments/environment.schema.json and the README's environment key table\n" +
        "                          from infra/Configuration/EnvironmentConfig.cs (--check: change nothing, exit 1 when stale)";

    /// <summary>The README block <c>schema</c> writes: the environment key table.</summary>
    public const string ReadmeBlock = "schema:environment-keys";

    /// <summary>
    /// Runs the app. <paramref name="outdir"/> overrides <c>CDK_OUTDIR</c> and the default <c>cdk.out</c> at the
    /// repository root; <paramref name="environmentsDirectory"/> overrides <see cref="EnvironmentLoader.LocateDirectory"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string? outdir = null, string? environmentsDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            return RunChecked(args, stdout, stderr, outdir, environmentsDirectory);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever escaped the specific handlers: still one message and exit code 1, never a .NET stack trace.
            stderr.WriteLine($"Failed: {Describe(ex)}");
            stderr.WriteLine($"This is a defect of the app, not of your files alone: please report it with the environment files. Set {StackTraceVariable}=1 to print the stack trace.");
            if (Environment.GetEnvironmentVariable(StackTraceVariable) == "1")
            {
                stderr.WriteLine(ex.ToString());
            }

            return 1;
        }
    }

    /// <summary>Environment variable that adds the stack trace to an unexpected failure's message (for maintainers).</summary>
    public const string StackTraceVariable = "HF_SHOW_STACK_TRACE";

    /// <summary>
    /// One exception as the user sees it: its type and message, without stack frames. Errors raised inside the CDK
    /// reach .NET through jsii as plain <see cref="Exception"/>s whose message may carry the JavaScript stack
    /// (<c>    at Foo (file.js:1:2)</c> lines): those lines are dropped; inner exceptions are appended.
    /// </summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>();
        for (var ex = exception; ex is not null && parts.Count < 4; ex = ex.InnerException)
        {
            var lines = ex.Message.Split('\n')
                .Select(l => l.TrimEnd('\r'))
                .Where(l => !StackFrameLine().IsMatch(l) && l.Trim().Length > 0);
            var type = ex.GetType() == typeof(Exception) ? "" : $"{ex.GetType().Name}: ";
            parts.Add(type + string.Join(" ", lines.Select(l => l.Trim())));
        }

        return string.Join(" <- ", parts);
    }

    /// <summary>A stack frame line of .NET (<c>   at N.T.M() in f.cs:line 3</c>) or JavaScript (<c>    at f (x.js:1:2)</c>).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^\s+at\s\S", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex StackFrameLine();

    private static int RunChecked(string[] args, TextWriter stdout, TextWriter stderr, string? outdir, string? environmentsDirectory)
    {
        if (args is ["--help" or "-h" or "help"])
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var isQuotas = args.Length > 0 && args[0] == "quotas";
        if (args is ["schema", .. var options] && options is not ([] or ["--check"]))
        {
            stderr.WriteLine($"Unexpected argument(s): {string.Join(" ", options)}");
            stderr.WriteLine(Usage);
            return 2;
        }

        if (args.Length > 0 && !isQuotas && args[0] != "schema")
        {
            stderr.WriteLine($"Unknown command \"{args[0]}\".");
            stderr.WriteLine(Usage);
            return 2;
        }

        try
        {
            _ = Recipes.RecipeRegistry.All; // the recipe folders first: the environment files name recipes
        }
        catch (Recipes.RecipeDefinitionException ex)
        {
            stderr.WriteLine($"Invalid recipe definition(s) under training-scripts/; nothing was synthesized. {ex.Errors.Count} problem(s):");
            foreach (var error in ex.Errors)
            {
                stderr.WriteLine(error);
            }

            return 1;
        }

        if (args is ["schema", ..])
        {
            // The recipe names are keys of the schema; the environment files are not read (a broken one does not block it).
            return WriteSchema(RepositoryLocator.FindRoot() ?? throw new InvalidOperationException("no cdk.json found: run from the repository."), args is [_, "--check"], stdout, stderr);
        }

        IReadOnlyList<EnvironmentConfig> environments;
        var warnings = new List<string>();
        try
        {
            environments = environmentsDirectory is null ? EnvironmentLoader.LoadAll(warnings) : EnvironmentLoader.LoadAll(environmentsDirectory, warnings);
        }
        catch (EnvironmentValidationException ex)
        {
            stderr.WriteLine($"Invalid environment definition(s); nothing was synthesized. {ex.Errors.Count} problem(s):");
            foreach (var error in ex.Errors)
            {
                stderr.WriteLine(error);
            }

            return 1;
        }

        foreach (var warning in warnings)
        {
            stderr.WriteLine($"Warning: {warning}");
        }

        if (isQuotas) return Quotas(args[1..], environments, stdout, stderr);
        var problems = new List<string>();
        var source = SourceRevision.FromEnvironment(Environment.GetEnvironmentVariable, problems);
        if (problems.Count > 0)
        {
            stderr.WriteLine($"Invalid source revision; nothing was synthesized. {problems.Count} problem(s):");
            foreach (var problem in problems) stderr.WriteLine(problem);
            return 1;
        }

        return Synthesize(environments, source, stdout, stderr, outdir);
    }

    /// <summary>
    /// The <c>schema</c> command: writes the generated schema and the README's key table (<see cref="ReadmeBlock"/>) under
    /// <paramref name="root"/>, or with <paramref name="check"/> only reports which is stale (exit 1). Reads the recipe
    /// folders (their names are keys), not the environment files, so a broken environment file does not block it.
    /// </summary>
    /// <param name="root">The repository root.</param>
    /// <param name="check">Change nothing; exit 1 when a file is stale.</param>
    /// <param name="stdout">Where each file's state goes.</param>
    /// <param name="stderr">Where problems go.</param>
    /// <returns>The exit code.</returns>
    public static int WriteSchema(string root, bool check, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var readme = Path.Combine(root, "README.md");
        var text = File.ReadAllText(readme);
        var (open, close) = ($"<!-- {ReadmeBlock} -->\n", $"<!-- /{ReadmeBlock} -->");
        var start = text.IndexOf(open, StringComparison.Ordinal);
        var end = text.IndexOf(close, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            stderr.WriteLine($"README.md: the markers <!-- {ReadmeBlock} --> and <!-- /{ReadmeBlock} --> are missing; add them where the environment keys are described.");
            return 1;
        }

        var files = new[]
        {
            (Name: EnvironmentSchema.FileName, Path: Path.Combine(root, EnvironmentSchema.FileName), Text: EnvironmentSchema.Text),
            (Name: "README.md (environment key table)", Path: readme, Text: text[..(start + open.Length)] + Schemas.SchemaDocs.KeyTable(EnvironmentSchema.Document) + text[end..]),
        };
        var stale = files.Where(f => !File.Exists(f.Path) || File.ReadAllText(f.Path) != f.Text).ToList();
        foreach (var file in files)
        {
            var changed = stale.Contains(file);
            if (changed && !check)
            {
                File.WriteAllText(file.Path, file.Text);
            }

            stdout.WriteLine($"{file.Name}: {(changed ? (check ? "stale" : "written") : "up to date")}");
        }

        if (check && stale.Count > 0)
        {
            stderr.WriteLine("Generated files are stale: run dotnet run --project infra -- schema, and commit the result.");
            return 1;
        }

        return 0;
    }

    private static int Quotas(string[] args, IReadOnlyList<EnvironmentConfig> environments, TextWriter stdout, TextWriter stderr)
    {
        var json = args.Contains("--json");
        var rest = args.Where(a => a != "--json").ToList();
        if (rest.Count > 1 || rest.Any(a => a.StartsWith('-')))
        {
            stderr.WriteLine($"Unexpected argument(s): {string.Join(" ", rest)}");
            stderr.WriteLine(Usage);
            return 2;
        }

        var selected = environments;
        if (rest.Count == 1)
        {
            selected = environments.Where(e => e.Name == rest[0]).ToList();
            if (selected.Count == 0)
            {
                stderr.WriteLine($"Unknown environment \"{rest[0]}\"; allowed {string.Join(", ", environments.Select(e => e.Name))}.");
                return 2;
            }
        }

        stdout.Write(json ? QuotaPlan.FormatJson(selected) + Environment.NewLine : QuotaPlan.FormatTable(selected));
        return 0;
    }

    private static int Synthesize(IReadOnlyList<EnvironmentConfig> environments, SourceRevision? source, TextWriter stdout, TextWriter stderr, string? outdir)
    {
        var root = RepositoryLocator.FindRoot();
        var target = outdir
            ?? NonEmpty(Environment.GetEnvironmentVariable("CDK_OUTDIR"))
            ?? Path.Combine(root ?? Directory.GetCurrentDirectory(), "cdk.out");
        target = Path.GetFullPath(target);
        try
        {
            var app = PlatformApp.CreateApp(target, root);
            var stacks = PlatformApp.AddStacks(app, environments, source);
            app.Synth();
            stdout.WriteLine($"Synthesized {stacks.Count} environment(s) into {target}: {string.Join(", ", stacks.Select(s => s.StackName))}");
            return 0;
        }
        catch (ArgumentException ex)
        {
            // Construct validation (props checked eagerly): a configuration problem, reported without a stack trace.
            stderr.WriteLine($"Synthesis failed: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A missing or unreadable file (cdk.json, a recipe's metric definitions) or an error raised inside the CDK:
            // jsii delivers those as plain System.Exception (not from the Amazon.JSII namespace), so every exception is
            // reported here by its message; the stack trace would only hide it.
            stderr.WriteLine($"Synthesis failed: {Describe(ex)}");
            return 1;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
