using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// The environment's notification topic: budget alerts, CloudWatch alarms and EventBridge job state changes all land
/// here. KMS-encrypted with a customer-managed key whose policy lets those three services publish (SNS with KMS needs the
/// publisher to generate a data key), publish allowed only over TLS, and each service allowed to publish only on behalf
/// of this account.
/// </summary>
public sealed class PlatformNotifications : Construct
{
    /// <summary>The AWS services that publish to the topic.</summary>
    public static IReadOnlyList<string> PublishingServices { get; } =
        ["budgets.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"];

    /// <summary>
    /// Whether <paramref name="address"/> is an email address the library subscribes: the JSON Schema
    /// <c>"format": "email"</c> as ajv-formats 3.0.1 reads it (node_modules/ajv-formats/dist/formats.js, fullFormats.email:
    /// a dot-atom local part, hostname labels, ASCII only) and at most 254 characters. The app's environment file schema
    /// states it with <see cref="EmailAddressPattern"/>.
    /// </summary>
    /// <param name="address">The address; null is not one.</param>
    /// <returns>True when the address is allowed.</returns>
    public static bool IsEmailAddress(string? address) => address is { Length: <= 254 } && EmailPattern.IsMatch(address);

    /// <summary>
    /// The pattern of <see cref="IsEmailAddress"/> (without its length limit), for schemas that state the same rule
    /// (the app's environment file schema is generated with it). Letters are spelled out instead of IgnoreCase: .NET
    /// folds the Kelvin sign (U+212A) to k, JavaScript's /i does not.
    /// </summary>
    public const string EmailAddressPattern =
        @"^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\z";

    private static readonly Regex EmailPattern = new(EmailAddressPattern, RegexOptions.CultureInvariant);

    /// <summary>The notification topic.</summary>
    public ITopic Topic { get; }

    /// <summary>The key that encrypts <see cref="Topic"/>.</summary>
    public IKey Key { get; }

    /// <summary>Creates the topic, its key (unless given), its policies and the email subscriptions.</summary>
    /// <exception cref="ArgumentException">An email address is malformed or listed twice.</exception>
    public PlatformNotifications(Construct scope, string id, PlatformNotificationsProps props) : base(scope, id)
    {
        Validate(this, props);
        var stack = Stack.Of(this);

        if (props.EncryptionKey is null)
        {
            var key = new Key(this, "Key", new KeyProps
            {
                Description = $"Encrypts the platform notification topic of {stack.StackName}",
                EnableKeyRotation = true,
                RemovalPolicy = props.KeyRemovalPolicy,
            });
            Key = key;
        }
        else
        {
            Key = props.EncryptionKey;
        }

        AllowServicesToUseKey(Key, stack);
        AwsResourceGrants.DenyOtherGrants(this, Key);

        var topic = new Topic(this, "Resource", new TopicProps
        {
            DisplayName = "HF SageMaker platform notifications",
            MasterKey = Key,
            EnforceSSL = true,
        });
        Topic = topic;

        foreach (var service in PublishingServices)
        {
            var statement = new PolicyStatement(new PolicyStatementProps
            {
                Sid = service switch
                {
                    "budgets.amazonaws.com" => "AllowBudgetsPublish",
                    "cloudwatch.amazonaws.com" => "AllowCloudWatchAlarmsPublish",
                    _ => "AllowEventBridgePublish",
                },
                Effect = Effect.ALLOW,
                Principals = [new ServicePrincipal(service)],
                Actions = ["sns:Publish"],
                Resources = [topic.TopicArn],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
                },
            });
            if (service == "budgets.amazonaws.com")
                statement.AddCondition("ArnLike", new Dictionary<string, object>
                {
                    ["aws:SourceArn"] = $"arn:{stack.Partition}:budgets::{stack.Account}:*",
                });
            topic.AddToResourcePolicy(statement);
        }

        foreach (var email in props.EmailAddresses)
            topic.AddSubscription(new EmailSubscription(email));
    }

    /// <summary>
    /// Lets <paramref name="grantee"/> publish to the topic, including <c>kms:GenerateDataKey*</c>/<c>kms:Decrypt</c> on
    /// the key (e.g. the state machine role that sends failure notifications).
    /// </summary>
    public Grant GrantPublish(IGrantable grantee)
    {
        var grant = Topic.GrantPublish(grantee);
        Key.Grant(grantee, "kms:Decrypt", "kms:GenerateDataKey*");
        return grant;
    }

    private void AllowServicesToUseKey(IKey key, Stack stack)
    {
        // SNS with SSE-KMS: the publishing service itself generates the data key, so the key policy must allow it
        // (SNS developer guide, "Enable compatibility between event sources from AWS services and encrypted topics").
        // Budgets and CloudWatch send aws:SourceAccount with the KMS request; EventBridge does not, so its statement
        // cannot carry that condition (every notification would be dropped); the topic policy still conditions it.
        var added = true;
        foreach (var service in PublishingServices)
        {
            var statement = new PolicyStatement(new PolicyStatementProps
            {
                Sid = service switch
                {
                    "budgets.amazonaws.com" => "AllowBudgetsToEncryptNotifications",
                    "cloudwatch.amazonaws.com" => "AllowCloudWatchToEncryptNotifications",
                    _ => "AllowEventBridgeToEncryptNotifications",
                },
                Effect = Effect.ALLOW,
                Principals = [new ServicePrincipal(service)],
                Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
                // In a key policy "*" means this key.
                Resources = ["*"],
            });
            if (service != "events.amazonaws.com")
                statement.AddCondition("StringEquals", new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account });
            added &= key.AddToResourcePolicy(statement, allowNoOp: true).StatementAdded;
        }
        if (!added)
            Annotations.Of(this).AddWarningV2(WarningIds.ImportedNotificationKey,
                "The notification key is imported, so its key policy could not be extended: allow budgets.amazonaws.com, "
                + "cloudwatch.amazonaws.com and events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt on it, or budget "
                + "alerts, alarms and job notifications will be dropped silently.");
    }

    private static void Validate(IConstruct scope, PlatformNotificationsProps props)
    {
        var problems = new List<string>();
        foreach (var email in props.EmailAddresses ?? [])
        {
            if (email is null || (!CdkTokens.IsUnresolved(email) && !IsEmailAddress(email)))
                problems.Add($"EmailAddresses is '{email}'; give an email address such as 'ml-platform@example.com'.");
        }
        foreach (var d in (props.EmailAddresses ?? []).Where(e => e is not null)
                     .GroupBy(e => e, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            problems.Add($"EmailAddresses lists '{d.Key}' {d.Count()} times; subscribe each address once.");
        PropsValidation.ThrowIfAny(scope, nameof(PlatformNotificationsProps), problems);
    }
}
