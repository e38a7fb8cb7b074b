// The product's own template checks, for what no cdk-nag AwsSolutions rule covers (or covers only as a warning).
// Each check takes a parsed CloudFormation template and returns a list of problems (strings naming the resource);
// an empty list means the template complies. Unit-tested on good and bad fixtures in policy-checks.test.mjs.
import { render, renderContext } from './intrinsics.mjs';

function resourcesOfType(template, ...types) {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => types.includes(r.Type));
}

const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The logical id a value refers to when it is { Ref: X } or { Fn::GetAtt: [X, ...] }, else undefined. */
function referencedId(value) {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    const ga = value['Fn::GetAtt'];
    if (Array.isArray(ga)) return ga[0];
    if (typeof ga === 'string') return ga.split('.')[0];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
/** Every SageMaker Studio domain is VPC-only: no traffic through SageMaker's public internet path. */
export function checkStudioDomainsVpcOnly(template) {
  return resourcesOfType(template, 'AWS::SageMaker::Domain')
    .filter(([, r]) => r.Properties?.AppNetworkAccessType !== 'VpcOnly')
    .map(([id, r]) => `${id}: AWS::SageMaker::Domain AppNetworkAccessType is '${r.Properties?.AppNetworkAccessType ?? '(unset: PublicInternetOnly)'}'; it must be 'VpcOnly'.`);
}

// ---------------------------------------------------------------------------------------------------------------
const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);

function openIngress(rule) {
  return [rule?.CidrIp, rule?.CidrIpv6].filter((cidr) => typeof cidr === 'string' && OPEN_CIDRS.has(cidr.trim()));
}

/** No security group allows ingress from anywhere (0.0.0.0/0 or ::/0), inline or as a separate ingress resource. */
export function checkNoOpenIngress(template) {
  const problems = [];
  for (const [id, r] of resourcesOfType(template, 'AWS::EC2::SecurityGroup')) {
    asArray(r.Properties?.SecurityGroupIngress).forEach((rule, i) => {
      for (const cidr of openIngress(rule)) problems.push(`${id}: SecurityGroupIngress[${i}] allows ingress from ${cidr}.`);
    });
  }
  for (const [id, r] of resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')) {
    for (const cidr of openIngress(r.Properties)) problems.push(`${id}: AWS::EC2::SecurityGroupIngress allows ingress from ${cidr}.`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
/**
 * The ingress rules Studio apps need between each other in a VpcOnly domain, and no others: NFS (TCP 2049) to the
 * home EFS and TCP 8192-65535 between the apps ("Connect Amazon SageMaker Studio in a VPC to External Resources",
 * https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html).
 */
export const STUDIO_SELF_RULES = Object.freeze(['tcp 2049-2049', 'tcp 8192-65535']);

const ruleText = (r) => `${String(r?.IpProtocol)} ${r?.FromPort ?? '*'}-${r?.ToPort ?? '*'}`;

/**
 * Every security group a Studio domain gives its apps (DefaultUserSettings, DefaultSpaceSettings) allows ingress only
 * from itself, and exactly STUDIO_SELF_RULES.
 */
export function checkStudioSecurityGroupPorts(template) {
  const problems = [];
  const groups = new Set();
  for (const [, d] of resourcesOfType(template, 'AWS::SageMaker::Domain')) {
    const p = d.Properties ?? {};
    for (const g of [...asArray(p.DefaultUserSettings?.SecurityGroups), ...asArray(p.DefaultSpaceSettings?.SecurityGroups)]) {
      const id = referencedId(g);
      if (id) groups.add(id);
    }
  }
  for (const id of groups) {
    const inline = asArray(template.Resources?.[id]?.Properties?.SecurityGroupIngress);
    if (inline.length) problems.push(`${id}: Studio security group has inline ingress ${inline.map(ruleText).join(', ')}; only self rules ${STUDIO_SELF_RULES.join(', ')}.`);
    const rules = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => referencedId(r.Properties?.GroupId) === id);
    for (const [rid, r] of rules) {
      if (referencedId(r.Properties?.SourceSecurityGroupId) !== id) problems.push(`${rid}: ingress to the Studio security group ${id} from another source than itself.`);
    }
    const found = rules.map(([, r]) => ruleText(r.Properties)).sort();
    if (JSON.stringify(found) !== JSON.stringify([...STUDIO_SELF_RULES])) {
      problems.push(`${id}: Studio security group self rules are [${found.join(', ')}]; AWS documents exactly [${STUDIO_SELF_RULES.join(', ')}].`);
    }
  }
  return problems;
}

/**
 * Every VPC of the template has its default security group stripped of all rules by CDK's Custom::VpcRestrictDefaultSG
 * (VpcProps.RestrictDefaultSecurityGroup) naming that VPC's DefaultSecurityGroup.
 */
export function checkDefaultSecurityGroupsRestricted(template) {
  const restricted = new Set(resourcesOfType(template, 'Custom::VpcRestrictDefaultSG')
    .map(([, r]) => r.Properties?.DefaultSecurityGroupId)
    .filter((v) => Array.isArray(v?.['Fn::GetAtt']) && v['Fn::GetAtt'][1] === 'DefaultSecurityGroup')
    .map((v) => v['Fn::GetAtt'][0]));
  return resourcesOfType(template, 'AWS::EC2::VPC').filter(([id]) => !restricted.has(id))
    .map(([id]) => `${id}: no Custom::VpcRestrictDefaultSG removes the rules of its default security group (RestrictDefaultSecurityGroup).`);
}

// ---------------------------------------------------------------------------------------------------------------
/** Logical ids of the buckets that receive S3 server access logs from another bucket of the template. */
export function accessLogDestinations(template) {
  const out = new Set();
  for (const [, r] of resourcesOfType(template, 'AWS::S3::Bucket')) {
    const dest = referencedId(r.Properties?.LoggingConfiguration?.DestinationBucketName);
    if (dest) out.add(dest);
  }
  return out;
}

function encryptionAlgorithms(bucket) {
  return asArray(bucket.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration)
    .map((rule) => rule?.ServerSideEncryptionByDefault ?? {});
}

function isFalse(v) {
  return v === false || (typeof v === 'string' && v.toLowerCase() === 'false');
}

/** True when a bucket policy statement denies every S3 action over plain HTTP. */
function deniesInsecureTransport(statement) {
  if (statement?.Effect !== 'Deny') return false;
  const actions = asArray(statement.Action);
  if (!actions.some((a) => a === 's3:*' || a === '*')) return false;
  const principal = statement.Principal;
  const everyone = principal === '*' || asArray(principal?.AWS).includes('*');
  if (!everyone) return false;
  return isFalse(statement.Condition?.Bool?.['aws:SecureTransport']);
}

/**
 * Every bucket is KMS-encrypted with a customer key, SSL-only (bucket policy denies aws:SecureTransport=false),
 * versioned and writes server access logs. The one exception is the access-log bucket: S3 server access logging
 * cannot deliver to a bucket whose default encryption is SSE-KMS (only SSE-S3 is supported), so a bucket that is
 * the access-log destination of another bucket must use SSE-S3 (AES256), and it does not log to itself.
 */
export function checkBuckets(template) {
  const problems = [];
  const destinations = accessLogDestinations(template);
  const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy');
  for (const [id, r] of resourcesOfType(template, 'AWS::S3::Bucket')) {
    const p = r.Properties ?? {};
    const isLogBucket = destinations.has(id);
    const encryption = encryptionAlgorithms(r);
    if (encryption.length === 0) {
      problems.push(`${id}: no BucketEncryption; buckets must use SSE-KMS with a customer managed key.`);
    } else if (isLogBucket) {
      if (!encryption.every((e) => e.SSEAlgorithm === 'AES256')) {
        problems.push(`${id}: is an access-log destination and must use SSE-S3 (AES256): S3 server access logging does not deliver to SSE-KMS buckets; found ${encryption.map((e) => e.SSEAlgorithm).join(', ')}.`);
      }
    } else if (!encryption.every((e) => (e.SSEAlgorithm === 'aws:kms' || e.SSEAlgorithm === 'aws:kms:dsse') && e.KMSMasterKeyID !== undefined)) {
      problems.push(`${id}: encryption is ${encryption.map((e) => `${e.SSEAlgorithm}${e.KMSMasterKeyID === undefined ? ' without KMSMasterKeyID' : ''}`).join(', ')}; it must be aws:kms with a customer managed key (KMSMasterKeyID).`);
    }
    if (p.VersioningConfiguration?.Status !== 'Enabled') {
      problems.push(`${id}: VersioningConfiguration.Status is '${p.VersioningConfiguration?.Status ?? '(unset)'}'; it must be 'Enabled'.`);
    }
    if (!isLogBucket && !p.LoggingConfiguration?.DestinationBucketName) {
      problems.push(`${id}: no LoggingConfiguration.DestinationBucketName; every bucket except the access-log bucket logs access.`);
    }
    const sslOnly = policies.some(([, pol]) => referencedId(pol.Properties?.Bucket) === id
      && asArray(pol.Properties?.PolicyDocument?.Statement).some(deniesInsecureTransport));
    if (!sslOnly) {
      problems.push(`${id}: no AWS::S3::BucketPolicy denies s3:* to everyone when aws:SecureTransport is false.`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
/** Every IAM policy document of the template: [{ where, document }]. */
export function policyDocuments(template) {
  const out = [];
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        if (p.PolicyDocument) out.push({ where: id, document: p.PolicyDocument });
        break;
      case 'AWS::IAM::Role':
      case 'AWS::IAM::User':
      case 'AWS::IAM::Group':
        asArray(p.Policies).forEach((pol, i) => out.push({ where: `${id}.Policies[${i}](${pol.PolicyName ?? ''})`, document: pol.PolicyDocument }));
        break;
      default:
        break;
    }
  }
  return out;
}

function globMatches(pattern, action) {
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
  return re.test(action);
}

/** True when an Allow statement grants iam:PassRole (directly, by wildcard, or through NotAction). */
function grantsPassRole(statement) {
  if (statement?.Effect !== 'Allow') return false;
  if (statement.NotAction !== undefined) return !asArray(statement.NotAction).some((a) => typeof a === 'string' && globMatches(a, 'iam:PassRole'));
  return asArray(statement.Action).some((a) => typeof a === 'string' && globMatches(a, 'iam:PassRole'));
}

function hasPassedToService(condition) {
  return Object.values(condition ?? {}).some((block) => block && typeof block === 'object'
    && Object.keys(block).some((k) => k.toLowerCase() === 'iam:passedtoservice'));
}

/** Every statement granting iam:PassRole names its roles (no `*` in a resource) and has an iam:PassedToService condition. */
export function checkPassRole(template) {
  const ctx = renderContext(template);
  const problems = [];
  for (const { where, document } of policyDocuments(template)) {
    asArray(document?.Statement).forEach((st, i) => {
      if (!grantsPassRole(st)) return;
      const label = `${where} Statement[${i}]${st.Sid ? ` (${st.Sid})` : ''}`;
      if (!hasPassedToService(st.Condition)) problems.push(`${label}: grants iam:PassRole without an iam:PassedToService condition.`);
      if (st.NotResource !== undefined) problems.push(`${label}: grants iam:PassRole with NotResource; name the roles in Resource.`);
      for (const res of asArray(st.Resource)) {
        const text = String(render(ctx, res));
        if (text.includes('*')) problems.push(`${label}: grants iam:PassRole on '${text}'; name the exact role ARNs, no wildcard.`);
      }
    });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
/** No role, user or group attaches an AWS `*FullAccess` managed policy. */
export function checkNoFullAccessPolicies(template) {
  const ctx = renderContext(template);
  const problems = [];
  for (const [id, r] of resourcesOfType(template, 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group')) {
    for (const arn of asArray(r.Properties?.ManagedPolicyArns)) {
      const text = String(render(ctx, arn));
      if (/FullAccess/i.test(text)) problems.push(`${id}: attaches managed policy '${text}'; *FullAccess policies are not allowed.`);
    }
  }
  for (const [id, r] of resourcesOfType(template, 'AWS::IAM::ManagedPolicy')) {
    // A managed policy defined here attaching itself to roles is fine; one whose name claims FullAccess is suspicious.
    if (/FullAccess/i.test(String(r.Properties?.ManagedPolicyName ?? ''))) problems.push(`${id}: managed policy named '${r.Properties.ManagedPolicyName}'.`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
export const MIN_REASON_LENGTH = 20;
const PLACEHOLDER = /^\s*(todo|tbd|fixme|xxx|n\/?a|none|placeholder|reason|suppress(ed)?|ignore(d)?|temp(orary)?|lorem ipsum|test|fine|ok(ay)?|not needed|false positive)\b/i;

/** Every cdk-nag suppression written on a resource of the template: [{ logicalId, id, reason, appliesTo }]. */
export function suppressionsOf(template) {
  const out = [];
  for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
    for (const rule of asArray(r.Metadata?.cdk_nag?.rules_to_suppress)) {
      out.push({ logicalId, id: rule?.id, reason: rule?.reason, appliesTo: rule?.applies_to, encoded: rule?.is_reason_encoded === true });
    }
  }
  return out;
}

/**
 * Every suppression has a rule id, a reason of at least MIN_REASON_LENGTH characters that is not a placeholder, and,
 * for AwsSolutions-IAM5 (and IAM4), the exact findings in applies_to. Stack-level suppressions (template Metadata)
 * are refused: they do not survive CfnInclude and hide findings on every resource.
 */
export function checkSuppressions(template) {
  const problems = [];
  if (template.Metadata?.cdk_nag) problems.push('template Metadata.cdk_nag: stack-level suppressions are not allowed; suppress on the resource.');
  for (const s of suppressionsOf(template)) {
    const label = `${s.logicalId} suppression '${s.id ?? '(no id)'}'`;
    if (typeof s.id !== 'string' || s.id.trim() === '') problems.push(`${label}: has no rule id.`);
    const reason = typeof s.reason === 'string' ? (s.encoded ? Buffer.from(s.reason, 'base64').toString() : s.reason).trim() : '';
    if (reason.length < MIN_REASON_LENGTH) problems.push(`${label}: reason '${reason}' is shorter than ${MIN_REASON_LENGTH} characters; give the evidence.`);
    else if (PLACEHOLDER.test(reason) || /^(.)\1*$/.test(reason)) problems.push(`${label}: reason '${reason}' is a placeholder; give the evidence.`);
    if ((s.id === 'AwsSolutions-IAM5' || s.id === 'AwsSolutions-IAM4') && !(Array.isArray(s.appliesTo) && s.appliesTo.length > 0)) {
      problems.push(`${label}: has no applies_to; name each finding suppressed (e.g. 'Resource::*', 'Policy::arn:<AWS::Partition>:iam::aws:policy/...').`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
function actionsAllow(statement, action) {
  return asArray(statement?.Action).some((a) => typeof a === 'string' && globMatches(a, action));
}

function servicePrincipals(ctx, statement) {
  const p = statement?.Principal;
  if (!p || typeof p !== 'object') return [];
  return asArray(p.Service).map((s) => String(render(ctx, s)));
}

/** True when a key policy statement lets CloudWatch Logs (logs.<region>.amazonaws.com) encrypt with the key. */
function allowsCloudWatchLogs(ctx, statement) {
  if (statement?.Effect !== 'Allow') return false;
  if (!servicePrincipals(ctx, statement).some((s) => /^logs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(s))) return false;
  return ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'].every((a) => actionsAllow(statement, a));
}

/** True when a statement's conditions limit it with the CloudWatch Logs encryption context (the log group ARN). */
function hasLogsEncryptionContext(statement) {
  return Object.values(statement?.Condition ?? {}).some((block) => block && typeof block === 'object'
    && Object.keys(block).some((k) => k.toLowerCase() === 'kms:encryptioncontext:aws:logs:arn'));
}

/**
 * Every log group is encrypted with a customer-managed KMS key (KmsKeyId), and when that key is defined in the same
 * template its key policy lets CloudWatch Logs use it, limited by the kms:EncryptionContext:aws:logs:arn condition:
 * without that statement CloudFormation cannot create the log group (CloudWatch Logs user guide, "Encrypt log data in
 * CloudWatch Logs using AWS KMS").
 */
export function checkLogGroupsEncrypted(template) {
  const ctx = renderContext(template);
  const problems = [];
  const resources = template.Resources ?? {};
  for (const [id, r] of resourcesOfType(template, 'AWS::Logs::LogGroup')) {
    const keyRef = r.Properties?.KmsKeyId;
    if (keyRef === undefined) {
      problems.push(`${id}: AWS::Logs::LogGroup has no KmsKeyId; encrypt every log group with a customer-managed key.`);
      continue;
    }
    const keyId = referencedId(keyRef);
    const key = keyId ? resources[keyId] : undefined;
    if (!key || key.Type !== 'AWS::KMS::Key') continue; // an imported key: its policy is not in this template
    const statements = asArray(key.Properties?.KeyPolicy?.Statement);
    const logs = statements.filter((st) => allowsCloudWatchLogs(ctx, st));
    if (logs.length === 0) {
      problems.push(`${id}: is encrypted with ${keyId}, whose key policy does not let logs.<region>.amazonaws.com use it (kms:Encrypt*, kms:Decrypt*, kms:GenerateDataKey*); creating the log group would fail.`);
    } else if (!logs.every(hasLogsEncryptionContext)) {
      problems.push(`${id}: the key policy of ${keyId} lets CloudWatch Logs use the key without a kms:EncryptionContext:aws:logs:arn condition; limit it to the log groups of this account and region.`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
/**
 * Service principals whose documentation supports the aws:SourceAccount / aws:SourceArn confused-deputy conditions in
 * a role trust policy (SageMaker, Step Functions and VPC Flow Logs developer guides). Lambda is not listed: its
 * execution-role documentation gives no such condition, so a trust policy for lambda.amazonaws.com is not checked.
 */
export const CONFUSED_DEPUTY_SERVICES = ['sagemaker.amazonaws.com', 'states.amazonaws.com', 'vpc-flow-logs.amazonaws.com'];

function hasSourceCondition(condition) {
  return Object.entries(condition ?? {}).some(([op, block]) => !/^StringNotEquals|^ArnNotLike|^ArnNotEquals|^StringNotLike|^Null$/i.test(op)
    && block && typeof block === 'object'
    && Object.keys(block).some((k) => ['aws:sourceaccount', 'aws:sourcearn'].includes(k.toLowerCase())));
}

/**
 * Every role trust statement that lets one of CONFUSED_DEPUTY_SERVICES assume a role carries an aws:SourceAccount or
 * aws:SourceArn condition, so the service can assume the role only on behalf of this account's resources.
 */
export function checkServiceTrustConfusedDeputy(template) {
  const ctx = renderContext(template);
  const problems = [];
  for (const [id, r] of resourcesOfType(template, 'AWS::IAM::Role')) {
    asArray(r.Properties?.AssumeRolePolicyDocument?.Statement).forEach((st, i) => {
      if (st?.Effect !== 'Allow') return;
      const services = servicePrincipals(ctx, st).filter((s) => CONFUSED_DEPUTY_SERVICES.includes(s));
      if (services.length > 0 && !hasSourceCondition(st.Condition)) {
        problems.push(`${id}: trust statement ${i} lets ${services.join(', ')} assume the role without an aws:SourceAccount or aws:SourceArn condition (confused deputy).`);
      }
    });
  }
  return problems;
}
