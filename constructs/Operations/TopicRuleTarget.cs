using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.SNS;
using Amazon.JSII.Runtime.Deputy;

namespace HfSageMaker.Constructs.Operations;

/// <summary>
/// An EventBridge target that publishes to an SNS topic without touching the topic policy. The CDK's <c>SnsTopic</c>
/// target grants <c>events.amazonaws.com</c> publish with no conditions; <see cref="PlatformNotifications"/> already
/// grants it, restricted to this account with <c>aws:SourceAccount</c>.
/// </summary>
internal sealed class TopicRuleTarget(ITopic topic, RuleTargetInput message) : DeputyBase, IRuleTarget
{
    public IRuleTargetConfig Bind(IRule rule, string? id = null) =>
        new RuleTargetConfig { Arn = topic.TopicArn, Input = message };
}
