using HfSageMaker.Infra.Configuration;
using Xunit;

namespace HfSageMaker.Tests.Configuration;

/// <summary>The example environments shipped in <c>environments/</c> load and say what the README promises.</summary>
public sealed class ShippedEnvironmentsTests
{
    private static readonly IReadOnlyList<EnvironmentConfig> Environments =
        EnvironmentLoader.LoadAll(Path.Combine(RepositoryLocator.FindRoot()!, "environments"));

    private static EnvironmentConfig Get(string name) => Environments.Single(e => e.Name == name);

    [Fact]
    public void DevStagingAndProd_AreShipped_AndValid()
    {
        Assert.Equal(["dev", "prod", "staging"], Environments.Select(e => e.Name));
    }

    [Fact]
    public void Dev_IsIsolatedSpotAndDisposable()
    {
        var dev = Get("dev");
        Assert.Equal("eu-west-1", dev.Region);
        Assert.Equal(NetworkMode.Isolated, dev.Network.Mode);
        Assert.True(dev.Training.SpotByDefault);
        Assert.Equal(RemovalBehaviour.Destroy, dev.Retention.RemovalPolicy);
    }

    [Fact]
    public void Prod_RetainsData_SpansThreeZones_AndUsesOnDemand()
    {
        var prod = Get("prod");
        Assert.Equal(RemovalBehaviour.Retain, prod.Retention.RemovalPolicy);
        Assert.Equal(3, prod.AvailabilityZones.Count);
        Assert.False(prod.Training.SpotByDefault);
        Assert.DoesNotContain(prod.Training.AllowedInstanceTypes, t => t.Contains(".g4dn.", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryEnvironment_HasItsOwnAccount()
    {
        Assert.Equal(Environments.Count, Environments.Select(e => e.Account).Distinct().Count());
    }
}
