using Amazon.CDK;

// Placeholder until the environment loader lands: synthesizes nothing but proves the app runs.
var app = new App(new AppProps { Outdir = System.Environment.GetEnvironmentVariable("CDK_OUTDIR") ?? "cdk.out" });
app.Synth();
