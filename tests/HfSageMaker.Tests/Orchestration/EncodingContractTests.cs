using System.Text.Json;
using System.Text.Json.Nodes;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Orchestration;

/// <summary>
/// Writes the C# side of the run-time contract (<c>$HF_TEST_RESULTS/contract/encoding.json</c>): hyperparameter
/// encodings and job-name validity. <c>tests/node/csharp-output/contract.test.mjs</c> runs the PrepareRequest
/// function's encoder and name rule over the same inputs and requires identical answers.
/// </summary>
public sealed class EncodingContractTests
{
    // Values as a JSON execution input carries them (integral numbers as integers: JSON text cannot tell 1 from 1.0).
    private static readonly object?[] Values =
    [
        3L, -7L, 0L, 5e-05, 0.0001, 1e-4 * 3, 1.5, -2.5e-07, 1e16 + 2, 123456789.125, 0.1, 2e-05, 1e22,
        true, false, null, "t5-small", "translate English to German: ", "é\"\\\n\t", "😀", "",
        new object?[] { 1L, 2L }, new object?[] { "a", true, null, 0.5 },
        new Dictionary<string, object?> { ["a"] = 1L, ["b"] = new object?[] { true } },
    ];

    private static readonly string[] Names =
    [
        "hf-translate-run", "hf-translate--double", "-leading", "trailing-", "has_underscore", "a", "",
        new string('a', 63), new string('a', 64), new string('a', 32), new string('a', 33), "UPPER-lower-123",
    ];

    [Fact]
    public void EncodingAndNameCases_AreWritten_AndMatchTheSdkForKnownValues()
    {
        var cases = new JsonArray();
        foreach (var value in Values)
        {
            cases.Add(new JsonObject
            {
                ["value"] = JsonSerializer.SerializeToNode(value),
                ["encoded"] = HyperparameterEncoding.Encode(value),
            });
        }

        var names = new JsonArray();
        foreach (var name in Names)
        {
            names.Add(new JsonObject
            {
                ["name"] = name,
                ["validTraining"] = IsValid(name, 63),
                ["validTuning"] = IsValid(name, 32),
            });
        }

        var dir = Path.Combine(PipelineFixture.ResultsDirectory, "contract");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "encoding.json"), new JsonObject { ["hyperparameters"] = cases, ["jobNames"] = names }.ToJsonString());

        // Spot checks against values the SDK documents (REFERENCE.md section 2).
        Assert.Equal("5e-05", HyperparameterEncoding.Encode(5e-05));
        Assert.Equal("\"t5-small\"", HyperparameterEncoding.Encode("t5-small"));
        Assert.Equal("[1, 2]", HyperparameterEncoding.Encode(new object?[] { 1L, 2L }));
    }

    /// <summary>The C# side's name rule, asked through the builder's public API.</summary>
    private static bool IsValid(string name, int maxLength)
    {
        try
        {
            if (maxLength == 63)
            {
                TrainingRequestBuilder.CreateTrainingJob(Training.TrainingFixtures.Definition(), Training.TrainingFixtures.Resources(), name);
            }
            else
            {
                var tuning = new TuningDefinition
                {
                    Objective = new TuningObjective("eval_loss", TuningObjectiveType.Minimize),
                    Ranges = [new ContinuousRange("learning_rate", 1e-05, 0.001)],
                };
                TrainingRequestBuilder.CreateHyperParameterTuningJob(Training.TrainingFixtures.Definition(), tuning, Training.TrainingFixtures.Resources(), name);
            }
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
