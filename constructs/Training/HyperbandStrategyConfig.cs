namespace HfSageMaker.Constructs.Training;

/// <summary>
/// Hyperband's resource bounds (<c>sagemaker.tuner.HyperbandStrategyConfig</c>, sent as
/// <c>StrategyConfig.HyperbandStrategyConfig</c>, <c>tuner.py</c> <c>HyperbandStrategyConfig.to_input_req</c>).
/// A resource is usually an epoch: the script must report the objective metric after each one.
/// </summary>
/// <param name="MinResource">Resources (epochs) a job may use before Hyperband may stop it, 1-20000. Default: not sent
/// (SageMaker's default, 1).</param>
/// <param name="MaxResource">Resources (epochs) after which a job is stopped, 1-20000. Default: not sent, so SageMaker
/// infers it from a static hyperparameter named <c>epochs</c>, <c>numepochs</c>, <c>n-epochs</c>, <c>n_epochs</c> or
/// <c>num_epochs</c> and rejects the job when there is none (checked at synthesis).</param>
public sealed record HyperbandStrategyConfig(int? MinResource = null, int? MaxResource = null);
