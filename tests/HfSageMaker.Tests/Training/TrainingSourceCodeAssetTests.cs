using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.IAM;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>Two independent apps package the same directory; each is synthesized once for the class.</summary>
public sealed class TrainingSourceCodeAssetFixture : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hf-sourcedir-asset-" + Guid.NewGuid().ToString("N"));

    public TrainingSourceCodeAssetFixture()
    {
        Directory.CreateDirectory(Path.Combine(_root, "pkg"));
        File.WriteAllText(Path.Combine(_root, "train.py"), "print('train')\n");
        File.WriteAllText(Path.Combine(_root, "pkg", "util.py"), "X = 1\n");
        (First, FirstTemplate) = Build();
        File.SetLastWriteTimeUtc(Path.Combine(_root, "train.py"), DateTime.UtcNow.AddHours(5)); // a touch must not change the hash
        (Second, _) = Build();
    }

    private (TrainingSourceCode Code, Template Template) Build()
    {
        var stack = new Stack(new App(), "Training", new StackProps { Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" } });
        var code = TrainingSourceCode.FromDirectory(stack, "SourceCode", _root, new TrainingSourceCodeOptions { EntryPoint = "train.py" });
        var role = new Role(stack, "ExecutionRole", new RoleProps { AssumedBy = new ServicePrincipal("sagemaker.amazonaws.com") });
        code.GrantRead(role);
        return (code, Template.FromStack(stack));
    }

    public TrainingSourceCode First { get; }
    public Template FirstTemplate { get; }
    public TrainingSourceCode Second { get; }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

public class TrainingSourceCodeAssetTests(TrainingSourceCodeAssetFixture fixture) : IClassFixture<TrainingSourceCodeAssetFixture>
{
    [Fact]
    public void Asset_hash_and_archive_hash_are_stable_across_two_syntheses()
    {
        Assert.Equal(fixture.First.Asset.AssetHash, fixture.Second.Asset.AssetHash);
        Assert.Equal(fixture.First.Sha256, fixture.Second.Sha256);
        Assert.Matches("^[0-9a-f]{64}$", fixture.First.Sha256);
    }

    [Fact]
    public void Asset_is_the_content_addressed_archive_file_outside_the_source_tree()
    {
        var expected = Path.Combine(Path.GetTempPath(), "hf-sourcedir", fixture.First.Sha256, "sourcedir.tar.gz");
        Assert.Equal(expected, fixture.First.ArchivePath);
        Assert.Equal(fixture.First.Sha256,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(expected))));
        Assert.True(fixture.First.Asset.IsFile); // packaged as a file: uploaded byte for byte
        Assert.EndsWith(".gz", fixture.First.S3ObjectKey);
        Assert.StartsWith("s3://", fixture.First.S3Uri);
    }

    [Fact]
    public void GrantRead_gives_the_role_read_access_to_the_archive_object()
    {
        fixture.FirstTemplate.HasResourceProperties("AWS::IAM::Policy", new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Action"] = Match.ArrayWith(["s3:GetObject*"]),
                    ["Effect"] = "Allow",
                    ["Resource"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["Fn::Join"] = Match.ArrayWith([Match.ArrayWith([
                            Match.StringLikeRegexp("cdk-hnb659fds-assets-111111111111-eu-west-1/" + fixture.First.S3ObjectKey.Replace(".", "\\.")),
                        ])]),
                    })]),
                })]),
            }),
            ["Roles"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object> { ["Ref"] = Match.StringLikeRegexp("ExecutionRole") })]),
        });
    }
}
