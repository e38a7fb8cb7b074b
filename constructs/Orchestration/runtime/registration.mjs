// prepareRegistration(): the CreateModelPackage request for what a successful run trained. C# builds the default
// request at synthesis (constructs/Registry/ModelRegistrationRequest.cs: group, serving container, content and instance
// types, approval status, static metadata) and the policy (the API limits of the members filled here, when the artifact
// is servable); this fills in only what the run decides: the artifact (ModelDataUrl), the lineage
// (CustomerMetadataProperties, MetadataProperties.GeneratedBy), the model card the SDK's estimator.register() sends, and
// an idempotency token. Pure: no AWS calls.
//
// Event: { register: { defaults, policy }, mode, job, request, summary, result, executionArn } where `job` is the .sync
// task's output (DescribeTrainingJob, or DescribeHyperParameterTuningJob whose BestTrainingJob is registered),
// `request` the request the task sent and `result` the run's output. Returns { request, summary, refusal }: `refusal` is
// { Error, Cause } when nothing can be registered (then `request` is null).
import { createHash } from 'node:crypto';
import { pythonFloat, pythonString, pythonStr } from './encoding.mjs';
import { bounded } from './errors.mjs';
import { clone, isObject } from './values.mjs';

/** The error a run ends with when its model cannot be registered (no artifact, or none SageMaker would take). */
export const REGISTRATION_REFUSED = 'RegistrationRefused';

const refuse = (cause) => ({ request: null, summary: null, refusal: { Error: REGISTRATION_REFUSED, Cause: bounded(cause, 30000) } });

/** The trained (or best) job: name, ARN, artifact, final metrics, the hyperparameters it ran with, image and channels. */
function trainedJob({ mode, job, request, result }) {
  if (mode === 'tune') {
    const best = job?.BestTrainingJob ?? {};
    const definition = request?.TrainingJobDefinition ?? {};
    const objective = best.FinalHyperParameterTuningJobObjectiveMetric;
    return {
      name: best.TrainingJobName,
      arn: best.TrainingJobArn,
      artifact: result?.bestTrainingJob?.modelArtifacts,
      // DescribeHyperParameterTuningJob reports only the objective of the best job.
      metrics: isObject(objective) ? [{ MetricName: objective.MetricName, Value: objective.Value }] : [],
      hyperParameters: { ...(definition.StaticHyperParameters ?? {}), ...(best.TunedHyperParameters ?? {}) },
      image: definition.AlgorithmSpecification?.TrainingImage,
      channels: definition.InputDataConfig ?? [],
      tuning: { name: job?.HyperParameterTuningJobName, arn: job?.HyperParameterTuningJobArn },
    };
  }
  return {
    name: job?.TrainingJobName,
    arn: job?.TrainingJobArn,
    artifact: result?.modelArtifacts,
    metrics: Array.isArray(job?.FinalMetricDataList) ? job.FinalMetricDataList : [],
    hyperParameters: request?.HyperParameters ?? {},
    image: request?.AlgorithmSpecification?.TrainingImage,
    channels: request?.InputDataConfig ?? [],
  };
}

/** Whether the artifact holds servable weights (policy.servableWhen; none: always). */
function servable(rule, hyperParameters) {
  if (!isObject(rule)) return true;
  const encoded = hyperParameters[rule.hyperparameter];
  if (typeof encoded !== 'string') return false;
  let value;
  try {
    value = JSON.parse(encoded); // as the training toolkit decodes it
  } catch {
    value = encoded;
  }
  // A tuned categorical value arrives as Python's str() of the value (true -> "True").
  return value === rule.equals || (typeof rule.equals !== 'string' && value === pythonStr(rule.equals));
}

/**
 * CustomerMetadataProperties: the static entries, then the run's lineage. Values SageMaker would refuse (too long, or
 * characters outside the API's set) and entries beyond its count are left out and named in `omittedLineage`.
 */
function metadata(policy, entries) {
  const limits = policy.limits;
  const valuePattern = new RegExp(`^${policy.metadataValueCharacters}*$`, 'u');
  const out = { ...(policy.customerMetadata ?? {}) };
  const kept = [];
  const omitted = [];
  for (const [key, raw] of entries) {
    if (raw === undefined || raw === null) continue;
    const value = typeof raw === 'number' ? pythonStr(raw) : String(raw);
    const fits = key.length <= limits.metadataKeyLength && valuePattern.test(key)
      && value.length >= 1 && value.length <= limits.metadataValueLength && valuePattern.test(value);
    (fits ? kept : omitted).push([key, value]);
  }
  // Synthesis checked that the static entries and the lineage the job can produce fit SageMaker's count; if a run
  // still reports more, the last entries give way (one place is kept for omittedLineage).
  const room = limits.metadataEntries - Object.keys(out).length;
  while (kept.length > room || (omitted.length > 0 && kept.length > room - 1)) omitted.push(kept.pop());
  for (const [key, value] of kept) out[key] = value;
  if (omitted.length > 0) {
    const names = omitted.map(([key]) => key).filter((k) => valuePattern.test(k));
    let list = names.join(' ');
    if (list.length > limits.metadataValueLength) list = list.slice(0, limits.metadataValueLength);
    out.omittedLineage = list.trim() || 'unnamed';
  }
  return out;
}

/** The model card SDK v2.257.6 estimator.register() sends (model_card.py lines 939-976; session.py lines 7861-7868). */
function modelCard(trained, limit) {
  // FinalMetricDataList values are floats: Python writes 27.0 where JSON.stringify writes 27.
  const metrics = trained.metrics
    .filter((m) => isObject(m) && typeof m.MetricName === 'string' && typeof m.Value === 'number' && Number.isFinite(m.Value));
  const content = (hyperParameters) => `{"training_details": {"training_job_details": {"training_arn": ${pythonString(trained.arn)}, `
    + `"training_datasets": [], "training_environment": {"container_image": [${pythonString(trained.image)}]}, `
    + `"training_metrics": [${metrics.map((m) => `{"name": ${pythonString(m.MetricName)}, "value": ${pythonFloat(m.Value)}}`).join(', ')}], `
    + `"user_provided_training_metrics": [], "hyper_parameters": [${Object.entries(hyperParameters).map(([name, value]) => `{"name": ${pythonString(name)}, "value": ${pythonString(String(value))}}`).join(', ')}], `
    + '"user_provided_hyper_parameters": []}}}';
  const full = content(trained.hyperParameters);
  if (full.length <= limit) return { ModelCardStatus: 'Draft', ModelCardContent: full };
  // Up to 100 hyperparameters of 2,500 characters each can exceed the card's limit: keep the card without them.
  const short = content({});
  return short.length <= limit ? { ModelCardStatus: 'Draft', ModelCardContent: short } : null;
}

/** Builds the CreateModelPackage request (see the module comment). */
export function prepareRegistration(event) {
  const { register, mode, executionArn } = event ?? {};
  const defaults = register?.defaults;
  const policy = register?.policy;
  if (!isObject(defaults) || !isObject(policy)) {
    throw new Error('PrepareRegistration was invoked without its defaults/policy: the state machine definition is broken.');
  }
  const trained = trainedJob(event);
  const artifact = trained.artifact;
  if (typeof artifact !== 'string' || !/^s3:\/\/[^/]+\/.+/.test(artifact) || artifact.length > policy.limits.modelDataUrlLength) {
    return refuse(`The ${mode === 'tune' ? 'best training job' : 'training job'} ${trained.name ?? '(unnamed)'} completed without a model artifact `
      + `SageMaker can register (ModelArtifacts.S3ModelArtifacts: ${JSON.stringify(artifact ?? null)}); nothing was registered.`);
  }
  if (typeof trained.name !== 'string' || typeof trained.arn !== 'string') {
    return refuse(`The run completed without the trained job's name and ARN (${JSON.stringify({ name: trained.name ?? null, arn: trained.arn ?? null })}); nothing was registered.`);
  }

  const request = clone(defaults);
  const canServe = servable(policy.servableWhen, trained.hyperParameters);
  if (canServe) {
    // ModelDataUrl after Environment, where the SDK's container_def writes it (session.py lines 8230-8239).
    request.InferenceSpecification.Containers = request.InferenceSpecification.Containers.map((container) => {
      const { Image, Environment, ...rest } = container;
      return { Image, Environment, ModelDataUrl: artifact, ...rest };
    });
  } else {
    delete request.InferenceSpecification;
    request.ModelApprovalStatus = policy.pendingApprovalStatus;
    // Synthesis checked that the reason fits the member (ModelRegistrationRequest.Problems).
    request.ModelPackageDescription = String(policy.servableWhen.otherwise).slice(0, policy.limits.descriptionLength);
  }

  const lineage = [
    ['trainingJobName', trained.name],
    ['trainingJobArn', trained.arn],
    ...(trained.tuning ? [['tuningJobName', trained.tuning.name], ['tuningJobArn', trained.tuning.arn]] : []),
    ['executionArn', executionArn],
    ['trainingImage', trained.image],
    ['modelDataUrl', artifact],
    ...(isObject(policy.servableWhen) ? [['servable', canServe ? 'true' : 'false']] : []),
    ...trained.channels.map((c) => [`channel:${c.ChannelName}`, c.DataSource?.S3DataSource?.S3Uri]),
    ...trained.metrics.filter(isObject).map((m) => [`metric:${m.MetricName}`, m.Value]),
  ];
  request.CustomerMetadataProperties = metadata(policy, lineage);
  request.MetadataProperties = { ...(request.MetadataProperties ?? {}), GeneratedBy: String(executionArn ?? '') };
  const card = modelCard(trained, policy.limits.modelCardContentLength);
  if (card) request.ModelCard = card;
  // Deterministic, so a retried call (throttling) cannot register the same job twice.
  request.ClientToken = createHash('sha256').update(`${executionArn}|${trained.arn}`).digest('hex').slice(0, policy.limits.clientTokenLength);

  return {
    request,
    summary: {
      jobName: trained.name,
      modelArtifacts: artifact,
      servable: canServe,
      approvalStatus: request.ModelApprovalStatus,
      modelPackageGroupName: request.ModelPackageGroupName,
    },
    refusal: null,
  };
}
