// PrepareRequest: the first state of the Hugging Face training pipeline, and the parser of its failure paths.
//
// The Lambda entry point. `{ parse, cause }` events go to the cause parser (causes.mjs); every other event is an
// execution to prepare (prepare.mjs): { input, defaults: { training, tuning|null }, policy, executionName, attempt } ->
// { mode: "train"|"tune", request, summary }, or an error named "InvalidInput" whose message lists every bad field,
// the value received and what is allowed.
//
// The policy carries everything SageMaker-specific that a run-time choice changes or is checked against, computed by
// C# at synthesis (constructs/Orchestration/PrepareRequestPolicy.cs): this code holds no SageMaker tables. No
// dependency beyond Node's standard library: the folder is the Lambda asset as it is.
import { parseCause } from './causes.mjs';
import { prepare } from './prepare.mjs';

export { parseCause, prepare };

/** Lambda entry point. */
export async function handler(event) {
  return event && Object.hasOwn(event, 'parse') ? parseCause(event) : prepare(event);
}
