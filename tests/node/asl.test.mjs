// Conformance of every state machine of every synthesized stack:
//  - the definition (rendered with realistic placeholder ARNs for Refs/GetAtts) passes asl-validator 3.9.0;
//  - every SageMaker request it can send validates against the SageMaker API model (static parts only; run-time
//    values are reported, and "required member missing" errors for members filled at run time are explained).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { stateMachineDefinitions } from './lib/intrinsics.mjs';
import { sagemakerRequests, triageErrors } from './lib/state-machines.mjs';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator');
const apiModelUrl = new URL('./lib/sagemaker-api-model.mjs', import.meta.url);

let machines = [];
let loadError;
try {
  machines = listStacks().flatMap((stack) =>
    stateMachineDefinitions(readTemplate(stack), { stackName: stack.name, account: stack.environment.account, region: stack.environment.region })
      .map((d) => ({ stack: stack.name, ...d })));
} catch (e) {
  loadError = e;
}

test('the synthesized stacks define state machines to check', () => {
  if (loadError) throw loadError;
  assert.ok(machines.length > 0, 'no AWS::StepFunctions::StateMachine in any stack');
});

for (const m of machines) {
  test(`${m.stack} ${m.logicalId}: the definition passes asl-validator`, (t) => {
    assert.equal(m.skipped, undefined, m.skipped);
    const definition = JSON.parse(m.text);
    const { isValid, errors } = aslValidator(definition, { checkPaths: true, checkArn: true });
    for (const e of errors) t.diagnostic(JSON.stringify(e));
    assert.ok(isValid, `asl-validator: ${JSON.stringify(errors, null, 1)}`);
  });
}

test('every SageMaker request in the state machines validates against the SageMaker API model', async (t) => {
  if (loadError) throw loadError;
  const requests = machines.filter((m) => !m.skipped).flatMap((m) =>
    sagemakerRequests(JSON.parse(m.text)).map((r) => ({ ...r, where: `${m.stack} ${m.logicalId} ${r.state}` })));
  assert.ok(requests.length > 0, 'no state machine sends CreateTrainingJob or CreateHyperParameterTuningJob: nothing was checked');
  assert.ok(existsSync(apiModelUrl), 'tests/node/lib/sagemaker-api-model.mjs is missing: it comes with the SageMaker request builder ' +
    '(validateRequest(operationName, request) -> string[]); merge that branch before this check can run.');
  const { validateRequest } = await import(apiModelUrl.href);
  const problems = [];
  for (const r of requests) {
    const { problems: p, explained } = triageErrors(validateRequest(r.operation, r.request), r);
    t.diagnostic(`${r.where}: ${r.operation} (${r.source}${r.partial ? ', partial' : ''}): ${Object.keys(r.request).length} static members checked; ` +
      `run-time: ${r.runtime.join(', ') || 'none'}; ${explained.length} error(s) explained by run-time values`);
    for (const e of explained) t.diagnostic(`  explained: ${e}`);
    problems.push(...p.map((e) => `${r.where}: ${e}`));
  }
  for (const p of problems) t.diagnostic(p);
  assert.equal(problems.length, 0, problems.join('\n'));
});
