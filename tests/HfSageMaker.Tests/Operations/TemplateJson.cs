using System.Text.Json;
using Amazon.CDK.Assertions;

namespace HfSageMaker.Tests.Operations;

/// <summary>The synthesized template as a JSON document, for assertions Match.ObjectLike cannot express.</summary>
internal static class TemplateJson
{
    public static JsonElement Parse(Template template) =>
        JsonDocument.Parse(JsonSerializer.Serialize(template.ToJSON())).RootElement;

    public static IEnumerable<(string LogicalId, JsonElement Resource)> OfType(JsonElement template, string type) =>
        template.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("Type").GetString() == type)
            .Select(r => (r.Name, r.Value));
}
