namespace HfSageMaker.Constructs.Training;

/// <summary>How a channel's S3 objects are spread over the instances (API enum <c>S3DataDistribution</c>).</summary>
public enum S3DataDistribution
{
    /// <summary>Every instance receives every object (the SDK default).</summary>
    FullyReplicated,

    /// <summary>Each instance receives a disjoint subset of the objects, split by S3 key.</summary>
    ShardedByS3Key,
}
