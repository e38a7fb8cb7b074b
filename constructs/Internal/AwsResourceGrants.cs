using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// KMS grants only for AWS resources: <c>kms:GrantIsForAWSResource</c> is true when "an AWS service that is integrated
/// with AWS KMS sends the request on the principal's behalf" (AWS KMS developer guide, "Controlling access to grants",
/// https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html). SageMaker creates grants that way
/// for job volumes and output, Studio for the home EFS and the apps' volumes; nobody on this platform needs a grant
/// for anything else, since a grant outlives the policy that allowed it and is not visible in any policy.
/// </summary>
internal static class AwsResourceGrants
{
    /// <summary>The condition key.</summary>
    public const string ConditionKey = "kms:GrantIsForAWSResource";

    /// <summary>The statement id of the key policy statement <see cref="DenyOtherGrants"/> adds.</summary>
    public const string DenySid = "DenyGrantsNotForAwsResources";

    /// <summary>
    /// The identity-policy statements that let a role use keys for AWS resources only, which is how SageMaker (job volumes
    /// and output, with the job's role) and Studio (home EFS, app volumes, with the user's role) use a customer managed
    /// key: <c>kms:CreateGrant</c> on <paramref name="keyArns"/> when <c>kms:GrantIsForAWSResource</c> is true (statement
    /// <paramref name="sid"/>), and <c>kms:DescribeKey</c> on them without that condition (statement
    /// <c>&lt;sid&gt;Describe</c>): the key applies to CreateGrant, ListGrants and RevokeGrant only (Service Authorization
    /// Reference, AWS KMS), so under it DescribeKey was never allowed.
    /// </summary>
    public static PolicyStatement[] AllowForAwsResources(string sid, params string[] keyArns) =>
    [
        new(new PolicyStatementProps
        {
            Sid = sid,
            Actions = ["kms:CreateGrant"],
            Resources = keyArns,
            Conditions = new Dictionary<string, object>
            {
                ["Bool"] = new Dictionary<string, object> { [ConditionKey] = "true" },
            },
        }),
        new(new PolicyStatementProps
        {
            Sid = sid + "Describe",
            Actions = ["kms:DescribeKey"],
            Resources = keyArns,
        }),
    ];

    /// <summary>
    /// Adds to <paramref name="key"/>'s policy a statement that denies <c>kms:CreateGrant</c> to every principal unless
    /// an AWS service creates the grant for an AWS resource (<c>BoolIfExists</c> false: also when the key is absent),
    /// so no role or user of the account (including administrators through the account's root statement) can hand
    /// the key to a principal outside the policies. An imported key's policy cannot be changed here: its owner gets
    /// an informational annotation naming the statement.
    /// </summary>
    public static void DenyOtherGrants(Construct scope, IKey key)
    {
        var added = key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = DenySid,
            Effect = Effect.DENY,
            Principals = [new AnyPrincipal()],
            Actions = ["kms:CreateGrant"],
            // In a key policy "*" means this key.
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["BoolIfExists"] = new Dictionary<string, object> { [ConditionKey] = "false" },
            },
        }), allowNoOp: true).StatementAdded;
        if (!added)
            Annotations.Of(scope).AddInfo(
                $"The key of '{scope.Node.Path}' is imported, so its key policy could not be extended: add a statement denying kms:CreateGrant "
                + $"to every principal with condition BoolIfExists {ConditionKey} = false, so grants exist only for AWS resources.");
    }
}
