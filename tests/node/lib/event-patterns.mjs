// Matches an event against an EventBridge event pattern offline, for the part of the pattern language the platform's
// rules use: exact values. Amazon EventBridge User Guide, "Event pattern syntax" (eb-create-pattern.html): the event
// must contain every field the pattern names, with the same nesting; a field's value is an array of values and
// matches when the event's value equals one of them; fields the pattern does not name are ignored. "Arrays in
// EventBridge event patterns" (eb-event-patterns-arrays.html): when the event's value is an array, the pattern matches
// when the two arrays share a value. Comparison operators (prefix, anything-but, numeric, exists, ...) are objects in
// the value array: they are refused, not guessed at, so a rule that starts using one fails here until this supports it.

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether `event` matches `pattern` (both parsed JSON). Throws on a pattern this matcher does not support. */
export function matchesEventPattern(pattern, event) {
  if (!isObject(pattern)) throw new Error(`an event pattern is a JSON object, not ${JSON.stringify(pattern)}`);
  return Object.entries(pattern).every(([field, expected]) => {
    if (!Object.hasOwn(event ?? {}, field)) return false;
    const actual = event[field];
    if (isObject(expected)) return isObject(actual) && matchesEventPattern(expected, actual);
    if (!Array.isArray(expected)) throw new Error(`${field}: a pattern's value is an array or an object, not ${JSON.stringify(expected)}`);
    const unsupported = expected.find((v) => v !== null && typeof v === 'object');
    if (unsupported !== undefined) throw new Error(`${field}: comparison operator ${JSON.stringify(unsupported)} is not supported here`);
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((v) => expected.some((e) => e === v));
  });
}
