// CloudFormation and Step Functions size limits, measured per synthesized stack.
// Sources: CloudFormation quotas (resources 500, parameters 200, outputs 200, mappings 200 per template,
// template body 1 MB when uploaded to S3 (51,200 bytes when passed inline; `cdk deploy` uploads larger templates to
// the bootstrap bucket, so the S3 limit applies) and the Step Functions state machine definition limit (1 MB).
// The product keeps every figure under HALF of its limit so that it has room to grow.
import { readFileSync } from 'node:fs';
import { stateMachineDefinitions } from './intrinsics.mjs';

export const LIMITS = Object.freeze({
  resources: 500,
  parameters: 200,
  outputs: 200,
  mappings: 200,
  templateBytes: 1_000_000,
  stateMachineDefinitionBytes: 1_000_000,
});

/** The share of each limit the product may use. */
export const HEADROOM = 0.5;

/**
 * Measures one stack. templateFile is read as bytes (CDK writes indented JSON, which is larger than the minified body:
 * the larger, conservative figure is the one checked).
 */
export function measureStack(stack) {
  const body = readFileSync(stack.templateFile);
  const template = JSON.parse(body.toString('utf8'));
  const env = { stackName: stack.name, account: stack.environment?.account, region: stack.environment?.region };
  const stateMachines = stateMachineDefinitions(template, env).map((d) =>
    d.text !== undefined
      ? { logicalId: d.logicalId, definitionBytes: Buffer.byteLength(d.text, 'utf8') }
      : { logicalId: d.logicalId, skipped: d.skipped });
  return {
    stack: stack.name,
    resources: Object.keys(template.Resources ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    mappings: Object.keys(template.Mappings ?? {}).length,
    templateBytes: body.length,
    minifiedTemplateBytes: Buffer.byteLength(JSON.stringify(template), 'utf8'),
    stateMachines,
  };
}

/** Every figure of a measurement above HEADROOM of its limit, as messages. */
export function overHalf(m) {
  const problems = [];
  for (const key of ['resources', 'parameters', 'outputs', 'mappings', 'templateBytes']) {
    const allowed = LIMITS[key] * HEADROOM;
    if (m[key] > allowed) {
      problems.push(`${m.stack}: ${key} = ${m[key]} is above ${HEADROOM * 100}% of the limit ${LIMITS[key]} (allowed ${allowed}).`);
    }
  }
  for (const sm of m.stateMachines) {
    if (sm.skipped) {
      problems.push(`${m.stack}: state machine ${sm.logicalId} could not be measured: ${sm.skipped}.`);
      continue;
    }
    const allowed = LIMITS.stateMachineDefinitionBytes * HEADROOM;
    if (sm.definitionBytes > allowed) {
      problems.push(`${m.stack}: state machine ${sm.logicalId} definition = ${sm.definitionBytes} bytes is above ${HEADROOM * 100}% of the limit ${LIMITS.stateMachineDefinitionBytes} (allowed ${allowed}).`);
    }
  }
  return problems;
}

function pct(value, limit) {
  return `${((100 * value) / limit).toFixed(1)}%`;
}

/** A text table of measurements with each figure's share of its limit. */
export function formatTable(measurements) {
  const rows = [['stack', 'resources', 'params', 'outputs', 'mappings', 'template bytes', 'state machine definitions (bytes)']];
  for (const m of measurements) {
    rows.push([
      m.stack,
      `${m.resources} (${pct(m.resources, LIMITS.resources)})`,
      `${m.parameters}`,
      `${m.outputs}`,
      `${m.mappings}`,
      `${m.templateBytes} (${pct(m.templateBytes, LIMITS.templateBytes)})`,
      m.stateMachines.map((s) => (s.skipped ? `${s.logicalId}: skipped` : `${s.logicalId}: ${s.definitionBytes} (${pct(s.definitionBytes, LIMITS.stateMachineDefinitionBytes)})`)).join(', ') || '-',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}
