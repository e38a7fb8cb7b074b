using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Sagemaker;
using Constructs;
using HfSageMaker.Constructs.Internal;

namespace HfSageMaker.Constructs.Registry;

/// <summary>
/// A SageMaker Model Registry model package group (<c>AWS::SageMaker::ModelPackageGroup</c>): the versioned home of a
/// recipe's trained models. The training pipeline registers a version in it after every successful run
/// (<c>HuggingFaceTrainingPipelineProps.ModelPackageGroup</c>); approvers approve or reject versions
/// (<see cref="GrantApprove"/>). Retained on stack deletion by default. Existing groups:
/// <see cref="FromModelPackageGroupName"/>.
/// </summary>
public sealed partial class ModelPackageGroup : Construct, IModelPackageGroup
{
    /// <summary>The longest name SageMaker takes (<c>EntityName</c> in the API model).</summary>
    public const int MaxNameLength = 63;

    /// <summary>The characters <see cref="NameUniqueToStack"/> appends: a hyphen and the first 8 hex digits of the
    /// stack's UUID.</summary>
    public const int StackSuffixLength = 9;

    /// <summary>The L1 resource.</summary>
    public CfnModelPackageGroup Resource { get; }

    /// <inheritdoc />
    public string ModelPackageGroupName { get; }

    /// <inheritdoc />
    public string ModelPackageGroupArn { get; }

    /// <inheritdoc />
    public string ModelPackagesArn { get; }

    /// <summary>Creates the group.</summary>
    /// <exception cref="ArgumentException">The name or the description is invalid; every problem in one message.</exception>
    public ModelPackageGroup(Construct scope, string id, ModelPackageGroupProps? props = null) : base(scope, id)
    {
        props ??= new ModelPackageGroupProps();
        var validation = new PropsValidation(this, nameof(ModelPackageGroupProps));
        if (props.ModelPackageGroupName is { } given && !PropsValidation.IsToken(given))
            validation.Require(NamePattern().IsMatch(given), nameof(ModelPackageGroupProps.ModelPackageGroupName), given,
                $"give 1 to {MaxNameLength} characters [a-zA-Z0-9](-*[a-zA-Z0-9])* (SageMaker's EntityName).");
        if (props.Description is { } description && !PropsValidation.IsToken(description))
            validation.Require(description.Length <= 1024, nameof(ModelPackageGroupProps.Description), description,
                $"give at most 1024 characters (it has {description.Length}).");
        validation.ThrowIfAny();

        var name = props.ModelPackageGroupName ?? NameUniqueToStack(this,
            Names.UniqueResourceName(this, new UniqueResourceNameOptions { MaxLength = MaxNameLength - StackSuffixLength, Separator = "-" }).ToLowerInvariant());
        Resource = new CfnModelPackageGroup(this, "Resource", new CfnModelPackageGroupProps
        {
            ModelPackageGroupName = name,
            ModelPackageGroupDescription = props.Description,
        });
        Resource.ApplyRemovalPolicy(props.RemovalPolicy ?? RemovalPolicy.RETAIN);
        // The name as given (Ref returns the ARN and no attribute returns the name); users of the name that must wait
        // for the group depend on Resource (the pipeline's state machine does).
        ModelPackageGroupName = name;
        ModelPackageGroupArn = Resource.AttrModelPackageGroupArn;
        ModelPackagesArn = PackagesArn(this, ModelPackageGroupName);
    }

    /// <summary>
    /// Imports an existing group of this stack's account and region by name (another stack's group, or one made with
    /// the SDK's <c>register(model_package_group_name=...)</c>), e.g. to register a team's runs into it.
    /// </summary>
    /// <param name="scope">Parent construct.</param>
    /// <param name="id">Construct id.</param>
    /// <param name="modelPackageGroupName">The group's name (not its ARN).</param>
    /// <returns>The group.</returns>
    /// <exception cref="ArgumentException">The name is not a SageMaker entity name.</exception>
    public static IModelPackageGroup FromModelPackageGroupName(Construct scope, string id, string modelPackageGroupName)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (modelPackageGroupName is null || (!PropsValidation.IsToken(modelPackageGroupName) && !NamePattern().IsMatch(modelPackageGroupName)))
            throw new ArgumentException(
                $"Invalid ModelPackageGroup.FromModelPackageGroupName for '{scope.Node.Path}/{id}':\n - modelPackageGroupName is '{modelPackageGroupName}'; "
                + $"give the group's name (not its ARN), 1 to {MaxNameLength} characters [a-zA-Z0-9](-*[a-zA-Z0-9])*.", nameof(modelPackageGroupName));
        return new ImportedModelPackageGroup(scope, id, modelPackageGroupName);
    }

    /// <summary>
    /// <paramref name="prefix"/>, a hyphen and the first 8 hex digits of the stack's UUID (the last part of
    /// <c>AWS::StackId</c>): a name that stays the same for every update of the stack and differs for every creation,
    /// so that a stack deleted with its group retained can be created again (a second group with a fixed name would
    /// fail with "already exists"). The prefix is at most <see cref="MaxNameLength"/> - <see cref="StackSuffixLength"/>
    /// characters.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix is too long or not of the name's alphabet.</exception>
    public static string NameUniqueToStack(Construct scope, string prefix)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (prefix is null || (!PropsValidation.IsToken(prefix) && (prefix.Length > MaxNameLength - StackSuffixLength || !NamePattern().IsMatch(prefix))))
            throw new ArgumentException(
                $"ModelPackageGroup.NameUniqueToStack: prefix is '{prefix}'; give 1 to {MaxNameLength - StackSuffixLength} characters [a-zA-Z0-9](-*[a-zA-Z0-9])* "
                + "(the stack suffix takes the rest of SageMaker's 63).", nameof(prefix));
        var stackId = Stack.Of(scope).StackId;
        var uuid = Fn.Select(2, Fn.Split("/", stackId));
        return Fn.Join("-", [prefix, Fn.Select(0, Fn.Split("-", uuid))]);
    }

    /// <inheritdoc />
    public Grant GrantRegister(IGrantable grantee, IReadOnlyCollection<ModelApprovalStatus> approvalStatuses) =>
        ModelPackageGroupGrants.Register(this, grantee, approvalStatuses);

    /// <inheritdoc />
    public Grant GrantRead(IGrantable grantee) => ModelPackageGroupGrants.Read(this, grantee);

    /// <inheritdoc />
    public Grant GrantApprove(IGrantable grantee) => ModelPackageGroupGrants.Approve(this, grantee);

    /// <summary>The ARN pattern of the versions of the group named <paramref name="name"/> in the stack of <paramref name="scope"/>.</summary>
    internal static string PackagesArn(IConstruct scope, string name) =>
        Stack.Of(scope).FormatArn(new ArnComponents { Service = "sagemaker", Resource = "model-package", ResourceName = $"{name}/*" });

    [GeneratedRegex(@"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\z")]
    private static partial Regex NamePattern();
}
