// Renders CloudFormation intrinsic functions to plain values with realistic placeholders, so that a template's
// strings (state machine definitions, policy resources) can be measured and validated offline.
// Placeholders look like what CloudFormation would produce: ARNs in the right service format, physical names of
// realistic length (CloudFormation-generated names are about 60 characters), resource ids such as sg-0123456789abcdef0.
import { createHash } from 'node:crypto';

const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'eu-west-1';

function hash(s) {
  return createHash('sha1').update(s).digest('hex');
}

/** A deterministic generated suffix like CloudFormation's, e.g. '1A2B3C4D5E6F7'. */
function suffix(logicalId, length = 13) {
  return hash(logicalId).slice(0, length).toUpperCase();
}

function physicalName(ctx, logicalId, { max = 64, lower = false } = {}) {
  const stack = ctx.stackName ?? 'Stack';
  let name = `${stack}-${logicalId}`.slice(0, max - 14) + '-' + suffix(logicalId);
  if (lower) name = name.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return name.slice(0, max);
}

function uuid(logicalId) {
  const h = hash(logicalId);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function resourceId(prefix, logicalId) {
  return `${prefix}-0${hash(logicalId).slice(0, 16)}`;
}

/** Ref and Fn::GetAtt values per resource type: { ref(ctx, id), attrs: { Name: (ctx, id) => value } }. */
const TYPES = {
  'AWS::IAM::Role': {
    ref: (c, id) => physicalName(c, id),
    attrs: { Arn: (c, id) => `arn:${c.partition}:iam::${c.account}:role/${physicalName(c, id)}`, RoleId: (c, id) => `AROA${suffix(id, 17)}` },
  },
  'AWS::IAM::ManagedPolicy': {
    ref: (c, id) => `arn:${c.partition}:iam::${c.account}:policy/${physicalName(c, id)}`,
    attrs: { PolicyArn: (c, id) => `arn:${c.partition}:iam::${c.account}:policy/${physicalName(c, id)}` },
  },
  'AWS::IAM::InstanceProfile': {
    ref: (c, id) => physicalName(c, id),
    attrs: { Arn: (c, id) => `arn:${c.partition}:iam::${c.account}:instance-profile/${physicalName(c, id)}` },
  },
  'AWS::Lambda::Function': {
    ref: (c, id) => physicalName(c, id),
    attrs: { Arn: (c, id) => `arn:${c.partition}:lambda:${c.region}:${c.account}:function:${physicalName(c, id)}` },
  },
  'AWS::S3::Bucket': {
    ref: (c, id) => physicalName(c, id, { max: 63, lower: true }),
    attrs: {
      Arn: (c, id) => `arn:${c.partition}:s3:::${physicalName(c, id, { max: 63, lower: true })}`,
      DomainName: (c, id) => `${physicalName(c, id, { max: 63, lower: true })}.s3.amazonaws.com`,
      RegionalDomainName: (c, id) => `${physicalName(c, id, { max: 63, lower: true })}.s3.${c.region}.amazonaws.com`,
    },
  },
  'AWS::KMS::Key': {
    ref: (c, id) => uuid(id),
    attrs: { Arn: (c, id) => `arn:${c.partition}:kms:${c.region}:${c.account}:key/${uuid(id)}`, KeyId: (c, id) => uuid(id) },
  },
  'AWS::KMS::Alias': { ref: (c, id) => `alias/${physicalName(c, id)}`, attrs: {} },
  'AWS::SNS::Topic': {
    ref: (c, id) => `arn:${c.partition}:sns:${c.region}:${c.account}:${physicalName(c, id)}`,
    attrs: {
      TopicArn: (c, id) => `arn:${c.partition}:sns:${c.region}:${c.account}:${physicalName(c, id)}`,
      TopicName: (c, id) => physicalName(c, id),
    },
  },
  'AWS::SQS::Queue': {
    ref: (c, id) => `https://sqs.${c.region}.amazonaws.com/${c.account}/${physicalName(c, id)}`,
    attrs: {
      Arn: (c, id) => `arn:${c.partition}:sqs:${c.region}:${c.account}:${physicalName(c, id)}`,
      QueueName: (c, id) => physicalName(c, id),
      QueueUrl: (c, id) => `https://sqs.${c.region}.amazonaws.com/${c.account}/${physicalName(c, id)}`,
    },
  },
  'AWS::StepFunctions::StateMachine': {
    ref: (c, id) => `arn:${c.partition}:states:${c.region}:${c.account}:stateMachine:${physicalName(c, id)}`,
    attrs: {
      Arn: (c, id) => `arn:${c.partition}:states:${c.region}:${c.account}:stateMachine:${physicalName(c, id)}`,
      Name: (c, id) => physicalName(c, id),
    },
  },
  'AWS::StepFunctions::Activity': {
    ref: (c, id) => `arn:${c.partition}:states:${c.region}:${c.account}:activity:${physicalName(c, id)}`,
    attrs: { Name: (c, id) => physicalName(c, id) },
  },
  'AWS::Events::Rule': {
    ref: (c, id) => physicalName(c, id),
    attrs: { Arn: (c, id) => `arn:${c.partition}:events:${c.region}:${c.account}:rule/${physicalName(c, id)}` },
  },
  'AWS::Logs::LogGroup': {
    ref: (c, id) => `/aws/vendedlogs/states/${physicalName(c, id)}`,
    attrs: { Arn: (c, id) => `arn:${c.partition}:logs:${c.region}:${c.account}:log-group:/aws/vendedlogs/states/${physicalName(c, id)}:*` },
  },
  'AWS::EC2::VPC': {
    ref: (c, id) => resourceId('vpc', id),
    attrs: { CidrBlock: () => '10.0.0.0/16', DefaultSecurityGroup: (c, id) => resourceId('sg', id + 'default'), VpcId: (c, id) => resourceId('vpc', id) },
  },
  'AWS::EC2::Subnet': { ref: (c, id) => resourceId('subnet', id), attrs: { SubnetId: (c, id) => resourceId('subnet', id), AvailabilityZone: (c) => `${c.region}a` } },
  'AWS::EC2::SecurityGroup': { ref: (c, id) => resourceId('sg', id), attrs: { GroupId: (c, id) => resourceId('sg', id), VpcId: (c, id) => resourceId('vpc', id) } },
  'AWS::EC2::RouteTable': { ref: (c, id) => resourceId('rtb', id), attrs: {} },
  'AWS::EC2::VPCEndpoint': { ref: (c, id) => resourceId('vpce', id), attrs: { Id: (c, id) => resourceId('vpce', id) } },
  'AWS::SageMaker::Domain': {
    ref: (c, id) => `arn:${c.partition}:sagemaker:${c.region}:${c.account}:domain/d-${hash(id).slice(0, 12)}`,
    attrs: {
      DomainArn: (c, id) => `arn:${c.partition}:sagemaker:${c.region}:${c.account}:domain/d-${hash(id).slice(0, 12)}`,
      DomainId: (c, id) => `d-${hash(id).slice(0, 12)}`,
      HomeEfsFileSystemId: (c, id) => resourceId('fs', id),
      SecurityGroupIdForDomainBoundary: (c, id) => resourceId('sg', id + 'boundary'),
      Url: (c, id) => `https://d-${hash(id).slice(0, 12)}.studio.${c.region}.sagemaker.aws`,
    },
  },
  'AWS::ECR::Repository': {
    ref: (c, id) => physicalName(c, id, { lower: true }),
    attrs: {
      Arn: (c, id) => `arn:${c.partition}:ecr:${c.region}:${c.account}:repository/${physicalName(c, id, { lower: true })}`,
      RepositoryUri: (c, id) => `${c.account}.dkr.ecr.${c.region}.amazonaws.com/${physicalName(c, id, { lower: true })}`,
    },
  },
  'AWS::CloudWatch::Alarm': {
    ref: (c, id) => physicalName(c, id),
    attrs: { Arn: (c, id) => `arn:${c.partition}:cloudwatch:${c.region}:${c.account}:alarm:${physicalName(c, id)}` },
  },
};

function genericArn(c, type, id) {
  const [, service = 'unknown', kind = 'resource'] = type.split('::');
  return `arn:${c.partition}:${service.toLowerCase()}:${c.region}:${c.account}:${kind.toLowerCase()}/${physicalName(c, id)}`;
}

/**
 * A rendering context for one template.
 * @param {object} template the parsed template
 * @param {{stackName?: string, account?: string, region?: string, partition?: string}} [env]
 */
export function renderContext(template, env = {}) {
  return {
    template,
    stackName: env.stackName ?? 'Stack',
    account: env.account ?? DEFAULT_ACCOUNT,
    region: env.region ?? DEFAULT_REGION,
    partition: env.partition ?? 'aws',
  };
}

function pseudo(c, name) {
  switch (name) {
    case 'AWS::Partition': return c.partition;
    case 'AWS::Region': return c.region;
    case 'AWS::AccountId': return c.account;
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::StackName': return c.stackName;
    case 'AWS::StackId': return `arn:${c.partition}:cloudformation:${c.region}:${c.account}:stack/${c.stackName}/${uuid(c.stackName)}`;
    case 'AWS::NotificationARNs': return [];
    case 'AWS::NoValue': return undefined;
    default: return undefined;
  }
}

function refValue(c, name) {
  if (name.startsWith('AWS::')) return pseudo(c, name);
  const param = c.template.Parameters?.[name];
  if (param) return param.Default ?? `${name}-parameter-value`;
  const resource = c.template.Resources?.[name];
  if (!resource) throw new Error(`Ref to '${name}', which is neither a parameter nor a resource of the template.`);
  const spec = TYPES[resource.Type];
  return spec ? spec.ref(c, name) : physicalName(c, name);
}

function getAttValue(c, id, attr) {
  const resource = c.template.Resources?.[id];
  if (!resource) throw new Error(`Fn::GetAtt on '${id}', which is not a resource of the template.`);
  const spec = TYPES[resource.Type];
  const fn = spec?.attrs[attr];
  if (fn) return fn(c, id);
  if (attr === 'Arn' || attr.endsWith('Arn')) return genericArn(c, resource.Type, id);
  return `${physicalName(c, id)}-${attr}`;
}

function renderSub(c, template, vars) {
  return template.replace(/\$\{([^}]*)\}/g, (whole, expr) => {
    if (expr.startsWith('!')) return '${' + expr.slice(1) + '}';
    if (vars && Object.hasOwn(vars, expr)) return String(render(c, vars[expr]));
    if (expr.includes('.') && !expr.startsWith('AWS::')) {
      const dot = expr.indexOf('.');
      return String(getAttValue(c, expr.slice(0, dot), expr.slice(dot + 1)));
    }
    return String(refValue(c, expr));
  });
}

function evaluateCondition(c, name) {
  const cond = c.template.Conditions?.[name];
  if (cond === undefined) throw new Error(`Fn::If names condition '${name}', which the template does not define.`);
  return Boolean(render(c, cond));
}

/**
 * Renders a template value, replacing every intrinsic function with a realistic placeholder value.
 * Supports Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::FindInMap, Fn::Select, Fn::Split, Fn::If (with Fn::Equals,
 * Fn::And, Fn::Or, Fn::Not, Condition), Fn::Base64, Fn::GetAZs, Fn::ImportValue, Fn::ToJsonString.
 * Unknown intrinsics throw, so nothing is silently measured wrong.
 */
export function render(c, value) {
  if (Array.isArray(value)) return value.map((v) => render(c, v)).filter((v) => v !== undefined);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
    const [fn] = keys;
    const arg = value[fn];
    switch (fn) {
      case 'Ref': return refValue(c, arg);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg.map((a) => render(c, a)) : [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)];
        return getAttValue(c, id, attr);
      }
      case 'Fn::Join': return render(c, arg[1]).join(render(c, arg[0]));
      case 'Fn::Sub': return Array.isArray(arg) ? renderSub(c, arg[0], arg[1]) : renderSub(c, arg, undefined);
      case 'Fn::FindInMap': {
        const [map, k1, k2] = arg.map((a) => render(c, a));
        const v = c.template.Mappings?.[map]?.[k1]?.[k2];
        if (v === undefined) throw new Error(`Fn::FindInMap [${map}, ${k1}, ${k2}] has no value in the template's Mappings.`);
        return v;
      }
      case 'Fn::Select': { const list = render(c, arg[1]); return list[Number(render(c, arg[0]))]; }
      case 'Fn::Split': return String(render(c, arg[1])).split(render(c, arg[0]));
      case 'Fn::If': return evaluateCondition(c, arg[0]) ? render(c, arg[1]) : render(c, arg[2]);
      case 'Fn::Equals': { const [a, b] = render(c, arg); return JSON.stringify(a) === JSON.stringify(b); }
      case 'Fn::And': return arg.every((x) => Boolean(render(c, x)));
      case 'Fn::Or': return arg.some((x) => Boolean(render(c, x)));
      case 'Fn::Not': return !render(c, arg[0]);
      case 'Condition': return evaluateCondition(c, arg);
      case 'Fn::Base64': return Buffer.from(String(render(c, arg))).toString('base64');
      case 'Fn::GetAZs': return ['a', 'b', 'c'].map((z) => `${render(c, arg) || c.region}${z}`);
      case 'Fn::ImportValue': return `imported-${render(c, arg)}`;
      case 'Fn::ToJsonString': return JSON.stringify(render(c, arg));
      default: throw new Error(`Cannot render intrinsic '${fn}'; add it to tests/node/lib/intrinsics.mjs.`);
    }
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const r = render(c, v);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

/**
 * The definitions of every AWS::StepFunctions::StateMachine of a template, rendered to JSON text:
 * [{ logicalId, text } | { logicalId, skipped: reason }]. DefinitionSubstitutions are applied.
 */
export function stateMachineDefinitions(template, env = {}) {
  const c = renderContext(template, env);
  const out = [];
  for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const p = r.Properties ?? {};
    let text;
    if (p.DefinitionString !== undefined) text = String(render(c, p.DefinitionString));
    else if (p.Definition !== undefined) text = JSON.stringify(render(c, p.Definition));
    else {
      out.push({ logicalId, skipped: 'definition is in S3 (DefinitionS3Location) and cannot be read offline' });
      continue;
    }
    for (const [key, v] of Object.entries(p.DefinitionSubstitutions ?? {})) {
      text = text.split('${' + key + '}').join(String(render(c, v)));
    }
    out.push({ logicalId, text });
  }
  return out;
}
