using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Sagemaker;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Studio;

/// <summary>
/// A SageMaker Studio domain for the platform's users: <c>VpcOnly</c> network access (apps reach nothing but the
/// VPC), IAM authentication, the home EFS and app volumes encrypted with the platform key, one default execution role
/// and security group for every profile and shared space, notebook sharing to S3 disabled, and idle shutdown of
/// JupyterLab and Code Editor apps (<c>AppLifecycleManagement</c>) so nobody pays for an idle notebook.
/// </summary>
/// <remarks>
/// <para><b>The home EFS on deletion.</b> SageMaker creates an EFS file system for the users' home directories
/// (<see cref="HomeEfsFileSystemId"/>) outside CloudFormation. <c>AWS::SageMaker::Domain</c> has no retention
/// setting: deleting the domain (stack deletion, or a replacement) calls <c>DeleteDomain</c> with the default
/// <c>RetentionPolicy.HomeEfsFileSystem = Retain</c>, so the file system, its mount targets and SageMaker's two
/// NFS security groups stay behind, keep costing storage, and the mount targets' network interfaces block deleting the
/// VPC. <c>HomeEfsFileSystem = Delete</c> is an API-only option of <c>DeleteDomain</c>. To remove it, before or after
/// deleting the stack: back up what users need, then delete the EFS mount targets and file system
/// (<c>aws efs describe-mount-targets --file-system-id ID</c>, <c>aws efs delete-mount-target</c> for each,
/// <c>aws efs delete-file-system --file-system-id ID</c>) and the security groups named
/// <c>security-group-for-inbound-nfs-DOMAINID</c> and <c>security-group-for-outbound-nfs-DOMAINID</c>; or delete the
/// domain yourself first with <c>aws sagemaker delete-domain --domain-id ID --retention-policy HomeEfsFileSystem=Delete</c>
/// (after deleting its apps, spaces and profiles). Deleting the domain fails while apps or spaces created outside the
/// stack exist: delete them first.</para>
/// <para><b>Tags.</b> Changing the tags of an <c>AWS::SageMaker::Domain</c> replaces it, with the EFS consequence above,
/// so inherited tags are kept off the domain and its profiles unless <see cref="StudioDomainProps.PropagateTags"/>.</para>
/// </remarks>
public sealed partial class StudioDomain : Construct
{
    /// <summary>Default idle timeout of JupyterLab and Code Editor apps.</summary>
    public static readonly Duration DefaultIdleTimeout = Duration.Minutes(60);

    /// <summary>Smallest idle timeout SageMaker accepts, in minutes.</summary>
    public const int MinIdleTimeoutMinutes = 60;

    /// <summary>Largest idle timeout SageMaker accepts, in minutes (365 days).</summary>
    public const int MaxIdleTimeoutMinutes = 525_600;

    /// <summary>The domain (child id <c>Resource</c>).</summary>
    public CfnDomain Domain { get; }

    /// <summary>The domain id, e.g. <c>d-abc123</c>.</summary>
    public string DomainId => Domain.AttrDomainId;

    /// <summary>The id of the EFS file system SageMaker created for home directories; left behind on deletion (see remarks).</summary>
    public string HomeEfsFileSystemId => Domain.AttrHomeEfsFileSystemId;

    /// <summary>The user profiles, in the order given.</summary>
    public IReadOnlyList<CfnUserProfile> UserProfiles { get; }

    /// <summary>Creates the domain and its user profiles.</summary>
    /// <exception cref="ArgumentException">A prop is invalid; the message lists every problem.</exception>
    public StudioDomain(Construct scope, string id, StudioDomainProps props) : base(scope, id)
    {
        var idle = props.IdleTimeout ?? DefaultIdleTimeout;
        var subnets = props.Vpc?.SelectSubnets(props.Subnets);
        Validate(props, idle, subnets);
        var idleMinutes = idle.ToMinutes();

        var lifecycle = new CfnDomain.AppLifecycleManagementProperty
        {
            IdleSettings = new CfnDomain.IdleSettingsProperty
            {
                LifecycleManagement = "ENABLED",
                IdleTimeoutInMinutes = idleMinutes,
                // Users may shorten the timeout of their apps, never lengthen it past the platform's.
                MinIdleTimeoutInMinutes = MinIdleTimeoutMinutes,
                MaxIdleTimeoutInMinutes = idleMinutes,
            },
        };
        var securityGroups = new[] { props.SecurityGroup.SecurityGroupId };
        var roleArn = props.DefaultExecutionRole.RoleArn;
        // SDK defaults: the lifecycle configuration is each app's default and the only one offered.
        var jupyterLabLcc = props.SdkDefaults?.JupyterLab.AttrStudioLifecycleConfigArn;
        var codeEditorLcc = props.SdkDefaults?.CodeEditor.AttrStudioLifecycleConfigArn;
        CfnDomain.ResourceSpecProperty? DefaultSpec(string? lcc) => lcc is null ? null : new CfnDomain.ResourceSpecProperty { LifecycleConfigArn = lcc };
        string[]? Offered(string? lcc) => lcc is null ? null : [lcc];

        Domain = new CfnDomain(this, "Resource", new CfnDomainProps
        {
            DomainName = props.DomainName ?? Names.UniqueResourceName(this, new UniqueResourceNameOptions
            {
                MaxLength = 63,
                Separator = "-",
                AllowedSpecialCharacters = "-",
            }),
            AuthMode = "IAM",
            AppNetworkAccessType = "VpcOnly",
            VpcId = props.Vpc!.VpcId,
            SubnetIds = subnets!.SubnetIds,
            KmsKeyId = props.EncryptionKey.KeyArn,
            DefaultUserSettings = new CfnDomain.UserSettingsProperty
            {
                ExecutionRole = roleArn,
                SecurityGroups = securityGroups,
                StudioWebPortal = "ENABLED",
                DefaultLandingUri = "studio::",
                JupyterLabAppSettings = new CfnDomain.JupyterLabAppSettingsProperty
                {
                    AppLifecycleManagement = lifecycle,
                    DefaultResourceSpec = DefaultSpec(jupyterLabLcc),
                    LifecycleConfigArns = Offered(jupyterLabLcc),
                },
                CodeEditorAppSettings = new CfnDomain.CodeEditorAppSettingsProperty
                {
                    AppLifecycleManagement = lifecycle,
                    DefaultResourceSpec = DefaultSpec(codeEditorLcc),
                    LifecycleConfigArns = Offered(codeEditorLcc),
                },
                // Notebook sharing would copy notebook output to an S3 bucket outside the platform's controls.
                SharingSettings = new CfnDomain.SharingSettingsProperty { NotebookOutputOption = "Disabled" },
            },
            DefaultSpaceSettings = new CfnDomain.DefaultSpaceSettingsProperty
            {
                ExecutionRole = roleArn,
                SecurityGroups = securityGroups,
                JupyterLabAppSettings = new CfnDomain.JupyterLabAppSettingsProperty
                {
                    AppLifecycleManagement = lifecycle,
                    DefaultResourceSpec = DefaultSpec(jupyterLabLcc),
                    LifecycleConfigArns = Offered(jupyterLabLcc),
                },
            },
        });
        if (!props.PropagateTags) Domain.AddPropertyDeletionOverride("Tags");

        // Profile construct ids are the profile names (validated, unique): keyed by name, removing one user never
        // replaces another one's profile, which an index-based id would.
        var users = new Construct(this, "Users");
        UserProfiles = props.UserProfiles.Select(name =>
        {
            var profile = new CfnUserProfile(users, name, new CfnUserProfileProps
            {
                DomainId = Domain.AttrDomainId,
                UserProfileName = name,
            });
            if (!props.PropagateTags) profile.AddPropertyDeletionOverride("Tags");
            return profile;
        }).ToList();
    }

    private void Validate(StudioDomainProps props, Duration idle, ISelectedSubnets? subnets)
    {
        var v = new PropsValidation(this, nameof(StudioDomainProps));
        v.Require(props.Vpc is not null, "Vpc", null, "pass the VPC the apps run in, e.g. IsolatedNetwork.Vpc.");
        v.Require(props.SecurityGroup is not null, "SecurityGroup", null, "pass the apps' security group, e.g. IsolatedNetwork.StudioSecurityGroup.");
        v.Require(props.DefaultExecutionRole is not null, "DefaultExecutionRole", null, "pass the Studio users' execution role, e.g. StudioUserRole.Role (not the job role, which may overwrite artifacts and checkpoints).");
        v.Require(props.EncryptionKey is not null, "EncryptionKey", null, "pass the customer-managed key, e.g. TrainingBuckets.EncryptionKey.");
        if (subnets is not null)
            v.Require(subnets.SubnetIds.Length > 0, "Subnets", "(no subnets selected)", "select at least one private subnet of Vpc.");

        if (!idle.IsUnresolved())
        {
            var minutes = idle.ToMinutes(new TimeConversionOptions { Integral = false });
            v.Require(minutes == Math.Floor(minutes) && minutes is >= MinIdleTimeoutMinutes and <= MaxIdleTimeoutMinutes,
                "IdleTimeout", idle, $"give whole minutes from {MinIdleTimeoutMinutes} to {MaxIdleTimeoutMinutes} (365 days), e.g. Duration.Minutes(60).");
        }

        if (props.DomainName is { } domainName && !PropsValidation.IsToken(domainName))
            v.Require(NamePattern().IsMatch(domainName) && domainName.Length <= 63, "DomainName", domainName,
                "give 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.");

        foreach (var name in props.UserProfiles ?? [])
            v.Require(name is not null && NamePattern().IsMatch(name) && name.Length <= 63, "UserProfiles", name,
                "give 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit (pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}).");
        foreach (var duplicate in (props.UserProfiles ?? []).GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            v.Add("UserProfiles", duplicate.Key, "each user profile name may appear only once.");
        v.ThrowIfAny();
    }

    [GeneratedRegex(@"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\z")]
    private static partial Regex NamePattern();
}
