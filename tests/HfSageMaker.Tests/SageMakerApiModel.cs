using System.IO.Compression;
using System.Text.Json;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Tests;

/// <summary>
/// The vendored botocore SageMaker API model (<c>tests/models/sagemaker-2017-07-24.botocore-*.json.gz</c>), read once:
/// shapes by name, and the shape a member path of an operation's input reaches, so that a test names the exact member
/// a limit belongs to (e.g. <c>CreateModelPackageInput.CustomerMetadataProperties.value</c>), not a shape name that
/// several members share.
/// </summary>
internal static class SageMakerApiModel
{
    private static readonly Lazy<JsonElement> Shapes = new(Load);

    /// <summary>A shape by name.</summary>
    public static JsonElement Shape(string name) => Shapes.Value.GetProperty(name);

    /// <summary>
    /// The shape <paramref name="path"/> reaches: a shape name, then '.'-separated steps, each a structure's member, or
    /// <c>key</c>/<c>value</c> of a map, or <c>member</c> of a list.
    /// </summary>
    /// <returns>The shape's name and its definition.</returns>
    public static (string Name, JsonElement Shape) At(string path)
    {
        var steps = path.Split('.');
        var name = steps[0];
        var shape = Shape(name);
        foreach (var step in steps.Skip(1))
        {
            var type = shape.GetProperty("type").GetString();
            var next = type switch
            {
                "structure" => shape.GetProperty("members").GetProperty(step),
                "map" when step is "key" or "value" => shape.GetProperty(step),
                "list" when step == "member" => shape.GetProperty("member"),
                _ => throw new ArgumentException($"'{path}': a {type} ('{name}') has no step '{step}'.", nameof(path)),
            };
            name = next.GetProperty("shape").GetString()!;
            shape = Shape(name);
        }
        return (name, shape);
    }

    /// <summary>The <c>max</c> of the shape <paramref name="path"/> reaches, or null when the model sets none.</summary>
    public static long? Max(string path) => At(path).Shape.TryGetProperty("max", out var max) ? max.GetInt64() : null;

    /// <summary>The <c>pattern</c> of the shape <paramref name="path"/> reaches.</summary>
    public static string Pattern(string path) => At(path).Shape.GetProperty("pattern").GetString()!;

    /// <summary>The documentation of the member <paramref name="member"/> of the structure <paramref name="structure"/>, without HTML tags.</summary>
    public static string Documentation(string structure, string member) =>
        System.Text.RegularExpressions.Regex.Replace(
            Shape(structure).GetProperty("members").GetProperty(member).GetProperty("documentation").GetString()!, "<[^>]+>", "");

    private static JsonElement Load()
    {
        var root = RepositoryLocator.FindRoot()!;
        var model = Directory.GetFiles(Path.Combine(root, "tests", "models"), "sagemaker-2017-07-24*.json.gz").Single();
        using var gz = new GZipStream(File.OpenRead(model), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        return doc.RootElement.GetProperty("shapes").Clone();
    }
}
