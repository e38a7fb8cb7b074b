using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;

namespace HfSageMaker.Constructs.Studio;

/// <summary>Properties of <see cref="StudioDomain"/>.</summary>
public sealed record StudioDomainProps
{
    /// <summary>The VPC Studio apps run in (VpcOnly: all app traffic goes through it).</summary>
    public required IVpc Vpc { get; init; }

    /// <summary>Subnets of <see cref="Vpc"/> for the apps and the home EFS mount targets. Default: the VPC's private subnets.</summary>
    public SubnetSelection? Subnets { get; init; }

    /// <summary>Security group of the apps; must allow NFS (2049) and traffic within itself (see <c>IsolatedNetwork.StudioSecurityGroup</c>).</summary>
    public required ISecurityGroup SecurityGroup { get; init; }

    /// <summary>Execution role of every user profile and shared space unless a profile overrides it: a
    /// <see cref="HfSageMaker.Constructs.Security.StudioUserRole"/>, not the job role.</summary>
    public required IRole DefaultExecutionRole { get; init; }

    /// <summary>Customer-managed key that encrypts the home EFS and the apps' EBS volumes.</summary>
    public required IKey EncryptionKey { get; init; }

    /// <summary>User profiles to create, by name (<c>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}</c>, unique). Default: none.</summary>
    public IReadOnlyList<string> UserProfiles { get; init; } = [];

    /// <summary>
    /// Inactivity after which JupyterLab and Code Editor apps shut down (whole minutes, 60 to 525600). Users may choose a
    /// shorter timeout, never a longer one. Default: 60 minutes.
    /// </summary>
    public Duration? IdleTimeout { get; init; }

    /// <summary>
    /// SageMaker Python SDK defaults for the domain's notebooks: their JupyterLab and Code Editor lifecycle
    /// configurations become the default (and only offered) ones of every user profile and shared space, so each app
    /// writes the defaults file when it starts. Default: none.
    /// </summary>
    public SageMakerSdkDefaults? SdkDefaults { get; init; }

    /// <summary>Domain name (<c>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}</c>). Default: generated from the construct path.</summary>
    public string? DomainName { get; init; }

    /// <summary>
    /// Whether tags applied with <c>Tags.Of(...)</c> reach the domain and the user profiles. Changing the tags of an
    /// <c>AWS::SageMaker::Domain</c> replaces it (new domain, new empty home EFS, old one orphaned), so by default the
    /// tags are kept off them. Default: false.
    /// </summary>
    public bool PropagateTags { get; init; }
}
