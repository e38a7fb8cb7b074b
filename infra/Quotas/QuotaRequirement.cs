namespace HfSageMaker.Infra.Quotas;

/// <summary>One Service Quotas value an environment needs before its first job runs.</summary>
/// <param name="Environment">Environment name.</param>
/// <param name="Account">AWS account the quota is requested in.</param>
/// <param name="Region">Region the quota is requested in (quotas are regional).</param>
/// <param name="InstanceType">The training instance type.</param>
/// <param name="Usage">On-demand, spot or warm pool.</param>
/// <param name="QuotaName">The exact Service Quotas name, e.g. <c>ml.g5.2xlarge for training job usage</c>.</param>
/// <param name="Value">The applied quota value needed (instances).</param>
/// <param name="Basis">How the value was derived, for the person filing the request.</param>
public sealed record QuotaRequirement(
    string Environment,
    string Account,
    string Region,
    string InstanceType,
    QuotaUsage Usage,
    string QuotaName,
    int Value,
    string Basis)
{
    /// <summary>Service Quotas service code of every training quota.</summary>
    public const string ServiceCode = "sagemaker";
}
