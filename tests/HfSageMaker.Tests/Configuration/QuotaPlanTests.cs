using System.Text.Json;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Quotas;
using Xunit;

namespace HfSageMaker.Tests.Configuration;

/// <summary>The quota preflight lists the exact Service Quotas names and the instance counts the jobs need.</summary>
public sealed class QuotaPlanTests
{
    /// <summary>An environment deploying <paramref name="recipe"/> alone (llm-sft runs torchrun whenever a run may use more
    /// than one GPU, so a job may use every allowed instance; translation runs no distribution).</summary>
    private static EnvironmentConfig Env(bool spot, int count, int parallel, int warmPoolMinutes = 0, string recipe = "llm-sft")
    {
        var env = BaseEnv(spot, count, parallel, warmPoolMinutes);
        return env with { Recipes = [new RecipeConfig { Name = recipe, Training = env.Training }] };
    }

    private static EnvironmentConfig BaseEnv(bool spot, int count, int parallel, int warmPoolMinutes) => new()
    {
        Name = "team",
        Account = "123456789012",
        Region = "us-east-1",
        AvailabilityZones = ["us-east-1a", "us-east-1b"],
        Network = new NetworkConfig { Mode = NetworkMode.Isolated, Cidr = "10.0.0.0/16" },
        Training = new TrainingConfig
        {
            AllowedInstanceTypes = ["ml.g5.2xlarge", "ml.p4d.24xlarge"],
            DefaultInstanceType = "ml.g5.2xlarge",
            MaxInstanceCount = count,
            SpotByDefault = spot,
            MaxRuntimeHours = 24,
            MaxTuningJobs = 10,
            MaxParallelTuningJobs = parallel,
            WarmPoolKeepAliveMinutes = warmPoolMinutes,
        },
        Retention = new RetentionConfig { RemovalPolicy = RemovalBehaviour.Destroy, CheckpointExpirationDays = 7, LogRetentionDays = 30 },
        Studio = new StudioConfig { IdleTimeoutMinutes = 60 },
        Budget = new BudgetConfig { MonthlyLimitUsd = 100, AlertThresholdsPercent = [100] },
    };

    [Fact]
    public void OnDemandEnvironment_NeedsOnlyTrainingJobUsage_ParallelTimesCount()
    {
        var plan = QuotaPlan.For(Env(spot: false, count: 4, parallel: 3));

        Assert.Equal(
            [("ml.g5.2xlarge for training job usage", 12), ("ml.p4d.24xlarge for training job usage", 12)],
            plan.Select(r => (r.QuotaName, r.Value)));
        Assert.All(plan, r => Assert.Equal(("123456789012", "us-east-1"), (r.Account, r.Region)));
    }

    [Fact]
    public void SpotEnvironment_AlsoNeedsSpotTrainingJobUsage()
    {
        var plan = QuotaPlan.For(Env(spot: true, count: 2, parallel: 1));

        Assert.Contains(plan, r => r is { QuotaName: "ml.g5.2xlarge for spot training job usage", Value: 2, Usage: QuotaUsage.Spot });
        Assert.Contains(plan, r => r is { QuotaName: "ml.g5.2xlarge for training job usage", Value: 2 });
        Assert.Equal(4, plan.Count);
    }

    [Fact]
    public void WarmPools_NeedWarmPoolUsage_ForOneJobsInstances()
    {
        var plan = QuotaPlan.For(Env(spot: false, count: 3, parallel: 2, warmPoolMinutes: 15));

        var warm = plan.Where(r => r.Usage == QuotaUsage.WarmPool).ToList();
        Assert.Equal(["ml.g5.2xlarge for training warm pool usage", "ml.p4d.24xlarge for training warm pool usage"], warm.Select(r => r.QuotaName));
        Assert.All(warm, r => Assert.Equal(3, r.Value));
        Assert.DoesNotContain(QuotaPlan.For(Env(spot: false, count: 3, parallel: 2)), r => r.Usage == QuotaUsage.WarmPool);
    }

    [Fact]
    public void Json_ListsEveryQuotaWithNameAndValue()
    {
        using var doc = JsonDocument.Parse(QuotaPlan.FormatJson([Env(spot: true, count: 2, parallel: 2)]));

        var env = Assert.Single(doc.RootElement.GetProperty("environments").EnumerateArray());
        Assert.Equal("team", env.GetProperty("name").GetString());
        Assert.Equal("sagemaker", env.GetProperty("serviceCode").GetString());
        var spot = env.GetProperty("quotas").EnumerateArray()
            .Single(q => q.GetProperty("quotaName").GetString() == "ml.p4d.24xlarge for spot training job usage");
        Assert.Equal(4, spot.GetProperty("value").GetInt32());
        Assert.Equal("spot", spot.GetProperty("usage").GetString());
    }

    [Fact]
    public void Table_HasOneLinePerQuota_WithTheValue()
    {
        var table = QuotaPlan.FormatTable([Env(spot: false, count: 4, parallel: 3)]);

        Assert.Contains("Environment team: account 123456789012, region us-east-1", table, StringComparison.Ordinal);
        Assert.Matches(@"ml\.p4d\.24xlarge for training job usage\s+12\s", table);
        Assert.DoesNotContain("spot", table, StringComparison.Ordinal);
    }
    [Fact]
    public void ARecipeWithoutDistribution_NeedsOneInstancePerJob_WhateverMaxInstanceCountAllows()
    {
        // Its pipeline refuses instanceCount > 1 (PrepareRequest's policy): a tuning run uses one instance per job.
        var plan = QuotaPlan.For(Env(spot: false, count: 4, parallel: 3, warmPoolMinutes: 10, recipe: "translation"));

        Assert.Equal(
            [("ml.g5.2xlarge for training job usage", 3), ("ml.g5.2xlarge for training warm pool usage", 1),
             ("ml.p4d.24xlarge for training job usage", 3), ("ml.p4d.24xlarge for training warm pool usage", 1)],
            plan.Select(r => (r.QuotaName, r.Value)));
        Assert.Equal("tuning: 3 parallel job(s) x 1 instance(s); one training job needs 1 (no distribution: one instance per job, whatever maxInstanceCount 4 allows)", plan[0].Basis);
        // The environment's default recipe (no "recipes") is translation too.
        Assert.Equal(3, QuotaPlan.For(BaseEnv(spot: false, count: 4, parallel: 3, warmPoolMinutes: 0))[0].Value);
    }

    [Fact]
    public void TwoRecipes_EachWithItsGuardrails_AddUpOnTheTypesBothAllow()
    {
        var env = BaseEnv(spot: false, count: 4, parallel: 3, warmPoolMinutes: 0);
        env = env with
        {
            Recipes =
            [
                new RecipeConfig { Name = "translation", Training = env.Training },
                new RecipeConfig
                {
                    Name = "llm-sft",
                    Training = env.Training with { AllowedInstanceTypes = ["ml.p4d.24xlarge", "ml.g5.48xlarge"], DefaultInstanceType = "ml.p4d.24xlarge", MaxInstanceCount = 2, SpotByDefault = true },
                },
            ],
        };

        var plan = QuotaPlan.For(env);

        // translation: 3 x 1 on-demand on both of its types (no distribution: one instance per job, though the
        // environment allows 4); llm-sft: 3 x 2, on-demand and spot, on its own types.
        Assert.Equal(
            [
                ("ml.g5.2xlarge for training job usage", 3),
                ("ml.p4d.24xlarge for training job usage", 9),
                ("ml.p4d.24xlarge for spot training job usage", 6),
                ("ml.g5.48xlarge for training job usage", 6),
                ("ml.g5.48xlarge for spot training job usage", 6),
            ],
            plan.Select(r => (r.QuotaName, r.Value)));
        var p4d = plan.Single(r => r.QuotaName == "ml.p4d.24xlarge for training job usage");
        Assert.StartsWith("translation: tuning: 3 parallel job(s) x 1 instance(s); one training job needs 1 (no distribution", p4d.Basis, StringComparison.Ordinal);
        Assert.Contains("; llm-sft: tuning: 3 parallel job(s) x 2 instance(s)", p4d.Basis, StringComparison.Ordinal);
    }
}
