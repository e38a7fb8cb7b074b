// Validates a SageMaker request against the API model, as the service's request validation would: members, required
// members, types and constraints (enum, min, max, pattern) from botocore 1.43.11's SageMaker model (tests/models,
// vendored with botocore's NOTICE and LICENSE, Apache-2.0). Its member lists are newer than aws-sdk v2's final
// min.json, and unlike min.json it carries the constraints, so one model serves both.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The botocore version of the vendored model. */
export const MODEL_VERSION = '1.43.11';
const boto = JSON.parse(
  gunzipSync(readFileSync(join(root, `tests/models/sagemaker-2017-07-24.botocore-${MODEL_VERSION}.json.gz`))).toString('utf8'));

/** A shape of the model by name (e.g. 'TrainingInstanceType'), or undefined. */
export function shape(name) {
  return boto.shapes[name];
}

const patternCache = new Map();

/** Java regex (as in the AWS models) -> JS RegExp that must match the whole value. */
export function toRegExp(javaPattern) {
  if (patternCache.has(javaPattern)) return patternCache.get(javaPattern);
  // Java accepts a quantifier on the end anchor, as the model writes CustomerMetadataKey and CustomerMetadataValue
  // (`([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,128}`): it matches as the anchor alone; JavaScript refuses it ("Nothing to repeat").
  const body = javaPattern.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$').replace(/(?<!\\)\$\{\d+(?:,\d*)?\}/g, () => '$');
  let regex;
  try {
    regex = new RegExp(`^(?:${body})$`, 'u'); // \p{L} etc. need the unicode flag
  } catch {
    regex = new RegExp(`^(?:${body})$`); // identity escapes such as \_ are only legal without it
  }
  patternCache.set(javaPattern, regex);
  return regex;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkConstraints(b, value, path, errors, measure) {
  if (!b) return;
  if (b.enum && !b.enum.includes(value)) errors.push(`${path}: '${value}' is not one of ${b.enum.join(', ')}`);
  if (b.min !== undefined && measure < b.min) errors.push(`${path}: ${measure} is below the minimum ${b.min}`);
  if (b.max !== undefined && measure > b.max) errors.push(`${path}: ${measure} is above the maximum ${b.max}`);
  if (b.pattern !== undefined && typeof value === 'string' && !toRegExp(b.pattern).test(value)) {
    errors.push(`${path}: '${value}' does not match the pattern ${b.pattern}`);
  }
}

function check(shapeName, value, path, errors) {
  const b = boto.shapes[shapeName];
  if (!b) { errors.push(`${path}: shape ${shapeName} is missing from the model`); return; }
  const type = b.type;
  switch (type) {
    case 'structure': {
      if (!isObject(value)) { errors.push(`${path}: expected an object, got ${JSON.stringify(value)}`); return; }
      for (const required of b.required ?? []) {
        if (value[required] === undefined || value[required] === null) errors.push(`${path}.${required}: required member is missing`);
      }
      for (const [key, member] of Object.entries(value)) {
        const memberModel = b.members?.[key];
        if (!memberModel) { errors.push(`${path}.${key}: unknown member`); continue; }
        check(memberModel.shape, member, `${path}.${key}`, errors);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) { errors.push(`${path}: expected a list, got ${JSON.stringify(value)}`); return; }
      checkConstraints({ min: b.min, max: b.max }, value, path, errors, value.length);
      value.forEach((item, i) => check(b.member.shape, item, `${path}[${i}]`, errors));
      return;
    }
    case 'map': {
      if (!isObject(value)) { errors.push(`${path}: expected a map, got ${JSON.stringify(value)}`); return; }
      const entries = Object.entries(value);
      checkConstraints({ min: b.min, max: b.max }, value, path, errors, entries.length);
      for (const [key, item] of entries) {
        check(b.key.shape, key, `${path}{key ${JSON.stringify(key)}}`, errors);
        check(b.value.shape, item, `${path}[${JSON.stringify(key)}]`, errors);
      }
      return;
    }
    case 'string':
      if (typeof value !== 'string') { errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`); return; }
      checkConstraints(b, value, path, errors, value.length);
      return;
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) { errors.push(`${path}: expected an integer, got ${JSON.stringify(value)}`); return; }
      checkConstraints(b, value, path, errors, value);
      return;
    case 'float':
    case 'double':
      if (typeof value !== 'number') { errors.push(`${path}: expected a number, got ${JSON.stringify(value)}`); return; }
      checkConstraints(b, value, path, errors, value);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'timestamp':
      if (typeof value !== 'string' && typeof value !== 'number') errors.push(`${path}: expected a timestamp, got ${JSON.stringify(value)}`);
      return;
    case 'blob':
      if (typeof value !== 'string') errors.push(`${path}: expected base64 text, got ${JSON.stringify(value)}`);
      return;
    default:
      errors.push(`${path}: model type ${type} is not handled by the validator`);
  }
}

/**
 * Validates a request body for a SageMaker operation.
 * @param {string} operationName e.g. "CreateTrainingJob"
 * @param {object} request the JSON body
 * @returns {string[]} problems, empty when the request is valid
 */
export function validateRequest(operationName, request) {
  const operation = boto.operations[operationName];
  if (!operation) return [`${operationName}: unknown SageMaker operation`];
  const errors = [];
  check(operation.input.shape, request, operationName, errors);
  return errors;
}
