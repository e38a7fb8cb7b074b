using Amazon.CDK;
using Amazon.CDK.AWS.KMS;

namespace HfSageMaker.Constructs.Operations;

/// <summary>Properties of <see cref="PlatformNotifications"/>.</summary>
public sealed record PlatformNotificationsProps
{
    /// <summary>
    /// Customer-managed key that encrypts the topic. Its key policy must let <c>budgets.amazonaws.com</c>,
    /// <c>cloudwatch.amazonaws.com</c> and <c>events.amazonaws.com</c> call <c>kms:GenerateDataKey*</c> and
    /// <c>kms:Decrypt</c>; the construct adds those statements when the key is created in this app, and warns when it
    /// cannot (an imported key). Default: a KMS key with rotation is created.
    /// </summary>
    public IKey? EncryptionKey { get; init; }

    /// <summary>
    /// Email addresses subscribed to the topic. Each address receives a confirmation email and gets nothing until it
    /// confirms. Default: no subscriptions.
    /// </summary>
    public IReadOnlyList<string> EmailAddresses { get; init; } = [];

    /// <summary>What happens to a key the construct creates when the stack is deleted. Default: <see cref="RemovalPolicy.RETAIN"/>.</summary>
    public RemovalPolicy KeyRemovalPolicy { get; init; } = RemovalPolicy.RETAIN;
}
