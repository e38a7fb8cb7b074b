namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// A user-defined cost allocation tag that scopes a budget: only costs of resources carrying <paramref name="Key"/> =
/// <paramref name="Value"/> count. The tag key must be activated as a cost allocation tag in the Billing console of the
/// payer account (it takes up to 24 hours to appear, and costs are not tagged retroactively).
/// </summary>
/// <param name="Key">Tag key, e.g. <c>environment</c>.</param>
/// <param name="Value">Tag value, e.g. <c>dev</c>.</param>
public sealed record CostAllocationTag(string Key, string Value);
