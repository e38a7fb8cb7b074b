using HfSageMaker.Infra;

// Thin entry point: all behaviour lives in AppRunner (tested). See AppRunner.Usage.
return AppRunner.Run(args, Console.Out, Console.Error);
