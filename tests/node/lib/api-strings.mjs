// Character sets and lengths that the AWS APIs enforce but the CloudFormation resource schemas do not carry (so
// neither CloudFormation's pre-deployment validation nor cfn-lint sees them: a bad value only fails mid-deployment and
// rolls the stack back). The rules, with their sources, are data: tests/api-string-rules.json.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The rules of tests/api-string-rules.json. */
export const rules = JSON.parse(readFileSync(join(root, 'tests/api-string-rules.json'), 'utf8')).rules;

/**
 * An AWS model pattern (Java regex syntax) as a JS RegExp matching the whole value. Java's inline (?i) has no JS
 * equivalent: it becomes the 'i' flag for the whole pattern (stricter or equal for the patterns in use).
 */
export function wholeValueRegExp(pattern) {
  let flags = 'u';
  let body = pattern;
  if (body.includes('(?i)')) { body = body.replaceAll('(?i)', ''); flags += 'i'; }
  body = body.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  return new RegExp(`^(?:${body})$`, flags);
}

/** Every value at a target path: 'A.B' steps into members, '[]' into list items, '{}' map values, '{key}' map keys. */
function valuesAt(node, steps, where, out, parent) {
  if (steps.length === 0) { out.push({ value: node, where, parent }); return; }
  if (node === null || typeof node !== 'object') return;
  const [step, ...rest] = steps;
  const m = /^([^[{]+)(\[\]|\{\}|\{key\})?$/.exec(step);
  const child = node[m[1]];
  if (child === undefined) return;
  const w = `${where}.${m[1]}`;
  if (!m[2]) valuesAt(child, rest, w, out, node);
  else if (m[2] === '[]' && Array.isArray(child)) child.forEach((item, i) => valuesAt(item, rest, `${w}[${i}]`, out, child));
  else if (m[2] === '{}' && child && typeof child === 'object' && !Array.isArray(child)) {
    for (const [k, v] of Object.entries(child)) valuesAt(v, rest, `${w}.${k}`, out, child);
  } else if (m[2] === '{key}' && child && typeof child === 'object' && !Array.isArray(child)) {
    for (const k of Object.keys(child)) out.push({ value: k, where: `${w} key '${k}'`, parent: child });
  }
}

/** Problems of one string under one rule ([] when it complies). */
export function checkValue(rule, value) {
  const problems = [];
  const length = [...value].length;
  if (rule.min !== undefined && length < rule.min) problems.push(`is ${length} characters; at least ${rule.min} allowed`);
  if (rule.max !== undefined && length > rule.max) problems.push(`is ${length} characters; at most ${rule.max} allowed`);
  if (rule.pattern !== undefined && !wholeValueRegExp(rule.pattern).test(value)) {
    const bad = [...new Set([...value].filter((c) => !wholeValueRegExp(rule.pattern).test(c)))];
    problems.push(`does not match ${rule.pattern}${bad.length && bad.length < 6 ? ` (characters ${bad.map((c) => JSON.stringify(c)).join(' ')})` : ''}`);
  }
  if (rule.notPrefix && value.toLowerCase().startsWith(rule.notPrefix)) problems.push(`starts with the reserved prefix '${rule.notPrefix}'`);
  return problems;
}

/**
 * Applies every rule to every literal string it targets in a template. Values that are intrinsic functions (only
 * known at deployment) are counted as skipped. Returns { problems: string[], checked: {ruleId: n}, skipped: n }.
 */
export function checkTemplate(template, ruleList = rules) {
  const problems = [];
  const checked = Object.fromEntries(ruleList.map((r) => [r.id, 0]));
  let skipped = 0;
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    for (const rule of ruleList) {
      for (const [type, path] of rule.targets) {
        if (type !== '*' && type !== resource.Type) continue;
        const found = [];
        valuesAt(resource.Properties ?? {}, path.split('.'), `${id}.Properties`, found, undefined);
        for (const { value, where, parent } of found) {
          if (rule.when && !Object.entries(rule.when).every(([k, v]) => parent?.[k] === v)) continue;
          if (typeof value !== 'string') {
            // A value joined at deployment (Fn::Join): for a pure character-set rule, each literal piece must already
            // consist of allowed characters (the deploy-time pieces are counted as skipped).
            const join = value?.['Fn::Join'];
            if (rule.charset && Array.isArray(join) && Array.isArray(join[1])) {
              const pieces = [join[0], ...join[1]].filter((p) => typeof p === 'string' && p.length > 0);
              skipped += join[1].length - join[1].filter((p) => typeof p === 'string').length;
              checked[rule.id] += 1;
              for (const piece of pieces) {
                for (const p of checkValue({ ...rule, min: undefined, max: undefined }, piece)) {
                  problems.push(`${where} (${resource.Type}) literal part ${JSON.stringify(piece)} ${p} [${rule.id}; ${ruleSource(rule)}]`);
                }
              }
            } else {
              skipped += 1;
            }
            continue;
          }
          checked[rule.id] += 1;
          for (const p of checkValue(rule, value)) {
            problems.push(`${where} (${resource.Type}) = ${JSON.stringify(value)} ${p} [${rule.id}; ${ruleSource(rule)}]`);
          }
        }
      }
    }
  }
  return { problems, checked, skipped };
}

/** Where a rule comes from, for messages. */
export function ruleSource(rule) {
  if (rule.source === 'model') return `API model ${rule.model.service} shape ${rule.model.shape}`;
  const d = rule.documentation;
  return d.shape ? `${d.url} (${d.service} model ${d.shape}.${d.member} documentation)` : d.url;
}
