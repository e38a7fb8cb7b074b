using Amazon.CDK;
using Constructs;
using HfSageMaker.Infra.Configuration;

namespace HfSageMaker.Infra;

/// <summary>Properties of <see cref="TrainingPlatformStack"/>.</summary>
public sealed class TrainingPlatformStackProps : StackProps
{
    /// <summary>The validated environment this stack deploys.</summary>
    public required EnvironmentConfig Config { get; init; }
}

/// <summary>
/// One environment's platform: it composes the constructs of <c>constructs/</c> from the environment file and holds
/// no resource logic of its own.
/// </summary>
public sealed class TrainingPlatformStack : Stack
{
    public TrainingPlatformStack(Construct scope, string id, TrainingPlatformStackProps props) : base(scope, id, props)
    {
        // Composition of the platform constructs goes here (network, storage, roles, Studio, pipeline, operations).
    }
}
