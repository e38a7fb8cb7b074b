using System.Text.Json.Nodes;

namespace HfSageMaker.Tests.Configuration;

/// <summary>A temporary environments directory for one test, deleted on dispose.</summary>
internal sealed class TempEnvironments : IDisposable
{
    /// <summary>A valid environment file, independent of the shipped ones, that tests break one field at a time.</summary>
    public const string ValidJson = """
        {
          "name": "dev",
          "account": "123456789012",
          "region": "eu-west-1",
          "availabilityZones": ["eu-west-1a", "eu-west-1b"],
          "network": { "mode": "isolated", "cidr": "10.10.0.0/16" },
          "training": {
            "allowedInstanceTypes": ["ml.g5.xlarge", "ml.g5.2xlarge"],
            "defaultInstanceType": "ml.g5.xlarge",
            "maxInstanceCount": 2,
            "spotByDefault": true,
            "maxRuntimeHours": 24
          },
          "retention": { "removalPolicy": "destroy", "checkpointExpirationDays": 14, "logRetentionDays": 30 },
          "studio": { "idleTimeoutMinutes": 60, "users": [{ "name": "alice" }] },
          "budget": { "monthlyLimitUsd": 500, "alertThresholdsPercent": [80, 100] },
          "notificationEmails": ["team@example.com"],
          "tags": { "owner": "ml-platform" }
        }
        """;

    public TempEnvironments()
    {
        Directory = Path.Combine(Path.GetTempPath(), "hf-env-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>The file path as errors display it (absolute, forward slashes: the temp dir is outside the cwd).</summary>
    public string Display(string fileName) => Path.GetFullPath(Path.Combine(Directory, fileName)).Replace('\\', '/');

    public static JsonObject Valid() => JsonNode.Parse(ValidJson)!.AsObject();

    public string Write(string fileName, string text)
    {
        var path = Path.Combine(Directory, fileName);
        File.WriteAllText(path, text);
        return path;
    }

    public string Write(string fileName, JsonObject json) => Write(fileName, json.ToJsonString());

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
