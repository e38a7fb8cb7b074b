using System.Text.Json;
using Amazon.CDK;
using Constructs;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// Writes a value the way cdk-nag names it in a finding (<c>Resource::...</c>): the value is resolved to
/// CloudFormation and flattened as cdk-nag's <c>flattenCfnReference</c> does (<c>Ref</c> becomes <c>&lt;Name&gt;</c>,
/// <c>Fn::GetAtt</c> becomes <c>&lt;LogicalId.Attr&gt;</c>, <c>Fn::Join</c> is joined). Used so that IAM5
/// suppressions name exactly the wildcard they accept, even when the ARN holds tokens.
/// </summary>
internal static class NagFindings
{
    /// <summary>The cdk-nag finding for a wildcard resource: <c>Resource::&lt;flattened ARN&gt;</c>.</summary>
    public static string Resource(IConstruct scope, string arn) => "Resource::" + Flatten(Stack.Of(scope).Resolve(arn));

    private static string Flatten(object? node)
    {
        // Stack.Resolve returns jsii objects (dictionaries, arrays); a JSON round trip gives a uniform shape.
        var json = JsonSerializer.SerializeToElement(node);
        return Visit(json);
    }

    private static string Visit(JsonElement node)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.String:
                return node.GetString()!.Replace("${", "<").Replace("}", ">");
            case JsonValueKind.Object:
                if (node.TryGetProperty("Fn::Join", out var join))
                {
                    var delimiter = join[0].GetString() ?? "";
                    return string.Join(delimiter, join[1].EnumerateArray().Select(Visit));
                }
                if (node.TryGetProperty("Fn::Sub", out var sub)) return Visit(sub);
                if (node.TryGetProperty("Fn::GetAtt", out var getAtt)) return $"<{Visit(getAtt[0])}.{Visit(getAtt[1])}>";
                if (node.TryGetProperty("Fn::ImportValue", out var import)) return Visit(import);
                if (node.TryGetProperty("Ref", out var reference)) return $"<{Visit(reference)}>";
                return node.GetRawText();
            default:
                return node.GetRawText();
        }
    }
}
