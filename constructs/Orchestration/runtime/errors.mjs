// The InvalidInput error of PrepareRequest and the bounds on what an error message carries.

/**
 * How much of the problems an error message carries: the first `problems` lines, each cut to `problemLength`
 * characters, then a count of the rest. The message travels as the Lambda error (Step Functions keeps at most 32,768
 * characters of a Cause), through the state data (256 KB) into the SNS message (256 KB): bounded well below all three.
 */
export const MESSAGE_LIMITS = Object.freeze({ problems: 20, problemLength: 1000, causeLength: 30000 });

/** `text` cut to `max` characters, saying how much was cut. */
export function bounded(text, max) {
  const s = String(text);
  return s.length <= max ? s : `${s.slice(0, max)}... (${s.length - max} more characters)`;
}

/** A value as it appears in a message: its JSON, cut to 120 characters. */
export function show(v) {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The error the state machine catches as `InvalidInput`; `problems` lists one line per bad field. */
export class InvalidInputError extends Error {
  constructor(problems) {
    const shown = problems.slice(0, MESSAGE_LIMITS.problems).map((p) => bounded(p, MESSAGE_LIMITS.problemLength));
    const rest = problems.length - shown.length;
    super(`Invalid execution input (${problems.length} problem${problems.length === 1 ? '' : 's'}${rest > 0 ? `; the first ${shown.length} shown` : ''}): ${shown.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`);
    this.name = 'InvalidInput';
    this.problems = problems;
  }
}
