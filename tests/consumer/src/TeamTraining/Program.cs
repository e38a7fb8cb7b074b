using Amazon.CDK;

namespace TeamTraining;

sealed class Program
{
    public static void Main(string[] args)
    {
        var app = new App();
        _ = new TeamTrainingStack(app, "TeamTrainingStack", new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = "111122223333", Region = "eu-west-1" },
        });
        app.Synth();
    }
}
