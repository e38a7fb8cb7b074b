// PrepareRequest: the first state of the Hugging Face training pipeline, and the parser of its failure paths.
//
// The Lambda entry point. `{ parse, cause }` events go to the cause parser (causes.mjs), `{ register, ... }` events to
// the model registration (registration.mjs: the CreateModelPackage request after a successful run); every other event
// is an execution to prepare (prepare.mjs): { input, defaults: { training, tuning|null }, policy, executionName, attempt } ->
// { mode: "train"|"tune", request, summary }, or an error named "InvalidInput" whose message lists every bad field,
// the value received and what is allowed.
//
// The policy carries everything SageMaker-specific that a run-time choice changes or is checked against, computed by
// C# at synthesis (constructs/Orchestration/PrepareRequestPolicy.cs): this code holds no SageMaker tables. No
// dependency beyond Node's standard library: the folder is the Lambda asset as it is.
import { parseCause } from './causes.mjs';
import { prepare } from './prepare.mjs';
import { prepareRegistration } from './registration.mjs';

export { parseCause, prepare, prepareRegistration };

/** Lambda entry point. */
export async function handler(event) {
  if (event && Object.hasOwn(event, 'parse')) return parseCause(event);
  if (event && Object.hasOwn(event, 'register')) return prepareRegistration(event);
  return prepare(event);
}
