// Hyperparameter encoding: Python's json.dumps and str() (what the SageMaker Python SDK applies to every value), so a
// value overridden at run time is byte-identical to the one the C# HyperparameterEncoding writes at synthesis. Both are
// checked against tests/fixtures/sdk-categorical-encoding.json and against each other (the encoding contract test).

/** Python `repr(float)` for a finite JS number that is not a safe integer. */
export function pythonFloat(n) {
  if (Object.is(n, -0)) return '-0.0';
  if (n === 0) return '0.0';
  const sign = n < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const intPart = digits.length > e + 1 ? digits.slice(0, e + 1) : digits.padEnd(e + 1, '0');
  const frac = digits.length > e + 1 ? digits.slice(e + 1) : '0';
  return `${sign}${intPart}.${frac}`;
}

/** Python `json.dumps` of a string (ensure_ascii=True). */
export function pythonString(s) {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Python `json.dumps(value)` for a JSON value. Integral numbers within JS's safe-integer range print as integers
 * (JSON text cannot tell `1` from `1.0` once parsed); other numbers as Python floats.
 */
export function pythonJson(value) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
    return Number.isSafeInteger(value) ? String(value) : pythonFloat(value);
  }
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${pythonString(k)}: ${pythonJson(v)}`).join(', ')}}`;
  }
  throw new TypeError(`cannot encode a ${typeof value}`);
}

/** The hyperparameter string SageMaker receives for `value` (the SDK's encoding). */
export const encodeHyperparameter = (value) => pythonJson(value);

/** Python `str(value)` for a JSON scalar: strings unchanged, `True`/`False`, integers, floats as Python's repr. */
export function pythonStr(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' && Number.isFinite(value)) return Number.isSafeInteger(value) ? String(value) : pythonFloat(value);
  throw new TypeError(`no Python str() for ${JSON.stringify(value)}`);
}

/**
 * A categorical tuning value as the SDK sends it for Framework estimators: `str()` first (parameter.py
 * CategoricalParameter.__init__), then `json.dumps` (as_json_range): `0.5` -> `"\"0.5\""`, `true` -> `"\"True\""`.
 * The same rule as the C# HyperparameterEncoding.EncodeCategorical.
 */
export const encodeCategorical = (value) => pythonString(pythonStr(value));

/** Python `str(number)` for tuning range bounds (the SDK sends `str(min_value)`). */
export const rangeBound = (n) => (Number.isSafeInteger(n) ? String(n) : pythonFloat(n));
