namespace HfSageMaker.Constructs.Training;

/// <summary>
/// The Service Quotas names of SageMaker training capacity per instance type, as the quota console and
/// <c>aws service-quotas list-service-quotas --service-code sagemaker</c> show them.
/// </summary>
public static class TrainingQuotaNames
{
    /// <summary>On-demand training and tuning instances, e.g. <c>ml.g5.2xlarge for training job usage</c>.</summary>
    /// <param name="instanceType">A SageMaker instance type.</param>
    /// <returns>The quota name.</returns>
    public static string OnDemand(string instanceType) => $"{instanceType} for training job usage";

    /// <summary>Managed spot training and tuning instances, e.g. <c>ml.g5.2xlarge for spot training job usage</c>.</summary>
    /// <param name="instanceType">A SageMaker instance type.</param>
    /// <returns>The quota name.</returns>
    public static string Spot(string instanceType) => $"{instanceType} for spot training job usage";

    /// <summary>Instances kept in warm pools, e.g. <c>ml.g5.2xlarge for training warm pool usage</c>.</summary>
    /// <param name="instanceType">A SageMaker instance type.</param>
    /// <returns>The quota name.</returns>
    public static string WarmPool(string instanceType) => $"{instanceType} for training warm pool usage";
}
