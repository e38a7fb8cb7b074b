using Xunit;

// jsii talks to one Node process over a single pipe; test classes constructing CDK objects concurrently corrupt the
// exchange ("$jsii.byref was not present", ArgumentOutOfRangeException in ReadLine). Run test collections one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
