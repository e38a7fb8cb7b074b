using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;
using HfSageMaker.Constructs.Compliance;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Storage;

/// <summary>
/// The training platform's S3 buckets: datasets, model artifacts, checkpoints and, on request, code (see
/// <see cref="TrainingBucketsProps.IncludeCodeBucket"/>), all encrypted with one customer-managed KMS key (S3 Bucket Keys on, to cut KMS requests), public access
/// blocked, TLS-only (1.2 or later), object ownership enforced (no ACLs), versioned and server-access-logged into a
/// separate access-log bucket. Checkpoints expire after <see cref="TrainingBucketsProps.CheckpointExpiration"/>;
/// noncurrent versions and incomplete multipart uploads are cleaned up everywhere.
/// Use the intent-named grants (<see cref="GrantReadDatasets"/>, ...): they bring the KMS permissions along. Existing
/// buckets: <see cref="FromAttributes"/>; an existing access-log bucket: <see cref="TrainingBucketsProps.AccessLogsBucket"/>.
/// </summary>
public sealed class TrainingBuckets : Construct, ITrainingBuckets
{
    /// <summary>Default age after which checkpoints expire.</summary>
    public static readonly Duration DefaultCheckpointExpiration = Duration.Days(30);

    /// <summary>Default age after which noncurrent object versions expire.</summary>
    public static readonly Duration DefaultNoncurrentVersionExpiration = Duration.Days(90);

    /// <summary>Default age after which server access logs expire.</summary>
    public static readonly Duration DefaultAccessLogExpiration = Duration.Days(365);

    /// <summary>Incomplete multipart uploads are aborted after this many days.</summary>
    public const int AbortIncompleteMultipartUploadDays = 7;

    /// <summary>The key that encrypts the datasets, artifacts, checkpoints and code buckets.</summary>
    public IKey EncryptionKey { get; }

    /// <summary>Training data (SageMaker input channels).</summary>
    public IBucket Datasets { get; }

    /// <summary>Model artifacts (<c>OutputDataConfig.S3OutputPath</c>).</summary>
    public IBucket Artifacts { get; }

    /// <summary>Checkpoints of spot and long-running jobs (<c>CheckpointConfig.S3Uri</c>); objects expire.</summary>
    public IBucket Checkpoints { get; }

    /// <summary>A bucket for code archives or other files of your own, or null unless
    /// <see cref="TrainingBucketsProps.IncludeCodeBucket"/> is set. The pipeline does not use it: its
    /// <c>sourcedir.tar.gz</c> is a CDK file asset in the bootstrap bucket.</summary>
    public IBucket? Code { get; }

    /// <summary>
    /// Destination of the other buckets' server access logs (one prefix per bucket): the given
    /// <see cref="TrainingBucketsProps.AccessLogsBucket"/>, or one created encrypted with S3-managed keys (SSE-S3)
    /// because S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS.
    /// </summary>
    public IBucket AccessLogs { get; }

    /// <summary>
    /// Imports existing buckets and their key (e.g. from another stack or app) as <see cref="ITrainingBuckets"/>, for
    /// <see cref="Security.SageMakerExecutionRole"/>, <see cref="Security.StudioUserRole"/> and the pipeline. Nothing is
    /// created; the grants name the buckets and the key.
    /// </summary>
    /// <param name="scope">Parent construct.</param>
    /// <param name="id">Construct id (creates no resource).</param>
    /// <param name="attributes">The buckets and the key.</param>
    /// <returns>The imported buckets.</returns>
    /// <exception cref="ArgumentException">A bucket or the key is missing.</exception>
    public static ITrainingBuckets FromAttributes(Construct scope, string id, TrainingBucketsAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var imported = new ImportedTrainingBuckets(scope, id, attributes);
        var v = new PropsValidation(imported, nameof(TrainingBucketsAttributes));
        v.Require(attributes.Datasets is not null, "Datasets", null, "give the existing datasets bucket, e.g. Bucket.FromBucketName(this, \"Datasets\", \"my-datasets\").");
        v.Require(attributes.Artifacts is not null, "Artifacts", null, "give the existing artifacts bucket.");
        v.Require(attributes.Checkpoints is not null, "Checkpoints", null, "give the existing checkpoints bucket.");
        v.Require(attributes.EncryptionKey is not null, "EncryptionKey", null, "give the buckets' KMS key, e.g. Key.FromKeyArn(this, \"Key\", \"arn:aws:kms:...\").");
        v.ThrowIfAny();
        return imported;
    }

    /// <summary>Creates the key (unless one is given) and the buckets.</summary>
    /// <exception cref="ArgumentException">A duration is not a whole number of days from 1 to 3650.</exception>
    public TrainingBuckets(Construct scope, string id, TrainingBucketsProps? props = null) : base(scope, id)
    {
        // Pin access-log delivery through a bucket policy for these buckets (works with BucketOwnerEnforced, no ACLs),
        // whatever the app's context says. Context must be set before the first child is added. (CDK v2 write grants
        // already leave out s3:PutObjectAcl.)
        Node.SetContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);

        props ??= new TrainingBucketsProps();
        var checkpointExpiration = props.CheckpointExpiration ?? DefaultCheckpointExpiration;
        var noncurrentExpiration = props.NoncurrentVersionExpiration ?? DefaultNoncurrentVersionExpiration;
        var accessLogExpiration = props.AccessLogExpiration ?? DefaultAccessLogExpiration;
        var v = new PropsValidation(this, nameof(TrainingBucketsProps));
        RequireWholeDays(v, "CheckpointExpiration", checkpointExpiration);
        RequireWholeDays(v, "NoncurrentVersionExpiration", noncurrentExpiration);
        RequireWholeDays(v, "AccessLogExpiration", accessLogExpiration);
        v.ThrowIfAny();

        EncryptionKey = props.EncryptionKey ?? new Key(this, "Key", new KeyProps
        {
            Description = "Encrypts the SageMaker training platform's datasets, artifacts, checkpoints and code",
            EnableKeyRotation = true,
            RemovalPolicy = props.RemovalPolicy,
        });
        AwsResourceGrants.DenyOtherGrants(this, EncryptionKey);

        var abortUploads = Duration.Days(AbortIncompleteMultipartUploadDays);
        AccessLogs = props.AccessLogsBucket ?? CreateAccessLogsBucket(props.RemovalPolicy, accessLogExpiration, abortUploads);

        var keepNoncurrent = new LifecycleRule
        {
            Id = "ExpireNoncurrentVersions",
            NoncurrentVersionExpiration = noncurrentExpiration,
            AbortIncompleteMultipartUploadAfter = abortUploads,
        };
        Datasets = CreateBucket("Datasets", "datasets/", props.RemovalPolicy, keepNoncurrent);
        Artifacts = CreateBucket("Artifacts", "artifacts/", props.RemovalPolicy, keepNoncurrent);
        Checkpoints = CreateBucket("Checkpoints", "checkpoints/", props.RemovalPolicy, new LifecycleRule
        {
            Id = "ExpireCheckpoints",
            Expiration = checkpointExpiration,
            // Jobs overwrite checkpoint files constantly; old versions are of no use after a day.
            NoncurrentVersionExpiration = Duration.Days(1),
            AbortIncompleteMultipartUploadAfter = abortUploads,
        });
        Code = props.IncludeCodeBucket ? CreateBucket("Code", "code/", props.RemovalPolicy, keepNoncurrent) : null;
    }

    private Bucket CreateAccessLogsBucket(RemovalPolicy removalPolicy, Duration accessLogExpiration, Duration abortUploads)
    {
        var accessLogs = new Bucket(this, "AccessLogs", new BucketProps
        {
            // SSE-S3: the S3 log delivery service cannot write to a bucket whose default encryption is SSE-KMS.
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            MinimumTLSVersion = 1.2,
            Versioned = true,
            RemovalPolicy = removalPolicy,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "ExpireAccessLogs",
                    Expiration = accessLogExpiration,
                    NoncurrentVersionExpiration = Duration.Days(1),
                    AbortIncompleteMultipartUploadAfter = abortUploads,
                },
            ],
        });
        // AwsSolutions-S1 and the packs' S3BucketLoggingEnabled need no suppression: cdk-nag recognises a bucket that
        // receives other buckets' access logs.
        NagSuppressions.Add(accessLogs,
            new NagSuppression("NIST.800.53.R5-S3DefaultEncryptionKMS", SseS3Evidence),
            new NagSuppression("HIPAA.Security-S3DefaultEncryptionKMS", SseS3Evidence),
            new NagSuppression("PCI.DSS.321-S3DefaultEncryptionKMS", SseS3Evidence));
        SuppressReplication(accessLogs);
        return accessLogs;
    }

    private const string SseS3Evidence =
        "S3 server access log delivery does not support destination buckets with SSE-KMS default encryption (AWS S3 user guide, 'Enabling Amazon S3 server access logging'), so this log bucket uses SSE-S3.";

    /// <summary>
    /// The reason no bucket replicates (HIPAA.Security-S3BucketReplicationEnabled, NIST.800.53.R5-S3BucketReplicationEnabled).
    /// </summary>
    private const string SingleRegionEvidence =
        "Single-region data by design: datasets, artifacts, checkpoints and their access logs stay in the environment's region (a regulated team's data may not leave it) until the platform offers a replica region; deletion is covered by versioning with noncurrent-version retention and by RemovalPolicy RETAIN with termination protection in production.";

    /// <summary>The replication suppressions of every bucket this construct creates, with <see cref="SingleRegionEvidence"/>.</summary>
    private static void SuppressReplication(Bucket bucket) => NagSuppressions.Add(bucket,
        new NagSuppression("HIPAA.Security-S3BucketReplicationEnabled", SingleRegionEvidence),
        new NagSuppression("NIST.800.53.R5-S3BucketReplicationEnabled", SingleRegionEvidence));

    private Bucket CreateBucket(string id, string logPrefix, RemovalPolicy removalPolicy, LifecycleRule lifecycle)
    {
        var bucket = new Bucket(this, id, new BucketProps
        {
            Encryption = BucketEncryption.KMS,
            EncryptionKey = EncryptionKey,
            BucketKeyEnabled = true,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            MinimumTLSVersion = 1.2,
            Versioned = true,
            ServerAccessLogsBucket = AccessLogs,
            ServerAccessLogsPrefix = logPrefix,
            RemovalPolicy = removalPolicy,
            LifecycleRules = [lifecycle],
        });
        SuppressReplication(bucket);
        return bucket;
    }

    /// <summary>Read training data (input channels): objects, listing, and decrypt with the key.</summary>
    public Grant GrantReadDatasets(IGrantable grantee) => Datasets.GrantRead(grantee);

    /// <summary>Upload training data (put objects, encrypt with the key); no delete.</summary>
    public Grant GrantUploadDatasets(IGrantable grantee) => Datasets.GrantPut(grantee);

    /// <summary>Read model artifacts, e.g. for evaluation or deployment.</summary>
    public Grant GrantReadArtifacts(IGrantable grantee) => Artifacts.GrantRead(grantee);

    /// <summary>Read and write model artifacts (what a training job's output needs).</summary>
    public Grant GrantReadWriteArtifacts(IGrantable grantee) => Artifacts.GrantReadWrite(grantee);

    /// <summary>Read and write checkpoints (spot training uploads and resumes from them).</summary>
    public Grant GrantReadWriteCheckpoints(IGrantable grantee) => Checkpoints.GrantReadWrite(grantee);


    private static void RequireWholeDays(PropsValidation v, string prop, Duration duration)
    {
        if (duration.IsUnresolved()) return;
        var days = duration.ToDays(new TimeConversionOptions { Integral = false });
        v.Require(days == Math.Floor(days) && days is >= 1 and <= 3650, prop, duration,
            "give a whole number of days from 1 to 3650, e.g. Duration.Days(30).");
    }
}
