using Amazon.CDK;

// The floor: what any C# CDK app pays to synthesize (process start, jsii runtime, aws-cdk-lib load, one stack).
var app = new App(new AppProps { Outdir = System.Environment.GetEnvironmentVariable("CDK_OUTDIR") ?? "cdk.out" });
_ = new Stack(app, "Floor");
app.Synth();
