// EnableInterContainerTrafficEncryption follows a run-time instance count exactly as the C# TrainingRequestBuilder
// decides it at synthesis (no explicit EncryptInterContainerTraffic, no distribution: sent when more than one instance
// runs). Uses the policy and default requests of the synthesized translation pipeline, so the flag the C# side embeds
// and the Node handler that reads it are tested together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizedDefinition } from '../lib/synthesized.mjs';
import { prepare } from '../../../constructs/Orchestration/runtime/prepare-request.mjs';
import { event, policy } from '../state-machine/fixtures.mjs';

function synthesizedPayload() {
  return synthesizedDefinition('translation-pipeline.template.json').States.PrepareRequest.Parameters.Payload;
}

test('the synthesized pipeline (one instance, no distribution) keeps one instance; where more may run, traffic is encrypted exactly then', () => {
  const { policy: synthesized, defaults } = synthesizedPayload();
  assert.equal(synthesized.encryptTrafficWhenMultiInstance, true);
  assert.equal(defaults.training.ResourceConfig.InstanceCount, 1);
  assert.equal('EnableInterContainerTrafficEncryption' in defaults.training, false);
  // Without a launcher every instance would train its own copy: the policy allows one, and says why.
  assert.equal(synthesized.instanceCount.max, 1);
  assert.match(synthesized.instanceCount.why, /no distribution/);
  assert.throws(() => prepare({ input: { instanceCount: 2 }, defaults, policy: synthesized, executionName: 'run-1' }), /instanceCount: 2 is not allowed; allowed: an integer from 1 to 1 \(this recipe runs no distribution/);
  // A job built for several instances without a distribution (C# then allows up to MaxInstanceCount) keeps the flag.
  const several = { ...synthesized, instanceCount: { max: 2 } };
  const run = (input) => prepare({ input, defaults, policy: several, executionName: 'run-1' }).request;
  assert.equal('EnableInterContainerTrafficEncryption' in run({}), false);
  assert.equal(run({ instanceCount: 2 }).EnableInterContainerTrafficEncryption, true);
  assert.equal(run({ mode: 'tune', instanceCount: 2 }).TrainingJobDefinition.EnableInterContainerTrafficEncryption, true);
  assert.equal('EnableInterContainerTrafficEncryption' in run({ mode: 'tune', instanceCount: 1 }).TrainingJobDefinition, false);
});

test('without the flag (an explicit setting or a distribution decided it at synthesis) the count leaves the request alone', () => {
  const two = prepare(event({ instanceCount: 2 }, { policy })).request;
  assert.equal('EnableInterContainerTrafficEncryption' in two, false);
  const base = event({ instanceCount: 1 }, { policy });
  base.defaults.training.EnableInterContainerTrafficEncryption = true; // e.g. a torchrun recipe
  assert.equal(prepare(base).request.EnableInterContainerTrafficEncryption, true);
});
