namespace HfSageMaker.Infra.Quotas;

/// <summary>Which SageMaker training quota family a requirement belongs to.</summary>
public enum QuotaUsage
{
    /// <summary><c>&lt;type&gt; for training job usage</c>: on-demand training and tuning instances.</summary>
    OnDemand,
    /// <summary><c>&lt;type&gt; for spot training job usage</c>: managed spot training and tuning instances.</summary>
    Spot,
    /// <summary><c>&lt;type&gt; for training warm pool usage</c>: instances kept alive after a job (default quota 0).</summary>
    WarmPool,
}
