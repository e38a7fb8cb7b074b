using System.Globalization;
using System.Text;
using System.Text.Json;
using HfSageMaker.Constructs.Training;
using HfSageMaker.Infra.Configuration;
using HfSageMaker.Infra.Recipes;

namespace HfSageMaker.Infra.Quotas;

/// <summary>
/// The SageMaker Service Quotas an environment needs, derived from its file, for every recipe it deploys (each recipe
/// with its own guardrails, <see cref="EnvironmentConfig.DeployedRecipes"/>): for every allowed instance type, the
/// on-demand quota (always), the spot quota (when <c>spotByDefault</c>) and the warm-pool quota (when
/// <c>warmPoolKeepAliveMinutes</c> &gt; 0). A training job needs <c>maxInstanceCount</c> instances when the recipe runs a
/// distribution there and one otherwise (<see cref="TrainingRecipe.MaxInstancesPerJob"/>: its pipeline allows a run no
/// more); a tuning job runs <c>maxParallelTuningJobs</c> such jobs at once, so the training quotas need their product.
/// Warm pools only apply to training jobs (tuning resource configs have no keep-alive), so they need one job's
/// instances. Values are for one run of each recipe at a time (recipes that allow the same type add up): multiply by
/// the runs the team starts concurrently.
/// </summary>
public static class QuotaPlan
{
    /// <summary>
    /// The requirements of one environment: one per instance type and usage, in the order the recipes allow the
    /// types, then on-demand, spot, warm pool; the basis names each recipe that needs it.
    /// </summary>
    public static IReadOnlyList<QuotaRequirement> For(EnvironmentConfig environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var single = environment.DeployedRecipes.Count == 1;
        var needs = new List<(string Type, QuotaUsage Usage, int Value, string Basis)>();
        foreach (var recipe in environment.DeployedRecipes)
        {
            var training = recipe.Training;
            var count = RecipeRegistry.Get(recipe.Name).MaxInstancesPerJob(training);
            var parallel = training.MaxParallelTuningJobs;
            var concurrent = count * parallel;
            var who = single ? "" : $"{recipe.Name}: ";
            var basis = $"{who}tuning: {parallel} parallel job(s) x {count} instance(s); one training job needs {count}"
                + (count < training.MaxInstanceCount ? $" (no distribution: one instance per job, whatever maxInstanceCount {training.MaxInstanceCount} allows)" : "");
            foreach (var type in training.AllowedInstanceTypes)
            {
                needs.Add((type, QuotaUsage.OnDemand, concurrent, basis));
                if (training.SpotByDefault)
                {
                    needs.Add((type, QuotaUsage.Spot, concurrent, basis + " (spot by default)"));
                }

                if (training.WarmPoolKeepAliveMinutes > 0)
                {
                    needs.Add((type, QuotaUsage.WarmPool, count,
                        $"{who}warm pool: {count} instance(s) kept {training.WarmPoolKeepAliveMinutes} min after a training job"));
                }
            }
        }

        // One row per quota: recipes that allow the same type may run at the same time, so their needs add up.
        return [.. needs
            .GroupBy(n => (n.Type, n.Usage))
            .OrderBy(g => needs.FindIndex(n => n.Type == g.Key.Type))
            .ThenBy(g => g.Key.Usage)
            .Select(g => Requirement(environment, g.Key.Type, g.Key.Usage, g.Sum(n => n.Value), string.Join("; ", g.Select(n => n.Basis))))];
    }

    /// <summary>The exact Service Quotas name for an instance type and usage.</summary>
    public static string QuotaName(string instanceType, QuotaUsage usage) => usage switch
    {
        QuotaUsage.OnDemand => TrainingQuotaNames.OnDemand(instanceType),
        QuotaUsage.Spot => TrainingQuotaNames.Spot(instanceType),
        QuotaUsage.WarmPool => TrainingQuotaNames.WarmPool(instanceType),
        _ => throw new ArgumentOutOfRangeException(nameof(usage), usage, "unknown quota usage"),
    };

    /// <summary>A plain-text table per environment, with the AWS CLI command that shows the applied values.</summary>
    public static string FormatTable(IEnumerable<EnvironmentConfig> environments)
    {
        ArgumentNullException.ThrowIfNull(environments);
        var text = new StringBuilder();
        foreach (var environment in environments)
        {
            var rows = For(environment);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Environment {environment.Name}: account {environment.Account}, region {environment.Region}, service code {QuotaRequirement.ServiceCode}");
            var nameWidth = Math.Max("Quota name".Length, rows.Max(r => r.QuotaName.Length));
            text.AppendLine(CultureInfo.InvariantCulture, $"  {"Quota name".PadRight(nameWidth)}  {"Value",5}  Basis");
            foreach (var row in rows)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {row.QuotaName.PadRight(nameWidth)}  {row.Value,5}  {row.Basis}");
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"  Check: aws service-quotas list-service-quotas --service-code {QuotaRequirement.ServiceCode} --region {environment.Region} --query \"Quotas[?contains(QuotaName, 'training')].[QuotaName,Value]\" --output table");
            AppendAccountQuotas(text, environment);
            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The same plan as JSON: <c>{"environments":[{"name","account","region","serviceCode","quotas":[...]}]}</c>.</summary>
    public static string FormatJson(IEnumerable<EnvironmentConfig> environments)
    {
        ArgumentNullException.ThrowIfNull(environments);
        var document = new
        {
            environments = environments.Select(e => new
            {
                name = e.Name,
                account = e.Account,
                region = e.Region,
                serviceCode = QuotaRequirement.ServiceCode,
                quotas = For(e).Select(r => new
                {
                    quotaName = r.QuotaName,
                    instanceType = r.InstanceType,
                    usage = r.Usage switch
                    {
                        QuotaUsage.OnDemand => "onDemand",
                        QuotaUsage.Spot => "spot",
                        _ => "warmPool",
                    },
                    value = r.Value,
                    basis = r.Basis,
                }),
                accountQuotas = AccountQuotas.For(e).Select(a => new
                {
                    serviceCode = a.ServiceCode,
                    quotaCode = a.QuotaCode,
                    quotaName = a.QuotaName,
                    value = a.Value,
                    defaultValue = a.Default,
                    basis = a.Basis,
                }),
            }),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true });
    }

    // The first deployment's network quotas (AccountQuotas), after the SageMaker table.
    private static void AppendAccountQuotas(StringBuilder text, EnvironmentConfig environment)
    {
        var rows = AccountQuotas.For(environment);
        var width = rows.Max(r => r.QuotaName.Length);
        text.AppendLine(CultureInfo.InvariantCulture, $"  First deployment (used by this stack; default in a new account):");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {row.QuotaName.PadRight(width)}  {row.Value,5}  {row.ServiceCode} {row.QuotaCode}, default {row.Default}: {row.Basis}");
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"  Check one: aws service-quotas get-service-quota --service-code vpc --quota-code L-29B6F2EB --region {environment.Region} --query Quota.Value");
    }

    private static QuotaRequirement Requirement(EnvironmentConfig e, string type, QuotaUsage usage, int value, string basis) =>
        new(e.Name, e.Account, e.Region, type, usage, QuotaName(type, usage), value, basis);
}
