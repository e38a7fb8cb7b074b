// The jsii runtime behind Amazon.CDK.Lib is not safe for concurrent use: xUnit's default of running test classes in
// parallel makes fixtures that synthesize at the same time fail with spurious exceptions or deadlock. Test classes of
// this assembly therefore run one after another (each still synthesizes once, in its class fixture).
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
