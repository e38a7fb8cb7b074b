using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// Lets CloudWatch Logs use a customer-managed key for the log groups of this account and region, the key policy
/// statement the CloudWatch Logs user guide prescribes ("Encrypt log data in CloudWatch Logs using AWS KMS", step 2):
/// principal <c>logs.&lt;region&gt;.amazonaws.com</c>, condition <c>kms:EncryptionContext:aws:logs:arn</c> ArnLike
/// <c>arn:&lt;partition&gt;:logs:&lt;region&gt;:&lt;account&gt;:log-group:*</c>. Without it, creating a log group with
/// <c>KmsKeyId</c> fails. The pattern cannot name the log groups themselves: their ARNs depend on the key (through
/// <c>KmsKeyId</c>), so naming them in the key policy would be a circular dependency.
/// </summary>
internal static class LogGroupKeyPolicy
{
    /// <summary>The statement id; the same statement added twice is rendered once (CDK de-duplicates identical statements).</summary>
    public const string Sid = "AllowCloudWatchLogsOfThisAccountAndRegion";

    /// <summary>
    /// Adds the statement to <paramref name="key"/>'s policy. For an imported key, whose policy cannot be changed here, a
    /// warning tells the owner what to add.
    /// </summary>
    public static void Allow(Construct scope, IKey key)
    {
        var stack = Stack.Of(scope);
        var added = key.AddToResourcePolicy(Statement(stack), allowNoOp: true).StatementAdded;
        if (!added)
            Annotations.Of(scope).AddWarningV2(WarningIds.ImportedLogKey,
                $"The key encrypting the log groups of '{scope.Node.Path}' is imported, so its key policy could not be extended: allow "
                + $"logs.<region>.amazonaws.com kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* with "
                + "condition ArnLike kms:EncryptionContext:aws:logs:arn = arn:<partition>:logs:<region>:<account>:log-group:*, or creating the log groups fails.");
    }

    private static PolicyStatement Statement(Stack stack) => new(new PolicyStatementProps
    {
        Sid = Sid,
        Effect = Effect.ALLOW,
        // logs.<region>.amazonaws.com, or .amazonaws.com.cn in China (the partition's URL suffix when the region is a token).
        Principals = [new ServicePrincipal($"logs.{stack.Region}.{UrlSuffix(stack)}")],
        // The action set of the CloudWatch Logs user guide; the encryption-context condition limits every use to log
        // groups of this account and region.
        Actions = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        // In a key policy "*" means this key.
        Resources = ["*"],
        Conditions = new Dictionary<string, object>
        {
            ["ArnLike"] = new Dictionary<string, object>
            {
                ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:*",
            },
        },
    });

    private static string UrlSuffix(Stack stack) =>
        CdkTokens.IsUnresolved(stack.Region) ? stack.UrlSuffix
        : stack.Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
}
