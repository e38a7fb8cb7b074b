using Amazon.CDK.AWS.Lambda;

namespace HfSageMaker.Constructs.Internal;

/// <summary>
/// The one Node.js runtime every Lambda function of the library runs on: ours (PrepareRequest) and the CDK-owned
/// custom resource providers we deploy (VpcRestrictDefaultSG).
/// </summary>
/// <remarks>
/// The newest Node.js runtime cdk-nag's AwsSolutions-L1 accepts (the newest in <c>aws-cdk-lib</c>'s
/// <c>Runtime.ALL</c> of package.json's pin, aws-cdk-lib 2.220.0: <c>nodejs22.x</c>; <c>nodejs24.x</c> would be refused
/// as unknown to it) and that cfn-lint 1.51.0 does not flag (its runtime calendar,
/// <c>cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json</c>: <c>nodejs22.x</c> deprecated 2027-04-30 (W2531 from
/// then), creation blocked 2027-06-01 (E2533); see also
/// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-supported). CDK 2.160 has no
/// <c>NODEJS_22_X</c> constant, hence the name. Both validators run over every synthesized template in
/// scripts/test.sh, so the day this runtime is flagged the suite fails and this constant moves.
/// </remarks>
internal static class LambdaRuntimes
{
    /// <summary>The runtime identifier as CloudFormation takes it.</summary>
    public const string NodeJsName = "nodejs22.x";

    /// <summary>The runtime for <see cref="FunctionProps.Runtime"/>.</summary>
    public static Runtime NodeJs => new(NodeJsName, RuntimeFamily.NODEJS);
}
