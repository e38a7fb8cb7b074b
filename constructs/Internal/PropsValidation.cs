using Amazon.CDK;
using Constructs;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// Collects every problem with a construct's props and throws one <see cref="ArgumentException"/> naming each prop,
/// the value received and what is allowed. Unresolved tokens are skipped by the callers (<see cref="IsToken"/>).
/// </summary>
internal sealed partial class PropsValidation(IConstruct scope, string propsName)
{
    private readonly List<string> _problems = [];

    /// <summary>True when <paramref name="value"/> is a CDK token, whose value is only known at deployment.</summary>
    public static bool IsToken(string? value) => CdkTokens.IsUnresolved(value);

    /// <summary>Records a problem: <c>{prop} is '{value}'; {allowed}</c>.</summary>
    public void Add(string prop, object? value, string allowed) =>
        _problems.Add($"{prop} is '{Describe(value)}'; {allowed}");

    /// <summary>Records a problem already written as one line that names its field first (e.g. the request builder's
    /// <c>Job.VolumeSize: 0.5 GiB is not allowed; ...</c>).</summary>
    public void AddLine(string line) => _problems.Add(line);

    /// <summary>
    /// Checks an optional IAM role name: 1 to 64 ASCII letters, digits and <c>+=,.@_-</c> (IAM's rule; .NET's <c>\w</c>
    /// would also let other scripts' letters through). Unset names and tokens pass.
    /// </summary>
    public void RequireRoleName(string? name)
    {
        if (name is null || IsToken(name)) return;
        Require(RoleNamePattern().IsMatch(name), "RoleName", name,
            "give 1 to 64 characters of ASCII letters, digits and +=,.@_- (or leave it unset so CloudFormation names the role).");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9+=,.@_-]{1,64}\z")]
    private static partial System.Text.RegularExpressions.Regex RoleNamePattern();

    /// <summary>Records a problem when <paramref name="condition"/> is false.</summary>
    public void Require(bool condition, string prop, object? value, string allowed)
    {
        if (!condition) Add(prop, value, allowed);
    }

    /// <summary>Throws when any problem was recorded.</summary>
    public void ThrowIfAny() => ThrowIfAny(scope, propsName, _problems);

    /// <summary>
    /// The library's one error format, for validators that collect their own lines (<c>{prop} is '{value}'; {allowed
    /// and the fix}</c>): <c>Invalid {propsName} for '{construct path}':</c> then one line per problem.
    /// </summary>
    public static void ThrowIfAny(IConstruct scope, string propsName, IReadOnlyCollection<string> problems)
    {
        if (problems.Count == 0) return;
        throw new ArgumentException(
            $"Invalid {propsName} for '{scope.Node.Path}':\n - " + string.Join("\n - ", problems), propsName);
    }

    private static string Describe(object? value) => value switch
    {
        null => "(not set)",
        string s => s,
        Duration d => d.ToHumanString(),
        IEnumerable<string> list => "[" + string.Join(", ", list) + "]",
        _ => value.ToString() ?? "",
    };
}
