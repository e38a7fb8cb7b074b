using System.Globalization;
using System.Text.Json.Nodes;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Checks a <see cref="TuningDefinition"/> and renders its <c>ParameterRanges</c> as the SDK's
/// <c>HyperparameterTuner.hyperparameter_ranges()</c> does: all three lists present, numeric bounds as Python
/// <c>str()</c>, categorical values JSON-encoded (<c>CategoricalParameter.as_json_range</c>, used for Framework estimators).
/// </summary>
internal static class TuningValidator
{
    public sealed record Result(IReadOnlyList<string> TunedNames, JsonObject Json);

    public static Result Check(List<string> problems, HuggingFaceTrainingJobDefinition def, TuningDefinition tuning)
    {
        var continuous = new JsonArray();
        var integer = new JsonArray();
        var categorical = new JsonArray();
        var names = new List<string>();
        var ranges = tuning.Ranges ?? [];
        if (ranges.Count is 0 or > TrainingDefinitionValidator.MaxTunedParameters)
        {
            problems.Add($"Ranges: {ranges.Count} ranges is not allowed; a tuning job searches 1-{TrainingDefinitionValidator.MaxTunedParameters} hyperparameters.");
        }

        if (!Enum.IsDefined(tuning.Strategy))
        {
            problems.Add($"Strategy: {tuning.Strategy} is not Bayesian, Random, Hyperband or Grid.");
        }

        var metricNames = (def.MetricDefinitions ?? []).Where(m => m is not null).Select(m => m.Name).ToList();
        if (tuning.Objective is null || string.IsNullOrEmpty(tuning.Objective.MetricName))
        {
            problems.Add("Objective: missing; name one of the MetricDefinitions.");
        }
        else if (!metricNames.Contains(tuning.Objective.MetricName))
        {
            problems.Add($"Objective.MetricName: '{tuning.Objective.MetricName}' is not one of the MetricDefinitions ({(metricNames.Count == 0 ? "none defined" : string.Join(", ", metricNames))}); SageMaker can only optimise a metric it extracts from the log.");
        }

        if (tuning.Strategy == TuningStrategy.Grid && tuning.MaxJobs is not null)
        {
            problems.Add($"MaxJobs: {tuning.MaxJobs} must not be set with the Grid strategy; SageMaker runs every combination of the categorical values.");
        }
        else if (tuning.MaxJobs is < 1)
        {
            problems.Add($"MaxJobs: {tuning.MaxJobs} is not allowed; use at least 1.");
        }

        if (tuning.MaxParallelJobs < 1)
        {
            problems.Add($"MaxParallelJobs: {tuning.MaxParallelJobs} is not allowed; SageMaker requires at least 1.");
        }

        if (tuning.Strategy == TuningStrategy.Hyperband && tuning.EarlyStopping != EarlyStoppingType.Off)
        {
            problems.Add("EarlyStopping: Auto is not allowed with the Hyperband strategy, which stops jobs itself; SageMaker requires TrainingJobEarlyStoppingType Off.");
        }

        for (var i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            var field = $"Ranges[{i}]";
            if (range is null)
            {
                problems.Add($"{field}: null; remove it.");
                continue;
            }

            if (string.IsNullOrEmpty(range.Name) || range.Name.Length > 256)
            {
                problems.Add($"{field}.Name: '{range.Name}' is not allowed; use 1-256 characters.");
            }
            else if (range.Name.StartsWith("sagemaker_", StringComparison.Ordinal) || range.Name == ReservedHyperparameters.ModelParallelParameters)
            {
                problems.Add($"{field}.Name: '{range.Name}' is a reserved hyperparameter and cannot be tuned.");
            }
            else if (names.Contains(range.Name))
            {
                problems.Add($"{field}.Name: '{range.Name}' is tuned twice; each hyperparameter may have one range.");
            }
            else
            {
                names.Add(range.Name);
            }

            if (tuning.Strategy == TuningStrategy.Grid && range is not CategoricalRange)
            {
                problems.Add($"{field}: '{range.Name}' is a {(range is IntegerRange ? "integer" : "continuous")} range; the Grid strategy takes categorical ranges only.");
            }

            switch (range)
            {
                case ContinuousRange c:
                    CheckContinuous(problems, field, c);
                    continuous.Add(new JsonObject
                    {
                        ["Name"] = c.Name,
                        ["MinValue"] = HyperparameterEncoding.FormatDouble(c.Min),
                        ["MaxValue"] = HyperparameterEncoding.FormatDouble(c.Max),
                        ["ScalingType"] = c.Scaling.ToString(),
                    });
                    break;
                case IntegerRange n:
                    CheckInteger(problems, field, n);
                    integer.Add(new JsonObject
                    {
                        ["Name"] = n.Name,
                        ["MinValue"] = n.Min.ToString(CultureInfo.InvariantCulture),
                        ["MaxValue"] = n.Max.ToString(CultureInfo.InvariantCulture),
                        ["ScalingType"] = n.Scaling.ToString(),
                    });
                    break;
                case CategoricalRange k:
                    categorical.Add(new JsonObject
                    {
                        ["Name"] = k.Name,
                        ["Values"] = new JsonArray(CheckCategorical(problems, field, k).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                    });
                    break;
                default:
                    problems.Add($"{field}: {range.GetType().Name} is not a ContinuousRange, IntegerRange or CategoricalRange.");
                    break;
            }
        }

        var json = new JsonObject
        {
            ["ContinuousParameterRanges"] = continuous,
            ["IntegerParameterRanges"] = integer,
            ["CategoricalParameterRanges"] = categorical,
        };
        return new Result(names, json);
    }

    private static void CheckContinuous(List<string> problems, string field, ContinuousRange range)
    {
        if (!double.IsFinite(range.Min) || !double.IsFinite(range.Max) || range.Min > range.Max)
        {
            problems.Add($"{field}: '{range.Name}' has Min {Show(range.Min)} and Max {Show(range.Max)}; use finite bounds with Min <= Max.");
            return;
        }

        CheckScaling(problems, field, range.Name, range.Scaling, range.Min, range.Max, continuous: true);
    }

    private static void CheckInteger(List<string> problems, string field, IntegerRange range)
    {
        if (range.Min > range.Max)
        {
            problems.Add($"{field}: '{range.Name}' has Min {range.Min} and Max {range.Max}; use Min <= Max.");
            return;
        }

        CheckScaling(problems, field, range.Name, range.Scaling, range.Min, range.Max, continuous: false);
    }

    private static void CheckScaling(List<string> problems, string field, string name, ScalingType scaling, double min, double max, bool continuous)
    {
        switch (scaling)
        {
            case ScalingType.Auto or ScalingType.Linear:
                break;
            case ScalingType.Logarithmic when min <= 0:
                problems.Add($"{field}: '{name}' uses Logarithmic scaling with Min {Show(min)}; logarithmic scaling needs Min > 0.");
                break;
            case ScalingType.ReverseLogarithmic when !continuous:
                problems.Add($"{field}: '{name}' is an integer range; ReverseLogarithmic scaling applies to continuous ranges only.");
                break;
            case ScalingType.ReverseLogarithmic when min < 0 || max >= 1:
                problems.Add($"{field}: '{name}' uses ReverseLogarithmic scaling with [{Show(min)}, {Show(max)}]; it needs 0 <= Min and Max < 1.");
                break;
            case ScalingType.Logarithmic or ScalingType.ReverseLogarithmic:
                break;
            default:
                problems.Add($"{field}: '{name}' has scaling {scaling}; use Auto, Linear, Logarithmic or ReverseLogarithmic.");
                break;
        }
    }

    private static List<string> CheckCategorical(List<string> problems, string field, CategoricalRange range)
    {
        var values = range.Values ?? [];
        var encoded = new List<string>();
        if (values.Count is 0 or > 30)
        {
            problems.Add($"{field}: '{range.Name}' has {values.Count} values; SageMaker allows 1-30.");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!HyperparameterEncoding.TryEncode(values[i], out var text, out var error))
            {
                problems.Add($"{field}.Values[{i}]: {error}.");
                continue;
            }

            if (text.Length > 256)
            {
                problems.Add($"{field}.Values[{i}]: encoded value is {text.Length} characters; SageMaker allows at most 256.");
            }

            if (encoded.Contains(text))
            {
                problems.Add($"{field}.Values[{i}]: {text} appears twice in '{range.Name}'; values must be distinct.");
            }

            encoded.Add(text);
        }

        return encoded;
    }

    private static string Show(double value) => HyperparameterEncoding.FormatDouble(value);
}
