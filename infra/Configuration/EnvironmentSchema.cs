using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Recipes;
using HfSageMaker.Infra.Schemas;
using Json.Schema;

namespace HfSageMaker.Infra.Configuration;

/// <summary>
/// The schema of environment files (<c>environments/environment.schema.json</c>), generated from
/// <see cref="EnvironmentConfig"/> with the lists it names: regions from the DLC catalog, instance types from the
/// instance-type catalog, recipe names from the recipe folders, zone letters, retention days and the limits of the
/// synthesized stacks. The loader evaluates every file against <see cref="Evaluator"/>; the committed file is
/// <see cref="Text"/> (a test fails when it is stale; <c>dotnet run --project infra -- schema</c> rewrites it).
/// </summary>
public static class EnvironmentSchema
{
    /// <summary>The schema file, relative to the repository root.</summary>
    public const string FileName = "environments/environment.schema.json";

    private static readonly Lazy<JsonObject> Generated = new(() => SchemaGenerator.Generate(
        typeof(EnvironmentConfig), typeof(EnvironmentSchema), "Hugging Face SageMaker platform environment", RecipesSchema));

    private static readonly Lazy<JsonSchema> Compiled = new(() => JsonSchema.FromText(Text));

    /// <summary>The generated schema (a copy).</summary>
    public static JsonObject Document => Generated.Value.DeepClone().AsObject();

    /// <summary>The schema's text as committed.</summary>
    public static string Text => Generated.Value.ToJsonString(SchemaGenerator.WriteOptions) + "\n";

    /// <summary>The schema, compiled by JsonSchema.Net.</summary>
    public static JsonSchema Evaluator => Compiled.Value;

    /// <summary>
    /// <c>recipes</c>: an object keyed by recipe name (<see cref="RecipeRegistry"/>), each entry any keys of
    /// <c>training</c> (the shared definition, nothing required); the file's shape is not the model's list of merged guardrails.
    /// </summary>
    private static JsonObject? RecipesSchema(PropertyInfo property)
    {
        if (property.Name != nameof(EnvironmentConfig.Recipes))
        {
            return null;
        }

        var attribute = property.GetCustomAttribute<SchemaAttribute>()!;
        var training = $"#/$defs/{typeof(TrainingConfig).GetCustomAttribute<SchemaAttribute>()!.Definition}";
        return new JsonObject
        {
            ["description"] = attribute.Description,
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["minProperties"] = attribute.MinProperties,
            ["properties"] = new JsonObject(RecipeRegistry.All.Select(r => KeyValuePair.Create(r.Name,
                (JsonNode?)new JsonObject { ["description"] = $"{r.Description} (training-scripts/{r.Name}).", ["$ref"] = training }))),
        };
    }

    /// <summary>The GPU training instance types of the instance-type catalog: the instance types a file may name.</summary>
    public static IReadOnlyList<string> InstanceTypes => InstanceTypeCatalog.GpuTrainingTypes;

    /// <summary>
    /// Zone letters per commercial region (<c>infra/Configuration/availability-zones.json</c>, vendored from cfn-lint's
    /// <c>AVAILABILITY_ZONES</c> table with its source named in the file; tests/python/test_availability_zones.py holds it
    /// equal to the installed cfn-lint's, commercial regions only).
    /// </summary>
    public static IReadOnlyDictionary<string, string> AvailabilityZoneLetters { get; } = LoadZoneLetters();

    /// <summary>
    /// The regions an environment may use (the schema's <c>region</c> enum): those of <see cref="AvailabilityZoneLetters"/>
    /// (the <c>aws</c> partition's, the only one the app's ARNs and endpoints are written for) where the image catalog
    /// (<c>constructs/Training/Catalog</c>) publishes the training DLC of the recipe deployed when a file names none
    /// (translation). The loader checks the other recipes' DLCs for the environments that name them.
    /// </summary>
    public static IReadOnlySet<string> Regions { get; } = DeriveRegions();

    private static SortedSet<string> DeriveRegions()
    {
        var recipe = RecipeRegistry.Get(RecipeRegistry.DefaultRecipe);
        var image = recipe.TrainingImage
            ?? throw new InvalidOperationException($"The DLC catalog has no image for transformers {recipe.TransformersVersion} / PyTorch {recipe.PytorchVersion}.");
        return new SortedSet<string>(image.Regions.Where(AvailabilityZoneLetters.ContainsKey), StringComparer.Ordinal);
    }

    private static Dictionary<string, string> LoadZoneLetters()
    {
        const string resource = "HfSageMaker.Infra.Configuration.availability-zones.json";
        using var stream = typeof(EnvironmentSchema).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing from the app assembly.");
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("letters").EnumerateObject()
            .ToDictionary(p => p.Name, p => string.Concat(p.Value.EnumerateArray().Select(l => l.GetString())), StringComparer.Ordinal);
    }

    /// <summary>Tags per resource AWS accepts (EC2, S3, IAM, KMS, Logs, SNS, Lambda, Step Functions alike).</summary>
    public const int AwsTagsPerResource = 50;

    /// <summary>
    /// Tag keys added to resources besides the file's: <c>environment</c> by the app on every resource, <c>Name</c> by
    /// the CDK on the VPC, subnets, route tables and gateways, <c>aws-cdk:subnet-name</c> / <c>aws-cdk:subnet-type</c>
    /// by the CDK on subnets. A subnet carries all four, so a file may hold at most 50 - 4 tags, and none of these keys.
    /// </summary>
    public static IReadOnlyList<string> AddedTagKeys { get; } = [PlatformApp.EnvironmentTag, "Name", "aws-cdk:subnet-name", "aws-cdk:subnet-type"];

    /// <summary>Tags a file may hold: <see cref="AwsTagsPerResource"/> less the 4 <see cref="AddedTagKeys"/>.</summary>
    public const int MaxTags = AwsTagsPerResource - 4;

    /// <summary>Tag keys and values: letters, digits, spaces and <c>_ . : / = + - @</c> (AWS's tag pattern).</summary>
    public const string TagPattern = @"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*\z";

    /// <summary>
    /// Tag keys a file may not use: <c>aws:</c> (AWS's) and <c>aws-cdk:</c> in any case, <c>Name</c>, and the app's
    /// <see cref="PlatformApp.EnvironmentTag"/> in any case (IAM compares keys ignoring case).
    /// </summary>
    public const string ReservedTagKeyPattern = @"^(?:[aA][wW][sS]:|[aA][wW][sS]-[cC][dD][kK]:|[eE][nN][vV][iI][rR][oO][nN][mM][eE][nN][tT]\z|Name\z)";

    /// <summary>
    /// UTF-8 bytes of all tag keys and values together. Every tag is written onto each of the ~50 tagged resources of a
    /// stack (6 zones with controlled egress), and CloudFormation accepts templates up to 1 MiB: with this budget the
    /// largest stack stays under it (a test synthesizes that stack with tags filling the budget and measures it).
    /// </summary>
    public const int MaxTagBytes = 10_000;

    /// <summary>
    /// Shortest tag value: the app's tags land on every taggable resource, and the CloudFormation schemas of
    /// AWS::CloudWatch::Alarm, AWS::StepFunctions::StateMachine and AWS::SageMaker::StudioLifecycleConfig require at least
    /// one character (AWS allows empty values elsewhere). Checked against cfn-lint's bundled schemas: tests/python/test_tag_limits.py.
    /// </summary>
    public const int MinTagValueLength = 1;

    /// <summary>Longest tag value: 128, AWS::SageMaker::StudioLifecycleConfig's limit (others allow 256); see <see cref="MinTagValueLength"/>.</summary>
    public const int MaxTagValueLength = 128;

    /// <summary>Why tag values are limited more than AWS's usual 0 to 256, as the messages say it.</summary>
    public const string TagValueReason = "every resource gets the tag; CloudWatch alarms, the state machine and Studio lifecycle configurations need 1 to 128";

    /// <summary>
    /// Studio users a file may list. Each is one <c>AWS::SageMaker::UserProfile</c> carrying every tag (about 11 KB with
    /// the tag budget full), so together with <see cref="MaxNotificationEmails"/> this keeps the largest stack under
    /// CloudFormation's 1 MiB template and 500 resources with every recipe on (a test synthesizes that stack and measures
    /// both; with 50 users it came within 23 KB of 1 MiB, hence 40).
    /// </summary>
    public const int MaxStudioUsers = 40;

    /// <summary>Notification emails a file may list: one <c>AWS::SNS::Subscription</c> each (see <see cref="MaxStudioUsers"/>).</summary>
    public const int MaxNotificationEmails = 20;

    /// <summary>The retention periods CloudWatch Logs accepts (days), infinite excluded on purpose.</summary>
    public static IReadOnlyList<int> LogRetentionDays { get; } =
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    /// <summary>Alert thresholds of the budget: AWS Budgets' notifications per budget.</summary>
    public const int MaxBudgetNotifications = 5;

    /// <summary>Approver roles a file may name (<c>registry.approvers</c>): one customer managed policy attaches to each,
    /// and one approvers' role for many people keeps the policy reviewable (<c>ModelApprovers.MaxRoles</c>).</summary>
    public const int MaxApprovers = Constructs.Registry.ModelApprovers.MaxRoles;
}
