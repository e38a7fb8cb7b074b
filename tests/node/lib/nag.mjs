// Runs cdk-nag's packs (AwsSolutions, HIPAA Security, NIST 800-53 rev 5) over a synthesized CloudFormation template
// from Node, with the aws-cdk-lib and cdk-nag of package.json (the newest aws-cdk-lib on npm: what AwsSolutions-L1
// calls the latest Lambda runtime is its Runtime list).
// The NuGet cdk-nag package cannot be used from the C# app, so the C# templates are loaded with CfnInclude into a
// Node CDK stack (LegacyStackSynthesizer: no bootstrap parameters or rules of its own) and the pack runs as an Aspect.
// cdk-nag 2.x reads suppressions from each resource's metadata `cdk_nag.rules_to_suppress`, which CfnInclude keeps,
// so suppressions written by the C# NagSuppressions.Add are honoured. Stack-level suppressions are not carried over.
// cdk-nag stays on its newest 2.x: 3.x runs as a CDK policy-validation plugin that reads acknowledgments from the
// construct tree (Validations.of(...).acknowledge) and no longer reads this metadata, which the library writes for
// the cdk-nag 2.x its consumers run.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { App, Aspects, Stack, LegacyStackSynthesizer } = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } = require('cdk-nag');

/** The packs the suite runs: rule-id prefix to pack class. */
export const PACKS = Object.freeze({
  AwsSolutions: AwsSolutionsChecks,
  'HIPAA.Security': HIPAASecurityChecks,
  'NIST.800.53.R5': NIST80053R5Checks,
});

/** The pack a rule id belongs to ('AwsSolutions-IAM5' -> 'AwsSolutions'), or undefined for a pack the suite does not run. */
export function packOf(ruleId) {
  return Object.keys(PACKS).find((p) => typeof ruleId === 'string' && ruleId.startsWith(`${p}-`));
}

function describe(data) {
  const resource = data.resource;
  return {
    ruleId: data.ruleId,
    level: data.ruleLevel, // 'Error' | 'Warning' | 'Info'
    logicalId: resource.node.id, // CfnInclude keeps the template's logical id as the construct id
    resourceType: resource.cfnResourceType,
    findingId: data.findingId ?? '',
    info: data.ruleInfo,
  };
}

/** A cdk-nag logger that records every outcome instead of writing annotations. */
class CapturingLogger {
  constructor() {
    this.errors = [];
    this.warnings = [];
    this.infos = [];
    this.suppressed = [];
    this.ruleFailures = []; // a rule threw while checking a resource (unresolvable value): a finding in itself
  }
  onCompliance() {}
  onNotApplicable() {}
  onNonCompliance(data) {
    const f = describe(data);
    (f.level === 'Error' ? this.errors : f.level === 'Warning' ? this.warnings : this.infos).push(f);
  }
  onSuppressed(data) {
    this.suppressed.push({ ...describe(data), reason: data.suppressionReason });
  }
  onError(data) {
    this.ruleFailures.push({ ...describe(data), error: data.errorMessage });
  }
  onSuppressedError(data) {
    this.suppressed.push({ ...describe(data), reason: data.errorSuppressionReason, error: data.errorMessage });
  }
}

/**
 * Runs the given packs over one template file in one synthesis.
 * @param {string} templateFile path to a CloudFormation JSON template
 * @param {string[]} packs keys of PACKS (default: all of them)
 * @returns {{errors, warnings, infos, suppressed, ruleFailures}} each an array of
 *   { ruleId, level, logicalId, resourceType, findingId, info, reason?, error? }
 */
export function runNag(templateFile, packs = Object.keys(PACKS)) {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'nag-'));
  try {
    // No built-in CloudFormation validation of aws-cdk-lib (2.27x): cfn-lint checks the templates (scripts/cfn-lint.sh).
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Nag', { synthesizer: new LegacyStackSynthesizer() });
    new CfnInclude(stack, 'Template', { templateFile });
    const logger = new CapturingLogger();
    for (const pack of packs) {
      Aspects.of(app).add(new PACKS[pack]({ verbose: true, reports: false, additionalLoggers: [logger] }));
    }
    app.synth();
    return {
      errors: logger.errors,
      warnings: logger.warnings,
      infos: logger.infos,
      suppressed: logger.suppressed,
      ruleFailures: logger.ruleFailures,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Runs AwsSolutions alone over one template file (see runNag). */
export function runAwsSolutions(templateFile) {
  return runNag(templateFile, ['AwsSolutions']);
}

/** One line per finding, for test output. */
export function formatFinding(stackName, f) {
  const finding = f.findingId ? `[${f.findingId}]` : '';
  const extra = f.error ? ` (rule failed: ${f.error})` : f.reason ? ` (suppressed: ${f.reason})` : '';
  return `${stackName} ${f.logicalId} (${f.resourceType}) ${f.ruleId}${finding}: ${f.info}${extra}`;
}
