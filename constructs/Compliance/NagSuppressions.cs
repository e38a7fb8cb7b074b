using Amazon.CDK;
using Constructs;

namespace HfSageMaker.Constructs.Compliance;

/// <summary>
/// Writes cdk-nag suppressions into a resource's CloudFormation metadata (<c>cdk_nag.rules_to_suppress</c>), the form
/// cdk-nag 2.x reads, so templates synthesized from C# can be checked by cdk-nag running in Node. Suppressions always
/// live on the resource they concern; stack-level suppressions are not supported on purpose.
/// </summary>
public static class NagSuppressions
{
    /// <summary>Minimum length of a suppression reason; shorter reasons cannot carry evidence.</summary>
    public const int MinimumReasonLength = 20;

    /// <summary>
    /// Adds suppressions to <paramref name="construct"/>: the construct itself when it is a <see cref="CfnResource"/>,
    /// else its default child. Existing suppressions on the resource are kept; a rule suppressed twice is merged.
    /// </summary>
    /// <exception cref="ArgumentException">A suppression has no id, a reason shorter than
    /// <see cref="MinimumReasonLength"/>, or is an IAM5 suppression without <c>AppliesTo</c>; or the construct has
    /// no CloudFormation resource.</exception>
    public static void Add(IConstruct construct, params NagSuppression[] suppressions)
    {
        var resource = construct as CfnResource ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException(
                $"NagSuppressions.Add: construct '{construct.Node.Path}' is not a CloudFormation resource and has no default child resource; pass the L1 resource.",
                nameof(construct));

        var problems = new List<string>();
        foreach (var s in suppressions)
        {
            if (string.IsNullOrWhiteSpace(s.Id))
                problems.Add("Id is empty; give the cdk-nag rule id, e.g. 'AwsSolutions-IAM5'.");
            if (string.IsNullOrWhiteSpace(s.Reason) || s.Reason.Trim().Length < MinimumReasonLength)
                problems.Add($"Reason for '{s.Id}' is '{s.Reason}'; give the evidence why the finding is safe (at least {MinimumReasonLength} characters).");
            if (s.Id == "AwsSolutions-IAM5" && (s.AppliesTo is null || s.AppliesTo.Count == 0))
                problems.Add("AppliesTo for 'AwsSolutions-IAM5' is empty; name each wildcard finding suppressed, e.g. 'Resource::*'.");
        }
        if (problems.Count > 0)
            throw new ArgumentException(
                $"Invalid cdk-nag suppression on '{construct.Node.Path}':\n - " + string.Join("\n - ", problems), nameof(suppressions));

        var merged = new Dictionary<string, (string Reason, SortedSet<string> AppliesTo, bool All)>(StringComparer.Ordinal);
        foreach (var existing in Read(resource))
            merged[existing.Id] = (existing.Reason, new SortedSet<string>(existing.AppliesTo ?? [], StringComparer.Ordinal), existing.AppliesTo is null);
        foreach (var s in suppressions)
        {
            if (merged.TryGetValue(s.Id, out var current))
            {
                if (s.AppliesTo is not null) current.AppliesTo.UnionWith(s.AppliesTo);
                merged[s.Id] = (current.Reason.Contains(s.Reason, StringComparison.Ordinal) ? current.Reason : current.Reason + " " + s.Reason, current.AppliesTo,
                    current.All || s.AppliesTo is null);
            }
            else
            {
                merged[s.Id] = (s.Reason, new SortedSet<string>(s.AppliesTo ?? [], StringComparer.Ordinal), s.AppliesTo is null);
            }
        }

        var rules = merged.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
        {
            var rule = new Dictionary<string, object> { ["id"] = kv.Key, ["reason"] = kv.Value.Reason };
            if (!kv.Value.All) rule["applies_to"] = kv.Value.AppliesTo.ToArray();
            return (object)rule;
        }).ToArray();
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules });
    }

    /// <summary>The suppressions currently written on <paramref name="resource"/>.</summary>
    public static IReadOnlyList<NagSuppression> Read(CfnResource resource)
    {
        if (resource.GetMetadata("cdk_nag") is not IDictionary<string, object> meta
            || !meta.TryGetValue("rules_to_suppress", out var raw) || raw is not IEnumerable<object> rules)
            return [];
        var result = new List<NagSuppression>();
        foreach (var r in rules.OfType<IDictionary<string, object>>())
        {
            var appliesTo = r.TryGetValue("applies_to", out var a) && a is IEnumerable<object> list
                ? list.Select(x => x.ToString() ?? "").ToArray()
                : null;
            result.Add(new NagSuppression(r["id"].ToString() ?? "", r["reason"].ToString() ?? "", appliesTo));
        }
        return result;
    }
}
