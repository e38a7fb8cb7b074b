using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.Sagemaker;
using Constructs;
using HfSageMaker.Constructs.Internal;
using HfSageMaker.Constructs.Training;

namespace HfSageMaker.Constructs.Studio;

/// <summary>
/// The SageMaker Python SDK's configuration file ("intelligent defaults", schema version 1.0) for a Studio domain's
/// notebooks, built from the platform's own values, and the lifecycle configurations that install it: a
/// <c>HuggingFace(...).fit()</c>, a <c>HyperparameterTuner</c> or an <c>@remote</c> function called without extra
/// arguments then runs with the job role, in the platform's subnets and security groups, with the platform key for
/// output, volumes and uploads, inter-container encryption, network isolation (estimators) and the environment's tags.
/// </summary>
/// <remarks>
/// <para><b>How the file reaches every user.</b> The SDK reads an administrator file at
/// <c>/etc/xdg/sagemaker/config.yaml</c> in Studio, then the user's file, which may override it (SDK v2.257.6
/// <c>doc/overview.rst</c>, "Default Studio notebook locations"; <c>src/sagemaker/config/config.py</c> lines 40-51).
/// The file holds values only known at deployment (role ARN, subnet and security-group ids, key ARN, bucket name), so it
/// is embedded, as CloudFormation resolves it, in a JupyterLab and a Code Editor lifecycle configuration
/// (<c>AWS::SageMaker::StudioLifecycleConfig</c>, at most 16,384 characters per script:
/// https://docs.aws.amazon.com/sagemaker/latest/dg/jl-lcc.html) that <see cref="StudioDomain"/> makes the domain's
/// default; the script writes the administrator file when the app starts (the user's file where the app user has no
/// root or sudo). No custom resource and no Lambda function are needed, unlike publishing the file to S3 for
/// <c>SAGEMAKER_ADMIN_CONFIG_OVERRIDE</c>, which would also need every kernel's environment set.</para>
/// <para><b>Defaults are a convenience, IAM is the guardrail.</b> A user may override any default in code;
/// <c>StudioUserRole.AddNotebookJobsPolicy</c> grants job creation only with exactly these settings.</para>
/// <para><b>What the schema cannot carry.</b> The SDK's schema has no <c>HyperParameterTuningJob</c> section (the tuner
/// copies the estimator's settings), no run-time limit and no output path beyond <c>Session</c>'s bucket and prefix.
/// The estimator drops the configured volume key for instance types without EBS volumes (SDK <c>estimator.py</c>
/// lines 719-735, <c>utils.py</c> lines 1603-1645); <c>@remote</c> does not (<c>remote_function/job.py</c> lines
/// 1025-1026), so <c>RemoteFunction.VolumeKmsKeyId</c> is set only when <c>RemoteFunction.InstanceType</c> takes a volume
/// key (an <c>@remote</c> function given another kind of type must then pass or drop <c>volume_kms_key</c> itself).
/// Which types take one is <see cref="InstanceTypeCatalog"/>'s answer, which follows AWS where the SDK's rule differs.
/// On such a type (<c>ml.p6-b200.48xlarge</c>: local NVMe storage, which the SDK's <c>instance_supports_kms</c> does not
/// know) the SDK's estimator keeps the configured <c>ResourceConfig.VolumeKmsKeyId</c> (<c>session.py</c> lines
/// 1094-1107), which SageMaker refuses: the construct warns (<c>@hfsagemaker/studio:sdkVolumeKey</c>) when one is allowed;
/// <c>@remote</c> and the pipeline are not affected.</para>
/// <para><b>Names.</b> A lifecycle configuration cannot be updated in place, so its name ends in a hash of its content:
/// a changed file creates a new configuration, the domain switches to it and CloudFormation deletes the old one. A
/// domain's default configuration is pre-selected per space and stays until the user changes it
/// (https://docs.aws.amazon.com/sagemaker/latest/dg/studio-lifecycle-configurations.html): existing spaces pick the new
/// one in their settings or are re-created. Studio's "built-in" configurations, which follow the domain at every
/// launch, are not in the CloudFormation schema this library builds on (Amazon.CDK.Lib 2.160, cfn-lint 1.51).</para>
/// </remarks>
public sealed partial class SageMakerSdkDefaults : Construct
{
    /// <summary>Where the SDK reads the administrator's defaults in Studio.</summary>
    public const string AdminConfigPath = "/etc/xdg/sagemaker/config.yaml";

    /// <summary>The tag every <c>@remote</c> job carries (<c>RemoteFunction.Tags</c>); IAM lets jobs without network
    /// isolation through only with it (see <see cref="SageMakerSdkDefaultsProps.AllowRemoteFunctions"/>).</summary>
    public const string RemoteFunctionTagKey = "sagemaker-sdk-remote-function";

    /// <summary>The value of <see cref="RemoteFunctionTagKey"/>.</summary>
    public const string RemoteFunctionTagValue = "true";

    /// <summary>
    /// The ECR repository of the SageMaker Distribution images Studio's JupyterLab and Code Editor run (SDK v2.257.6
    /// <c>src/sagemaker/image_uri_config/sagemaker-distribution.json</c> line 34). In Studio, <c>@remote</c> runs the
    /// notebook's own image (<c>SAGEMAKER_INTERNAL_IMAGE_URI</c>, <c>remote_function/job.py</c> lines 732-760), since the
    /// job's Python must equal the notebook's (<c>runtime_environment_manager.py</c> lines 335-345): the job role must be
    /// allowed to pull it.
    /// </summary>
    public const string StudioImageRepository = "sagemaker-distribution-prod";

    /// <summary>Largest lifecycle configuration script SageMaker accepts, in characters.</summary>
    public const int MaxScriptLength = 16_384;

    /// <summary>The validated props (the defaults and the IAM guardrails are both read from them).</summary>
    public SageMakerSdkDefaultsProps Props { get; }

    /// <summary>The jobs' subnet ids (may be tokens).</summary>
    public IReadOnlyList<string> SubnetIds { get; }

    /// <summary>The jobs' security group ids (may be tokens).</summary>
    public IReadOnlyList<string> SecurityGroupIds { get; }

    /// <summary>The instance type of <c>@remote</c> functions.</summary>
    public string RemoteFunctionInstanceType { get; }

    /// <summary>Where <c>@remote</c> stores its payloads and results: <c>s3://&lt;bucket&gt;/&lt;prefix&gt;/remote-function</c>.</summary>
    public string RemoteFunctionS3RootUri { get; }

    /// <summary>The configuration document (keys as in the SDK's schema; values may be tokens).</summary>
    public IReadOnlyDictionary<string, object> Document { get; }

    /// <summary>The lifecycle configuration of JupyterLab apps (child id <c>JupyterLab</c>).</summary>
    public CfnStudioLifecycleConfig JupyterLab { get; }

    /// <summary>The lifecycle configuration of Code Editor apps (child id <c>CodeEditor</c>).</summary>
    public CfnStudioLifecycleConfig CodeEditor { get; }

    /// <summary>Builds the document and the lifecycle configurations.</summary>
    /// <exception cref="ArgumentException">A prop is invalid; the message lists every problem.</exception>
    public SageMakerSdkDefaults(Construct scope, string id, SageMakerSdkDefaultsProps props) : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var subnets = props.Vpc?.SelectSubnets(props.Subnets);
        Validate(props, subnets);
        Props = props;
        SubnetIds = subnets!.SubnetIds;
        SecurityGroupIds = props.SecurityGroups.Select(g => g.SecurityGroupId).ToArray();
        RemoteFunctionInstanceType = props.DefaultInstanceType ?? props.AllowedInstanceTypes[0];
        RemoteFunctionS3RootUri = $"s3://{props.Bucket.BucketName}/{props.KeyPrefix}/remote-function";
        Document = BuildDocument();

        var sdkKeeps = props.AllowedInstanceTypes.Where(t => InstanceTypeCatalog.Find(t) is { LocalStorage: true, SdkDisagrees: not null }).ToArray();
        if (sdkKeeps.Length > 0)
            Annotations.Of(this).AddWarningV2(WarningIds.SdkVolumeKey,
                $"AllowedInstanceTypes {string.Join(", ", sdkKeeps)}: the SageMaker Python SDK (v2.257.6 utils.py instance_supports_kms) does not know "
                + "that these types have local storage, so an estimator's fit() on them keeps the defaults' volume key, which SageMaker refuses "
                + "on local storage. Use @remote or the training pipeline for them, or remove them from the notebook types.");

        var stack = Stack.Of(this);
        var json = stack.ToJsonString(Document);
        var script = Script(json);
        JupyterLab = LifecycleConfig("JupyterLab", "JupyterLab", "jl", script);
        CodeEditor = LifecycleConfig("CodeEditor", "CodeEditor", "ce", script);
    }

    private Dictionary<string, object> BuildDocument()
    {
        var props = Props;
        var keyArn = props.EncryptionKey.KeyArn;
        var roleArn = props.ExecutionRole.RoleArn;
        var vpcConfig = new Dictionary<string, object>
        {
            ["SecurityGroupIds"] = SecurityGroupIds.ToArray(),
            ["Subnets"] = SubnetIds.ToArray(),
        };
        object[] Tags(bool remote) => props.Tags
            .Concat(remote ? [new KeyValuePair<string, string>(RemoteFunctionTagKey, RemoteFunctionTagValue)] : [])
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => (object)new Dictionary<string, object> { ["Key"] = t.Key, ["Value"] = t.Value })
            .ToArray();

        var remoteFunction = new Dictionary<string, object>
        {
            ["EnableInterContainerTrafficEncryption"] = true,
            ["InstanceType"] = RemoteFunctionInstanceType,
            ["RoleArn"] = roleArn,
            ["S3KmsKeyId"] = keyArn,
            ["S3RootUri"] = RemoteFunctionS3RootUri,
            ["Tags"] = Tags(remote: true),
            ["VpcConfig"] = vpcConfig,
        };
        // IAM requires the platform volume key on types that take one (StudioUserRole.AddNotebookJobsPolicy), and SageMaker
        // refuses one on types with local storage: follow @remote's own instance type (the instance-type catalog).
        if (InstanceTypeCatalog.AcceptsVolumeKmsKey(RemoteFunctionInstanceType)) remoteFunction["VolumeKmsKeyId"] = keyArn;

        var modules = new Dictionary<string, object>
        {
            ["Session"] = new Dictionary<string, object>
            {
                ["DefaultS3Bucket"] = props.Bucket.BucketName,
                ["DefaultS3ObjectKeyPrefix"] = props.KeyPrefix,
            },
        };
        if (props.AllowRemoteFunctions) modules["RemoteFunction"] = remoteFunction;
        // No usage telemetry from the platform's notebooks (SDK v2.257.6 config_schema.py lines 824-826,
        // telemetry/telemetry_logging.py lines 100-105): the SDK would otherwise send a GET per call to an AWS endpoint
        // outside the account, without a timeout (telemetry_logging.py line 257 passes the timeout as `params`).
        modules["TelemetryOptOut"] = true;

        return new Dictionary<string, object>
        {
            ["SchemaVersion"] = "1.0",
            ["SageMaker"] = new Dictionary<string, object>
            {
                ["PythonSDK"] = new Dictionary<string, object> { ["Modules"] = modules },
                ["TrainingJob"] = new Dictionary<string, object>
                {
                    ["EnableInterContainerTrafficEncryption"] = true,
                    ["EnableNetworkIsolation"] = true,
                    ["OutputDataConfig"] = new Dictionary<string, object> { ["KmsKeyId"] = keyArn },
                    ["ResourceConfig"] = new Dictionary<string, object> { ["VolumeKmsKeyId"] = keyArn },
                    ["RoleArn"] = roleArn,
                    ["Tags"] = Tags(remote: false),
                    ["VpcConfig"] = vpcConfig,
                },
            },
        };
    }

    /// <summary>The lifecycle script: writes the document (JSON, which YAML 1.2 reads as is) where the SDK looks.</summary>
    private static string Script(string json) => string.Join("\n",
        "#!/bin/bash",
        "# SageMaker Python SDK defaults of the Hugging Face training platform (SageMakerSdkDefaults construct).",
        "# The SDK reads the administrator file " + AdminConfigPath + " (then the user's file, which may override it).",
        "set -euo pipefail",
        "defaults=$(mktemp)",
        "cat >\"$defaults\" <<'SAGEMAKER_SDK_DEFAULTS'",
        json,
        "SAGEMAKER_SDK_DEFAULTS",
        "if [ \"$(id -u)\" -eq 0 ]; then",
        "  mkdir -p \"$(dirname " + AdminConfigPath + ")\" && install -m 0644 \"$defaults\" " + AdminConfigPath,
        "elif sudo -n true 2>/dev/null; then",
        "  sudo -n mkdir -p \"$(dirname " + AdminConfigPath + ")\" && sudo -n install -m 0644 \"$defaults\" " + AdminConfigPath,
        "else",
        "  mkdir -p \"$HOME/.config/sagemaker\" && install -m 0644 \"$defaults\" \"$HOME/.config/sagemaker/config.yaml\"",
        "fi",
        "rm -f \"$defaults\"",
        "");

    private CfnStudioLifecycleConfig LifecycleConfig(string id, string appType, string shortName, string script)
    {
        var stack = Stack.Of(this);
        // The name changes with the content (see remarks); the hash covers the script as CloudFormation resolves it.
        var resolved = JsonSerializer.Serialize(stack.Resolve(script));
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(resolved)))[..10].ToLowerInvariant();
        var prefix = Names.UniqueResourceName(this, new UniqueResourceNameOptions { MaxLength = 48, Separator = "-", AllowedSpecialCharacters = "-" });
        return new CfnStudioLifecycleConfig(this, id, new CfnStudioLifecycleConfigProps
        {
            StudioLifecycleConfigAppType = appType,
            StudioLifecycleConfigName = $"{prefix}-{shortName}-{hash}",
            StudioLifecycleConfigContent = Fn.Base64(script),
        });
    }

    private void Validate(SageMakerSdkDefaultsProps props, Amazon.CDK.AWS.EC2.ISelectedSubnets? subnets)
    {
        var v = new PropsValidation(this, nameof(SageMakerSdkDefaultsProps));
        v.Require(props.ExecutionRole is not null, "ExecutionRole", null, "pass the jobs' role, e.g. SageMakerExecutionRole.Role.");
        v.Require(props.Vpc is not null, "Vpc", null, "pass the VPC the jobs run in, e.g. IsolatedNetwork.Vpc.");
        v.Require(props.EncryptionKey is not null, "EncryptionKey", null, "pass the platform key, e.g. TrainingBuckets.EncryptionKey.");
        v.Require(props.Bucket is not null, "Bucket", null, "pass the bucket for notebook jobs, e.g. TrainingBuckets.Artifacts.");
        if (subnets is not null)
            v.Require(subnets.SubnetIds.Length is >= 1 and <= 16, "Subnets", $"({subnets.SubnetIds.Length} subnets selected)",
                "select 1 to 16 private subnets of Vpc (the SDK's schema and VpcConfig.Subnets allow 1 to 16).");
        var groups = props.SecurityGroups ?? [];
        v.Require(groups.Count is >= 1 and <= 5, "SecurityGroups", $"({groups.Count} groups)",
            "give 1 to 5 security groups (VpcConfig.SecurityGroupIds), e.g. [IsolatedNetwork.TrainingSecurityGroup].");
        v.Require(props.KeyPrefix is not null && KeyPrefixPattern().IsMatch(props.KeyPrefix), "KeyPrefix", props.KeyPrefix,
            "give 1 to 64 letters, digits, '-' or '_' (no slashes), e.g. 'notebook'.");

        var types = props.AllowedInstanceTypes ?? [];
        v.Require(types.Count > 0, "AllowedInstanceTypes", types, "give at least one instance type, e.g. ['ml.g5.xlarge'].");
        foreach (var type in types)
        {
            // The defaults and the IAM guardrails both depend on whether the type takes a volume key: the catalog must know.
            var facts = InstanceTypeCatalog.Find(type);
            v.Require(facts is { IsTrainingType: true, LocalStorage: not null }, "AllowedInstanceTypes", type,
                facts is { IsTrainingType: true }
                    ? "the instance-type catalog (constructs/Training/Catalog/instance-types.json) has no storage facts for it, so whether SageMaker takes a volume key is unknown; give a type it has facts for, e.g. 'ml.g5.xlarge'."
                    : "give SageMaker training instance types (botocore TrainingInstanceType) such as 'ml.g5.xlarge'.");
        }
        if (props.DefaultInstanceType is { } defaultType)
            v.Require(types.Contains(defaultType), "DefaultInstanceType", defaultType,
                $"give one of AllowedInstanceTypes ({string.Join(", ", types)}).");

        if (props.MaxRuntime is null)
            v.Add("MaxRuntime", null, "give the longest run time a job may ask for, e.g. Duration.Hours(24).");
        else if (!props.MaxRuntime.IsUnresolved())
        {
            var seconds = props.MaxRuntime.ToSeconds(new TimeConversionOptions { Integral = false });
            v.Require(seconds == Math.Floor(seconds) && seconds is >= 1 and <= 2_419_200, "MaxRuntime", props.MaxRuntime,
                "give whole seconds from 1 second to 28 days (SageMaker's MaxRuntimeInSeconds limit).");
        }
        if (props.MaxWarmPoolKeepAlive is { } keepAlive && !keepAlive.IsUnresolved())
        {
            var seconds = keepAlive.ToSeconds(new TimeConversionOptions { Integral = false });
            v.Require(seconds == Math.Floor(seconds) && seconds is >= 0 and <= 3600, "MaxWarmPoolKeepAlive", keepAlive,
                "give whole seconds from 0 to 3600 (KeepAlivePeriodInSeconds).");
        }

        var tags = props.Tags ?? new Dictionary<string, string>();
        v.Require(tags.Count <= 49, "Tags", $"({tags.Count} tags)", "give at most 49 tags (the SDK's schema allows 50; @remote jobs add one).");
        foreach (var (key, value) in tags)
        {
            v.Require(key.Length is >= 1 and <= 128 && TagTextPattern().IsMatch(key) && !key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase),
                "Tags", key, "give keys of 1 to 128 letters, digits, spaces and _.:/=+-@, not starting with 'aws:' (the SDK schema's tag pattern).");
            v.Require(value is not null && value.Length <= 256 && TagTextPattern().IsMatch(value), "Tags", $"{key}={value}",
                "give values of up to 256 letters, digits, spaces and _.:/=+-@ (the SDK schema's tag pattern).");
            v.Require(key != RemoteFunctionTagKey, "Tags", key, $"'{RemoteFunctionTagKey}' is reserved for @remote jobs.");
        }
        v.ThrowIfAny();
    }

    /// <summary>
    /// Whether <paramref name="text"/> is a tag key or value this construct writes into the SDK defaults: ASCII letters,
    /// digits, spaces and <c>_ . : / = + - @</c> (the SDK schema's pattern, config_schema.py lines 527 and 533, read as
    /// ASCII). Lengths are checked separately. The environment reader applies the same rule when notebook jobs are on.
    /// </summary>
    /// <param name="text">A tag key or value.</param>
    /// <returns>True when the text is allowed.</returns>
    public static bool IsSdkTagText(string text) => text is not null && TagTextPattern().IsMatch(text);

    // The SDK schema's tag pattern ^[\w\s\d_.:/=+\-@]*$ (config_schema.py lines 527 and 533), ASCII only here.
    [GeneratedRegex(@"^[A-Za-z0-9_ .:/=+\-@]*\z")]
    private static partial Regex TagTextPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex KeyPrefixPattern();

}
