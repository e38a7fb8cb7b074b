using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Quotas;

namespace HfSageMaker.Infra;

/// <summary>
/// The app's entry point, factored out of <c>Program.cs</c> so tests can run it. With no arguments it synthesizes
/// every environment; <c>quotas [env] [--json]</c> prints the Service Quotas each environment needs.
/// Exit codes: 0 success, 1 invalid environment files (nothing written), 2 bad command line.
/// </summary>
public static class AppRunner
{
    /// <summary>Usage text printed by <c>--help</c> and on a bad command line.</summary>
    public const string Usage =
        "Usage: dotnet run --project infra [-- quotas [<environment>] [--json]]\n" +
        "  (no arguments)          synthesize every environments/*.json into cdk.out/ (or $CDK_OUTDIR)\n" +
        "  quotas [env] [--json]   list the SageMaker Service Quotas each environment needs";

    /// <summary>
    /// Runs the app. <paramref name="outdir"/> overrides <c>CDK_OUTDIR</c> and the default <c>cdk.out</c> at the
    /// repository root; <paramref name="environmentsDirectory"/> overrides <see cref="EnvironmentLoader.LocateDirectory"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string? outdir = null, string? environmentsDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        if (args is ["--help" or "-h" or "help"])
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var isQuotas = args.Length > 0 && args[0] == "quotas";
        if (args.Length > 0 && !isQuotas)
        {
            stderr.WriteLine($"Unknown command \"{args[0]}\".");
            stderr.WriteLine(Usage);
            return 2;
        }

        IReadOnlyList<EnvironmentConfig> environments;
        try
        {
            environments = environmentsDirectory is null ? EnvironmentLoader.LoadAll() : EnvironmentLoader.LoadAll(environmentsDirectory);
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

        return isQuotas ? Quotas(args[1..], environments, stdout, stderr) : Synthesize(environments, stdout, stderr, outdir);
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

    private static int Synthesize(IReadOnlyList<EnvironmentConfig> environments, TextWriter stdout, TextWriter stderr, string? outdir)
    {
        var root = RepositoryLocator.FindRoot();
        var target = outdir
            ?? NonEmpty(Environment.GetEnvironmentVariable("CDK_OUTDIR"))
            ?? Path.Combine(root ?? Directory.GetCurrentDirectory(), "cdk.out");
        target = Path.GetFullPath(target);
        try
        {
            var app = PlatformApp.CreateApp(target, root);
            var stacks = PlatformApp.AddStacks(app, environments);
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
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Text.Json.JsonException
                                       || ex.GetType().Namespace?.StartsWith("Amazon.JSII", StringComparison.Ordinal) == true)
        {
            // A missing or unreadable file (cdk.json, a recipe's metric definitions) or an error raised inside the CDK
            // (jsii): the message says what is wrong; the stack trace would only hide it.
            stderr.WriteLine($"Synthesis failed ({ex.GetType().Name}): {ex.Message}");
            return 1;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
