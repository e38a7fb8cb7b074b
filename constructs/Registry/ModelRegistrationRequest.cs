using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Registry;

/// <summary>
/// The one place that builds the <c>CreateModelPackage</c> request a pipeline sends after a successful run: the default
/// request at synthesis (what SDK v2.257.6 <c>estimator.register(image_uri=..., content_types=..., response_types=...,
/// inference_instances=..., transform_instances=..., model_package_group_name=..., approval_status=...)</c> sends, read
/// from <c>session.py</c> <c>get_create_model_package_request</c> lines 7955-8045 and <c>model.py</c> lines 561-581, 866-889),
/// and the policy with which the run-time code (<c>runtime/registration.mjs</c>) adds the artifact, the lineage, the model
/// card and an idempotency token: the API limits of those members and when the artifact is servable.
/// </summary>
internal static partial class ModelRegistrationRequest
{
    // Each limit below is the SageMaker API model's for the member of CreateModelPackage it names (the vendored botocore
    // model, tests/models/; RegistrationLimitsTests checks every one against it), except the counts marked as the
    // platform's caps, where the model sets none. The run-time code receives them in Policy(), never a copy of its own.

    /// <summary><c>CustomerMetadataProperties</c> (<c>CustomerMetadataMap</c>): at most 50 entries.</summary>
    public const int MaxMetadataEntries = 50;

    /// <summary><c>CustomerMetadataKey</c>: 1 to 128 characters.</summary>
    public const int MaxMetadataKeyLength = 128;

    /// <summary><c>CustomerMetadataValue</c>: 1 to 256 characters.</summary>
    public const int MaxMetadataValueLength = 256;

    /// <summary>The characters of <c>CustomerMetadataKey</c> and <c>CustomerMetadataValue</c> (their pattern in the API
    /// model, <c>([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)</c>): letters, separators, digits and <c>_.:/=+-@</c>.</summary>
    public const string MetadataCharacters = @"[\p{L}\p{Z}\p{N}_.:/=+\-@]";

    /// <summary><c>ModelCard.ModelCardContent</c>: at most 100,000 characters.</summary>
    public const int MaxModelCardContentLength = 100000;

    /// <summary><c>ModelPackageDescription</c> (<c>EntityDescription</c>): at most 1024 characters.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>The characters of <c>EntityDescription</c>: letters, marks, separators, symbols, digits, punctuation
    /// (no control characters such as a line feed).</summary>
    public const string DescriptionCharacters = @"[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]";

    /// <summary><c>ModelDataUrl</c> (<c>Url</c>): at most 1024 characters.</summary>
    public const int MaxModelDataUrlLength = 1024;

    /// <summary>The token PrepareRegistration sends as <c>ClientToken</c> (<c>[a-zA-Z0-9-]+</c>, at most 36): 32 hex digits.</summary>
    public const int ClientTokenLength = 32;

    /// <summary>A container's <c>Environment</c>: at most 16 entries (the member's documentation: "We support up to 16
    /// entries in the map"; its <c>EnvironmentMap</c> shape allows 100).</summary>
    public const int MaxEnvironment = 16;

    /// <summary><c>EnvironmentKey</c> and <c>EnvironmentValue</c>: at most 1024 characters each.</summary>
    public const int MaxEnvironmentEntryLength = 1024;

    /// <summary><c>EnvironmentKey</c>'s pattern.</summary>
    public const string EnvironmentKeyPatternText = "[a-zA-Z_][a-zA-Z0-9_]*";

    /// <summary><c>ContentType</c>: at most 256 characters (<c>ResponseMIMEType</c> allows 1024; both are held to 256).</summary>
    public const int MaxMimeTypeLength = 256;

    /// <summary><c>MetadataProperties.CommitId</c> and <c>.Repository</c> (<c>MetadataPropertyValue</c>): at most 1024 characters.</summary>
    public const int MaxMetadataPropertyLength = 1024;

    /// <summary>The platform's cap on <c>SupportedContentTypes</c> and <c>SupportedResponseMIMETypes</c> (the API model sets none).</summary>
    public const int MaxMimeTypes = 10;

    /// <summary>The platform's cap on the supported real-time and transform instance types (the API model sets none).</summary>
    public const int MaxInstanceTypes = 20;

    /// <summary>The lineage entries the run adds besides one per channel and metric (registration.mjs): the trained job's
    /// name and ARN, the tuning job's name and ARN, the execution ARN, the training image, the artifact, servable, and
    /// <c>omittedLineage</c>.</summary>
    public const int RunLineageEntries = 9;

    /// <summary>What the SDK's HuggingFaceModel writes as <c>Framework</c> (<c>huggingface/model.py</c> lines 449-455).</summary>
    public const string Framework = "PYTORCH";

    /// <summary>The variables the SDK adds for a model without an entry point (<c>model.py</c> <c>_script_mode_env_vars</c>,
    /// lines 866-889), in its order.</summary>
    public static readonly IReadOnlyList<string> ScriptModeVariables =
        ["SAGEMAKER_PROGRAM", "SAGEMAKER_SUBMIT_DIRECTORY", "SAGEMAKER_CONTAINER_LOG_LEVEL", "SAGEMAKER_REGION"];

    /// <summary>The problems of <paramref name="registration"/> for <paramref name="job"/>, one line each starting
    /// with <c>Registration.</c>; the entries' count covers the run's lineage of <paramref name="channelCount"/> channels.</summary>
    public static IEnumerable<string> Problems(ModelRegistration registration, HuggingFaceTrainingJobDefinition job, int channelCount)
    {
        const string p = "Registration.";
        if (string.IsNullOrWhiteSpace(registration.ImageUri))
            yield return $"{p}ImageUri: '{registration.ImageUri}' is not an image URI; give the serving image, e.g. HuggingFaceInferenceImage.ForScope(...).";
        else if (!CdkTokens.IsUnresolved(registration.ImageUri))
        {
            string? problem = null;
            try { HuggingFaceImage.ValidateImageUri(registration.ImageUri); }
            catch (ArgumentException e) { problem = e.Message; }
            if (problem is not null) yield return $"{p}ImageUri: {problem}";
        }

        foreach (var line in MimeProblems($"{p}ContentTypes", registration.ContentTypes)) yield return line;
        foreach (var line in MimeProblems($"{p}ResponseTypes", registration.ResponseTypes)) yield return line;
        foreach (var line in InstanceTypeProblems($"{p}RealtimeInstanceTypes", registration.RealtimeInstanceTypes, InstanceTypeCatalog.RealtimeApi, required: true))
            yield return line;
        foreach (var line in InstanceTypeProblems($"{p}TransformInstanceTypes", registration.TransformInstanceTypes, InstanceTypeCatalog.TransformApi, required: false))
            yield return line;

        var environment = registration.Environment ?? new Dictionary<string, string>();
        if (environment.Count + ScriptModeVariables.Count > MaxEnvironment)
            yield return $"{p}Environment: {environment.Count} variables; SageMaker takes at most {MaxEnvironment}, of which the SDK's {ScriptModeVariables.Count} are taken.";
        foreach (var (key, value) in environment)
        {
            if (ScriptModeVariables.Contains(key, StringComparer.Ordinal))
                yield return $"{p}Environment[\"{key}\"]: reserved; the pipeline sets it as the SDK does ({string.Join(", ", ScriptModeVariables)}).";
            else if (!EnvironmentKeyPattern().IsMatch(key) || key.Length > MaxEnvironmentEntryLength)
                yield return $"{p}Environment[\"{key}\"]: not a variable name; give {EnvironmentKeyPatternText}, at most {MaxEnvironmentEntryLength} characters.";
            if (value is null || value.Length > MaxEnvironmentEntryLength)
                yield return $"{p}Environment[\"{key}\"]: give a value of at most {MaxEnvironmentEntryLength} characters.";
        }

        if (registration.ServableWhen is { } rule)
        {
            var known = job.HyperparameterTypes?.Keys ?? job.Hyperparameters.Keys;
            if (!known.Contains(rule.Hyperparameter, StringComparer.Ordinal))
                yield return $"{p}ServableWhen.Hyperparameter: '{rule.Hyperparameter}' is not a hyperparameter of the job; allowed: {string.Join(", ", known)}.";
            if (rule.EqualsValue is not (string or bool or int or long or double))
                yield return $"{p}ServableWhen.EqualsValue: '{rule.EqualsValue}' is not allowed; give a string, number or boolean.";
            if (string.IsNullOrWhiteSpace(rule.Otherwise) || rule.Otherwise.Length > MaxDescriptionLength || !DescriptionPattern().IsMatch(rule.Otherwise))
                yield return $"{p}ServableWhen.Otherwise: '{rule.Otherwise}' is not allowed; give 1 to {MaxDescriptionLength} letters, digits, spaces, "
                    + "punctuation and symbols, without line breaks (the version's description).";
        }

        var metadata = registration.CustomerMetadataProperties ?? new Dictionary<string, string>();
        foreach (var (key, value) in metadata)
        {
            if (!MetadataPattern().IsMatch(key) || key.Length > MaxMetadataKeyLength)
                yield return $"{p}CustomerMetadataProperties[\"{key}\"]: give a key of 1 to {MaxMetadataKeyLength} letters, digits, spaces and _.:/=+-@.";
            if (value is null || (!CdkTokens.IsUnresolved(value) && (!MetadataPattern().IsMatch(value) || value.Length > MaxMetadataValueLength)))
                yield return $"{p}CustomerMetadataProperties[\"{key}\"]: '{value}' is not allowed; give 1 to {MaxMetadataValueLength} letters, digits, spaces and _.:/=+-@.";
        }

        var entries = metadata.Count + RunLineageEntries + channelCount + job.MetricDefinitions.Count;
        if (entries > MaxMetadataEntries)
            yield return $"{p}CustomerMetadataProperties: {metadata.Count} entries, plus the run's lineage ({RunLineageEntries} + one per channel ({channelCount}) and "
                + $"metric definition ({job.MetricDefinitions.Count})) make {entries}; SageMaker takes at most {MaxMetadataEntries}: give fewer.";

        if (registration.SourceCommit is { } commit && !CdkTokens.IsUnresolved(commit) && !CommitPattern().IsMatch(commit))
            yield return $"{p}SourceCommit: '{commit}' is not a commit; give 7 to 40 lowercase hex digits.";
        if (registration.SourceRepository is { Length: > MaxMetadataPropertyLength })
            yield return $"{p}SourceRepository: give at most {MaxMetadataPropertyLength} characters.";
    }

    private static IEnumerable<string> MimeProblems(string field, IReadOnlyList<string>? types)
    {
        if (types is not { Count: > 0 and <= MaxMimeTypes })
        {
            yield return $"{field}: give 1 to {MaxMimeTypes} MIME types, e.g. application/json.";
            yield break;
        }
        foreach (var type in types.Where(t => t is null || t.Length > MaxMimeTypeLength || !MimePattern().IsMatch(t)))
            yield return $"{field}: '{type}' is not a MIME type such as application/json.";
    }

    private static IEnumerable<string> InstanceTypeProblems(string field, IReadOnlyList<string>? types, string api, bool required)
    {
        if (types is null)
        {
            if (required) yield return $"{field}: give 1 to {MaxInstanceTypes} instance types, e.g. ml.g5.xlarge.";
            yield break;
        }
        if (types.Count is 0 or > MaxInstanceTypes)
            yield return $"{field}: {types.Count} instance types; give 1 to {MaxInstanceTypes}.";
        if (types.Distinct(StringComparer.Ordinal).Count() != types.Count)
            yield return $"{field}: [{string.Join(", ", types)}] repeats a type; give each once.";
        foreach (var type in types.Where(t => InstanceTypeCatalog.Find(t)?.Apis.Contains(api) != true))
            yield return $"{field}: '{type}' is not one of SageMaker's {api} instance types (constructs/Training/Catalog/instance-types.json, "
                + $"the {(api == InstanceTypeCatalog.RealtimeApi ? "ProductionVariantInstanceType" : "TransformInstanceType")} enum), e.g. ml.g5.xlarge.";
    }

    /// <summary>
    /// The default request: everything but what the run decides (the artifact, lineage, model card, token), in the
    /// order SDK v2.257.6 writes the members (<c>session.py</c> lines 7969-8037): group, inference specification,
    /// <c>CertifyForMarketplace</c> false (line 8035), the approval status (line 8036), <c>SkipModelValidation</c>
    /// <c>"None"</c> (line 8037); then the platform's <c>MetadataProperties</c> and <c>CustomerMetadataProperties</c>.
    /// </summary>
    public static JsonObject Default(ModelRegistration registration, string groupName, HuggingFaceTrainingJobDefinition job, string region)
    {
        var environment = new JsonObject();
        foreach (var (key, value) in registration.Environment ?? new Dictionary<string, string>())
            environment[key] = value;
        // The model's env first, then the script-mode variables (huggingface/model.py lines 539-540): no entry point, so
        // SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY are "", the estimator's log level, the session's region.
        environment["SAGEMAKER_PROGRAM"] = "";
        environment["SAGEMAKER_SUBMIT_DIRECTORY"] = "";
        environment["SAGEMAKER_CONTAINER_LOG_LEVEL"] = job.ContainerLogLevel.ToString(CultureInfo.InvariantCulture);
        environment["SAGEMAKER_REGION"] = region;
        var specification = new JsonObject
        {
            ["Containers"] = new JsonArray(new JsonObject
            {
                ["Image"] = registration.ImageUri,
                ["Environment"] = environment,
                ["Framework"] = Framework,
                // The training PyTorch version, as the SDK writes it (huggingface/model.py lines 475-477).
                ["FrameworkVersion"] = job.PytorchVersion,
            }),
            ["SupportedContentTypes"] = new JsonArray([.. registration.ContentTypes.Select(t => (JsonNode)t)]),
            ["SupportedResponseMIMETypes"] = new JsonArray([.. registration.ResponseTypes.Select(t => (JsonNode)t)]),
            ["SupportedRealtimeInferenceInstanceTypes"] = new JsonArray([.. registration.RealtimeInstanceTypes.Select(t => (JsonNode)t)]),
        };
        if (registration.TransformInstanceTypes is { Count: > 0 } transform)
            specification["SupportedTransformInstanceTypes"] = new JsonArray([.. transform.Select(t => (JsonNode)t)]);
        var request = new JsonObject
        {
            ["ModelPackageGroupName"] = groupName,
            ["InferenceSpecification"] = specification,
            ["CertifyForMarketplace"] = false,
            ["ModelApprovalStatus"] = registration.ApprovalStatus.ToString(),
            ["SkipModelValidation"] = "None",
        };
        var properties = new JsonObject();
        if (registration.SourceCommit is { } commit) properties["CommitId"] = commit;
        if (registration.SourceRepository is { } repository) properties["Repository"] = repository;
        request["MetadataProperties"] = properties;
        return request;
    }

    /// <summary>The <c>register.policy</c> of the PrepareRegistration payload (see the class remarks).</summary>
    public static Dictionary<string, object> Policy(ModelRegistration registration)
    {
        var policy = new Dictionary<string, object>
        {
            ["pendingApprovalStatus"] = ModelApprovalStatus.PendingManualApproval.ToString(),
            ["metadataValueCharacters"] = MetadataCharacters,
            ["limits"] = new Dictionary<string, object>
            {
                ["metadataEntries"] = MaxMetadataEntries,
                ["metadataKeyLength"] = MaxMetadataKeyLength,
                ["metadataValueLength"] = MaxMetadataValueLength,
                ["modelCardContentLength"] = MaxModelCardContentLength,
                ["descriptionLength"] = MaxDescriptionLength,
                ["modelDataUrlLength"] = MaxModelDataUrlLength,
                ["clientTokenLength"] = ClientTokenLength,
            },
        };
        if (registration.CustomerMetadataProperties is { Count: > 0 } metadata)
            policy["customerMetadata"] = metadata.ToDictionary(kv => kv.Key, kv => (object)kv.Value);
        if (registration.ServableWhen is { } rule)
            policy["servableWhen"] = new Dictionary<string, object>
            {
                ["hyperparameter"] = rule.Hyperparameter,
                ["equals"] = rule.EqualsValue,
                ["otherwise"] = rule.Otherwise,
            };
        return policy;
    }

    /// <summary>The approval statuses the pipeline's role may register with: the configured one, and pending manual
    /// approval for artifacts that cannot be served.</summary>
    public static IReadOnlyCollection<ModelApprovalStatus> Statuses(ModelRegistration registration) =>
        registration.ServableWhen is null
            ? [registration.ApprovalStatus]
            : [.. new[] { registration.ApprovalStatus, ModelApprovalStatus.PendingManualApproval }.Distinct()];

    [GeneratedRegex("^" + EnvironmentKeyPatternText + @"\z")]
    private static partial Regex EnvironmentKeyPattern();

    // One or more; the key's and the value's lengths are checked on their own.
    [GeneratedRegex("^" + MetadataCharacters + @"+\z")]
    private static partial Regex MetadataPattern();

    [GeneratedRegex("^" + DescriptionCharacters + @"*\z")]
    private static partial Regex DescriptionPattern();

    [GeneratedRegex(@"^[a-z]+/[A-Za-z0-9.+-]+\z")]
    private static partial Regex MimePattern();

    [GeneratedRegex(@"^[0-9a-f]{7,40}\z")]
    internal static partial Regex CommitPattern();
}
