using Amazon.CDK.AWS.Lambda;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// The one Node.js runtime every Lambda function of the library runs on: ours (PrepareRequest) and the CDK-owned
/// custom resource provider we deploy (VpcRestrictDefaultSG).
/// </summary>
/// <remarks>
/// <para>The newest Node.js runtime CloudFormation and Lambda accept as the project's pinned oracles know them: the
/// <c>AWS::Lambda::Function</c> <c>Runtime</c> values of the schema cfn-lint 1.51.0 bundles (<c>nodejs26.x</c> there
/// is E3030) and the <c>Runtime</c> enum of botocore 1.43.11's Lambda model; on cfn-lint's runtime calendar
/// (<c>cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json</c>) <c>nodejs24.x</c> is deprecated on 2028-04-30 and
/// blocked for creation on 2028-06-01, while <c>nodejs22.x</c> is deprecated on 2027-04-30
/// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-supported).
/// tests/python/test_lambda_runtime.py fails the day cfn-lint's newest runtime is another one, so this constant moves.</para>
/// <para>CDK 2.160 (the library's lowest supported version) has no <c>NODEJS_24_X</c> constant, hence the runtime
/// built by name: consumers on a newer CDK get the same runtime.</para>
/// <para>cdk-nag's AwsSolutions-L1 takes the newest runtime of its own aws-cdk-lib as "latest": with the newest
/// aws-cdk-lib on npm (package.json) that is <c>nodejs26.x</c>, which neither CloudFormation's schema nor the Lambda
/// model above lists yet. <see cref="SuppressNewerThanCloudFormation"/> accepts exactly that on each function, and the
/// suite fails (stale suppression) as soon as AwsSolutions-L1 agrees with this runtime.</para>
/// </remarks>
internal static class LambdaRuntimes
{
    /// <summary>The runtime identifier as CloudFormation takes it.</summary>
    public const string NodeJsName = "nodejs24.x";

    /// <summary>The runtime for <see cref="FunctionProps.Runtime"/>.</summary>
    public static Runtime NodeJs => new(NodeJsName, RuntimeFamily.NODEJS);

    /// <summary>The AwsSolutions-L1 suppression of a function on <see cref="NodeJsName"/> (see the remarks).</summary>
    public static Compliance.NagSuppression SuppressNewerThanCloudFormation { get; } = new("AwsSolutions-L1",
        $"{NodeJsName} is the newest Node.js runtime in CloudFormation's AWS::Lambda::Function schema as cfn-lint bundles it (nodejs26.x fails there with E3030) "
        + "and in botocore's Lambda API model; AwsSolutions-L1 takes the newest runtime of its own aws-cdk-lib (nodejs26.x), which CloudFormation does not list yet.");
}
