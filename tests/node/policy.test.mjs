// Policy over every synthesized stack of every environment ($HF_CDK_OUT, else cdk.out):
//  - cdk-nag AwsSolutions, HIPAA Security and NIST 800-53 rev 5 (the packs regulated platform teams run): zero
//    unsuppressed errors AND warnings. AwsSolutions has 17 warning-level rules, and of the resource types this platform
//    creates only VPC3 (network ACLs) can fire; every warning must therefore be either fixed or suppressed on the
//    resource with a reason, so nothing is waved through silently.
//  - Every suppression is reasoned (>= 20 characters, not a placeholder), IAM4/IAM5 ones name their findings in
//    applies_to, and no suppression is stale (each one, and each applies_to entry, suppresses a real finding).
//  - The product's own checks (lib/policy-checks.mjs) where no AwsSolutions rule exists.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { listStacks, readTemplate } from './lib/cdk-out.mjs';
import { PACKS, formatFinding, packOf, runNag } from './lib/nag.mjs';
import {
  checkBuckets, checkDefaultSecurityGroupsRestricted, checkLogGroupsEncrypted, checkNoFullAccessPolicies, checkServiceTrustConfusedDeputy, checkNoOpenIngress,
  checkPassRole, checkStudioDomainsVpcOnly, checkStudioSecurityGroupPorts, checkSuppressions, suppressionsOf,
} from './lib/policy-checks.mjs';
import { writeResult } from './lib/results.mjs';

let stacks = [];
let loadError;
try {
  stacks = listStacks();
} catch (e) {
  loadError = e;
}

test('the cloud assembly holds the stacks to check', () => {
  if (loadError) throw loadError;
  assert.ok(stacks.length > 0);
});

const nagResults = new Map();
function nagOf(stack) {
  if (!nagResults.has(stack.id)) nagResults.set(stack.id, runNag(stack.templateFile));
  return nagResults.get(stack.id);
}

function assertNoProblems(t, problems, what) {
  for (const p of problems) t.diagnostic(p);
  assert.equal(problems.length, 0, `${problems.length} ${what}:\n${problems.join('\n')}`);
}

for (const stack of stacks) {
  const template = readTemplate(stack);

  for (const pack of Object.keys(PACKS)) {
    test(`${stack.name}: ${pack} reports no unsuppressed error or warning`, (t) => {
      const r = nagOf(stack);
      const mine = (f) => packOf(f.ruleId) === pack;
      const unsuppressed = [...r.errors, ...r.warnings, ...r.ruleFailures].filter(mine);
      for (const f of r.suppressed.filter(mine)) t.diagnostic(`suppressed: ${formatFinding(stack.name, f)}`);
      for (const f of r.infos.filter(mine)) t.diagnostic(`info: ${formatFinding(stack.name, f)}`);
      const lines = unsuppressed.map((f) => `${f.level}: ${formatFinding(stack.name, f)}`);
      assertNoProblems(t, lines, `unsuppressed ${pack} finding(s) in ${stack.name}`);
    });
  }

  test(`${stack.name}: every suppression is on its resource, reasoned, exact and in use`, (t) => {
    const problems = checkSuppressions(template);
    const suppressed = nagOf(stack).suppressed;
    for (const s of suppressionsOf(template)) {
      if (!packOf(s.id)) continue; // a pack the suite does not run (e.g. PCI.DSS.321 for a function outside a VPC)
      const hits = suppressed.filter((f) => f.logicalId === s.logicalId && f.ruleId === s.id);
      if (hits.length === 0) {
        problems.push(`${s.logicalId} suppression '${s.id}' suppresses nothing: the finding is gone, remove the suppression.`);
      } else if (Array.isArray(s.appliesTo)) {
        for (const a of s.appliesTo) {
          if (typeof a === 'string' && !hits.some((f) => f.findingId === a)) {
            problems.push(`${s.logicalId} suppression '${s.id}' applies_to '${a}' matches no finding (found: ${hits.map((f) => f.findingId).join(', ')}).`);
          }
        }
      }
    }
    assertNoProblems(t, problems, 'suppression problems');
  });

  test(`${stack.name}: Studio domains are VPC-only`, (t) => assertNoProblems(t, checkStudioDomainsVpcOnly(template), 'Studio domains'));
  test(`${stack.name}: no security group allows ingress from 0.0.0.0/0 or ::/0`, (t) => assertNoProblems(t, checkNoOpenIngress(template), 'open ingress'));
  test(`${stack.name}: the Studio security group allows from itself exactly NFS and the app ports AWS documents (TCP 2049, 8192-65535)`,
    (t) => assertNoProblems(t, checkStudioSecurityGroupPorts(template), 'Studio security group rules'));
  test(`${stack.name}: every VPC's default security group is stripped of its rules`,
    (t) => assertNoProblems(t, checkDefaultSecurityGroupsRestricted(template), 'default security groups'));
  test(`${stack.name}: every bucket is KMS-encrypted, SSL-only, versioned and logs access (SSE-S3 only for the access-log bucket)`,
    (t) => assertNoProblems(t, checkBuckets(template), 'buckets'));
  test(`${stack.name}: iam:PassRole names its roles and carries iam:PassedToService`, (t) => assertNoProblems(t, checkPassRole(template), 'iam:PassRole'));
  test(`${stack.name}: every log group is KMS-encrypted with a key CloudWatch Logs may use`,
    (t) => assertNoProblems(t, checkLogGroupsEncrypted(template), 'log groups'));
  test(`${stack.name}: SageMaker, Step Functions and VPC Flow Logs may assume roles only on behalf of this account`,
    (t) => assertNoProblems(t, checkServiceTrustConfusedDeputy(template), 'trust policies'));
  test(`${stack.name}: no *FullAccess managed policy`, (t) => assertNoProblems(t, checkNoFullAccessPolicies(template), 'managed policies'));
}

test('the product checks are not vacuous: the stacks contain a Studio domain, buckets and IAM policies', () => {
  if (loadError) throw loadError;
  const count = (type) => stacks.reduce((n, s) => n + Object.values(readTemplate(s).Resources ?? {}).filter((r) => r.Type === type).length, 0);
  assert.ok(count('AWS::SageMaker::Domain') > 0, 'no AWS::SageMaker::Domain in any stack: the VpcOnly check checked nothing');
  assert.ok(count('AWS::S3::Bucket') > 0, 'no AWS::S3::Bucket in any stack: the bucket checks checked nothing');
  assert.ok(count('AWS::IAM::Role') > 0, 'no AWS::IAM::Role in any stack: the IAM checks checked nothing');
  assert.ok(count('AWS::Logs::LogGroup') > 0, 'no AWS::Logs::LogGroup in any stack: the log encryption check checked nothing');
});

// Machine-readable findings for reviewers and CI artifacts.
after(() => {
  if (loadError) return;
  writeResult('nag.json', stacks.map((s) => {
    const r = nagOf(s);
    return { stack: s.name, errors: r.errors, warnings: r.warnings, ruleFailures: r.ruleFailures, suppressed: r.suppressed };
  }));
});
