namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// The ids of every warning annotation the library adds, in one scheme, aws-cdk's own
/// (<c>@aws-cdk/aws-s3:accessLogsPolicyNotAdded</c>): <c>@hfsagemaker/&lt;area&gt;:&lt;camelCaseName&gt;</c>. A consumer
/// acknowledges one with <c>Annotations.Of(construct).AcknowledgeWarning(id, reason)</c>; the ids are listed in
/// <c>constructs/README.md</c>.
/// </summary>
internal static class WarningIds
{
    /// <summary>An imported key encrypts log groups, and its key policy could not be extended for CloudWatch Logs.</summary>
    public const string ImportedLogKey = "@hfsagemaker/logs:importedLogKey";

    /// <summary>An environment-agnostic stack's Hugging Face image is not published in every region it may deploy to.</summary>
    public const string DlcRegionSubset = "@hfsagemaker/training:dlcRegionSubset";

    /// <summary>An environment-agnostic stack's Hugging Face inference image is not published in every region.</summary>
    public const string InferenceDlcRegionSubset = "@hfsagemaker/training:inferenceDlcRegionSubset";

    /// <summary>An environment-agnostic stack's Hugging Face LLM (TGI) image is not published in every region.</summary>
    public const string LlmDlcRegionSubset = "@hfsagemaker/training:llmDlcRegionSubset";

    /// <summary>An imported notification key, whose key policy could not be extended for the publishing services.</summary>
    public const string ImportedNotificationKey = "@hfsagemaker/operations:importedNotificationKey";

    /// <summary>Reserved concurrency of the PrepareRequest function needs a higher Lambda quota.</summary>
    public const string ReservedConcurrency = "@hfsagemaker/orchestration:reservedConcurrency";

    /// <summary>Notebooks may use an instance type with local storage, where the SDK's own <c>fit()</c> would still send
    /// the configured volume key, which SageMaker refuses.</summary>
    public const string SdkVolumeKey = "@hfsagemaker/studio:sdkVolumeKey";
}
