using Amazon.CDK;
using Amazon.CDK.AWS.IAM;

namespace HfSageMaker.Constructs.Internal;

/// <summary>The trust both SageMaker roles of the platform use (job role and Studio user role).</summary>
internal static class SageMakerTrust
{
    /// <summary>
    /// <c>sagemaker.amazonaws.com</c>, allowed to assume the role only on behalf of <paramref name="stack"/>'s account
    /// (SageMaker developer guide, "Cross-service confused deputy prevention"). <c>aws:SourceArn</c> is left out on
    /// purpose: one role serves several kinds of SageMaker resource (training jobs, the training jobs of tuning jobs,
    /// Studio apps and spaces), each with its own source ARN, and a condition on a key the service does not send denies
    /// the assumption; <c>aws:SourceAccount</c> is the key SageMaker documents for all of them.
    /// </summary>
    public static ServicePrincipal Principal(Stack stack) => new("sagemaker.amazonaws.com", new ServicePrincipalOpts
    {
        Conditions = new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
        },
    });
}
