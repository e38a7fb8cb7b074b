// Walks Amazon States Language definitions and extracts the SageMaker requests they can send, split into the static
// part (fixed in the template, checkable offline) and the run-time part (JsonPath `.$` keys, JSONata `{% %}` values).

const SAGEMAKER_TASK = /^arn:aws[a-z-]*:states:::sagemaker:(createTrainingJob|createHyperParameterTuningJob)(\.sync|\.waitForTaskToken)?$/;
const OPERATIONS = { createTrainingJob: 'CreateTrainingJob', createHyperParameterTuningJob: 'CreateHyperParameterTuningJob' };

/** Every state of a definition, including those inside Parallel branches and Map processors: [{ path, name, state }]. */
export function walkStates(definition, prefix = '') {
  const out = [];
  for (const [name, state] of Object.entries(definition?.States ?? {})) {
    const path = prefix ? `${prefix}/${name}` : name;
    out.push({ path, name, state });
    (state.Branches ?? []).forEach((b, i) => out.push(...walkStates(b, `${path}/Branches[${i}]`)));
    for (const key of ['Iterator', 'ItemProcessor']) if (state[key]) out.push(...walkStates(state[key], `${path}/${key}`));
  }
  return out;
}

const isJsonata = (v) => typeof v === 'string' && /^\{%[\s\S]*%\}$/.test(v.trim());

/**
 * Splits a payload template into its static part and the paths filled at run time.
 * @returns {{ value, runtime: string[] }} runtime holds paths like 'TrainingJobName' or 'ResourceConfig.InstanceType'
 */
export function staticParts(value, path = '') {
  const runtime = [];
  const visit = (v, p) => {
    if (isJsonata(v)) { runtime.push(p); return undefined; }
    if (Array.isArray(v)) return v.map((x, i) => visit(x, `${p}[${i}]`)).filter((x) => x !== undefined);
    if (v === null || typeof v !== 'object') return v;
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.endsWith('.$')) { runtime.push(p ? `${p}.${k.slice(0, -2)}` : k.slice(0, -2)); continue; }
      const r = visit(x, p ? `${p}.${k}` : k);
      if (r !== undefined) out[k] = r;
    }
    return out;
  };
  return { value: visit(value, path), runtime };
}

function looksLikeRequest(obj) {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    const keys = Object.keys(obj).map((k) => k.replace(/\.\$$/, ''));
    if (keys.includes('HyperParameterTuningJobConfig')) return 'CreateHyperParameterTuningJob';
    if (keys.includes('AlgorithmSpecification') && keys.includes('ResourceConfig')) return 'CreateTrainingJob';
  }
  return undefined;
}

function findRequestLike(value, path, out) {
  const op = looksLikeRequest(value);
  if (op) { out.push({ path, operation: op, body: value }); return; }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) findRequestLike(v, path ? `${path}.${k}` : k, out);
  }
}

/**
 * The SageMaker requests a definition can send:
 *  - Task states calling sagemaker:createTrainingJob / createHyperParameterTuningJob (Parameters or JSONata Arguments):
 *    complete requests whose run-time members are listed in `runtime`;
 *  - objects inside Pass states' Result / Parameters that look like such a request (a definition may assemble the
 *    request in steps): `partial: true`, because other states may add members at run time.
 * @returns {{ state, operation, source: 'Task'|'Pass', request, runtime: string[], partial: boolean }[]}
 */
export function sagemakerRequests(definition) {
  const out = [];
  for (const { path, state } of walkStates(definition)) {
    if (state.Type === 'Task' && typeof state.Resource === 'string') {
      const m = SAGEMAKER_TASK.exec(state.Resource);
      if (!m) continue;
      const body = state.Parameters ?? state.Arguments;
      if (body === undefined || isJsonata(body)) {
        out.push({ state: path, operation: OPERATIONS[m[1]], source: 'Task', request: {}, runtime: ['(whole request)'], partial: true });
        continue;
      }
      const { value, runtime } = staticParts(body);
      out.push({ state: path, operation: OPERATIONS[m[1]], source: 'Task', request: value, runtime, partial: false });
    } else if (state.Type === 'Pass') {
      const found = [];
      findRequestLike(state.Result, 'Result', found);
      findRequestLike(state.Parameters, 'Parameters', found);
      for (const f of found) {
        const { value, runtime } = staticParts(f.body);
        out.push({ state: `${path} ${f.path}`, operation: f.operation, source: 'Pass', request: value, runtime, partial: true });
      }
    }
  }
  return out;
}

/**
 * Splits validator errors into real problems and those explained by run-time values: an error saying a member is
 * required/missing is explained when that member is filled at run time, or when the request is partial.
 */
export function triageErrors(errors, { runtime, partial }) {
  const memberNames = runtime.map((p) => p.split(/[.[\]]/).filter(Boolean).pop()).filter(Boolean);
  const problems = [];
  const explained = [];
  for (const e of errors) {
    const missing = /required|missing/i.test(e);
    const named = memberNames.some((m) => new RegExp(`\\b${m.replace(/[^A-Za-z0-9_]/g, '')}\\b`).test(e));
    if (missing && (partial || named)) explained.push(e);
    else problems.push(e);
  }
  return { problems, explained };
}
