// The IAM policies of a synthesized template, per role and rendered (lib/intrinsics.mjs), for the offline IAM
// simulations and the size-quota checks.
import { render } from './intrinsics.mjs';

const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Logical ids of the roles whose trust policy names the service principal. */
export function rolesTrusting(template, service) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role'
    && asArray(r.Properties.AssumeRolePolicyDocument?.Statement).some((s) => asArray(s.Principal?.Service).includes(service))).map(([id]) => id);
}

/**
 * Every identity policy of a role, rendered: its inline Policies, and the AWS::IAM::Policy and AWS::IAM::ManagedPolicy
 * resources attached to it, each as { name, type, policy }. AWS managed policies (ManagedPolicyArns) are not modelled:
 * `managedPolicyArns` lists them so a caller can refuse roles that have some.
 */
export function identityPolicies(template, ctx, roleId) {
  const role = template.Resources[roleId];
  const out = asArray(role.Properties.Policies).map((p, i) => ({ name: `${roleId}.Policies[${i}]`, type: 'inline', policy: render(ctx, p.PolicyDocument) }));
  for (const [id, r] of Object.entries(template.Resources)) {
    if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && asArray(r.Properties.Roles).some((x) => x.Ref === roleId)) {
      out.push({ name: id, type: r.Type, policy: render(ctx, r.Properties.PolicyDocument) });
    }
  }
  return out;
}

/** The AWS managed policy ARNs a role attaches (rendered). */
export function managedPolicyArns(template, ctx, roleId) {
  return asArray(template.Resources[roleId].Properties.ManagedPolicyArns).map((a) => String(render(ctx, a)));
}

/** A policy's size as IAM counts it against its quotas: characters, whitespace not counted. */
export const policySize = (policy) => JSON.stringify(policy).replace(/\s/g, '').length;
