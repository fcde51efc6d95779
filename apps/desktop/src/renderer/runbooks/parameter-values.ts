import { fieldErrorOf } from '../api/api-error.ts';
import type { RunbookParameter } from '../api/types.ts';
import { humanizeIdentifier } from '../format/names.ts';
import { formatNumber } from '../format/numbers.ts';

/**
 * What the operator has entered in a runbook's parameter form, by parameter name: the text of
 * text, number, integer, enum and date fields ('' when empty, so a half-typed number stays as
 * typed), and the state of boolean switches.
 */
export type ParameterValues = Readonly<Record<string, string | boolean>>;

/** Problems with the entered values, by parameter name, in words for the field. */
export type ParameterProblems = Readonly<Record<string, string>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parameterLabel(parameter: Pick<RunbookParameter, 'name'>): string {
  return humanizeIdentifier(parameter.name);
}

function asFormValue(parameter: RunbookParameter, value: unknown): string | boolean | undefined {
  if (parameter.kind === 'boolean') return typeof value === 'boolean' ? value : undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return undefined;
}

/**
 * The form's starting values: those given (a saved schedule's parameters, or what the operator
 * chose on the runbook card), else the runbook's defaults, else empty (a switch off).
 */
export function initialParameterValues(
  parameters: readonly RunbookParameter[],
  given: Readonly<Record<string, unknown>> = {},
): ParameterValues {
  const values: Record<string, string | boolean> = {};
  for (const p of parameters) {
    values[p.name] =
      asFormValue(p, given[p.name]) ?? asFormValue(p, p.default) ?? (p.kind === 'boolean' ? false : '');
  }
  return values;
}

/** "between 1 and 500", "at least 0", or null for an unbounded number. */
export function rangeText(parameter: Pick<RunbookParameter, 'minimum' | 'maximum'>): string | null {
  const { minimum: min, maximum: max } = parameter;
  if (min !== null && max !== null) return `between ${formatNumber(min)} and ${formatNumber(max)}`;
  if (min !== null) return `at least ${formatNumber(min)}`;
  if (max !== null) return `at most ${formatNumber(max)}`;
  return null;
}

function problemOf(parameter: RunbookParameter, value: string | boolean | undefined): string | null {
  if (parameter.kind === 'boolean') return null;
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return parameter.required ? 'Enter a value: this parameter is required.' : null;
  switch (parameter.kind) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (!Number.isFinite(n)) return 'Enter a number.';
      if (parameter.kind === 'integer' && !Number.isInteger(n)) return 'Enter a whole number.';
      const outside =
        (parameter.minimum !== null && n < parameter.minimum) ||
        (parameter.maximum !== null && n > parameter.maximum);
      return outside ? `Enter a number ${rangeText(parameter)}.` : null;
    }
    case 'enum':
      return parameter.options?.includes(text) ? null : `Choose one of ${parameter.options?.join(', ')}.`;
    case 'date':
      return DATE.test(text) && !Number.isNaN(Date.parse(text)) ? null : 'Enter a date (year-month-day).';
    default:
      return null;
  }
}

/**
 * What is wrong with the values before the daemon is asked. Missing required values count only
 * once the operator has tried to go on (`includeMissing`): an untouched form is not an error.
 */
export function parameterProblems(
  parameters: readonly RunbookParameter[],
  values: ParameterValues,
  options: { includeMissing: boolean },
): ParameterProblems {
  const problems: Record<string, string> = {};
  for (const p of parameters) {
    const value = values[p.name];
    const empty = typeof value !== 'boolean' && (value ?? '').trim() === '';
    if (empty && !options.includeMissing) continue;
    const problem = problemOf(p, value);
    if (problem) problems[p.name] = problem;
  }
  return problems;
}

/**
 * The daemon's verdict on one parameter (a BAD_REQUEST naming `params.<name>`), keyed for its
 * field; empty for any other error.
 */
export function apiParameterProblems(error: unknown): ParameterProblems {
  const named = fieldErrorOf(error);
  if (!named?.field.startsWith('params.')) return {};
  const name = named.field.slice('params.'.length);
  // "Parameter dryRun: invalid input…": the field already says which parameter.
  const prefix = `parameter ${name}: `;
  const message = named.message.toLowerCase().startsWith(prefix.toLowerCase())
    ? named.message.slice(prefix.length)
    : named.message;
  return { [name]: message[0]!.toUpperCase() + message.slice(1) };
}

/** The first problem as one line for a disabled button's explanation, or null. */
export function firstParameterProblem(
  parameters: readonly RunbookParameter[],
  problems: ParameterProblems,
): string | null {
  const p = parameters.find((x) => problems[x.name]);
  return p ? `Check “${parameterLabel(p)}”: ${problems[p.name]}` : null;
}

/**
 * The `params` of a preflight, run or schedule: typed values, with empty optional fields left out
 * so the runbook's defaults apply.
 */
export function toParamsPayload(
  parameters: readonly RunbookParameter[],
  values: ParameterValues,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const p of parameters) {
    const value = values[p.name];
    if (p.kind === 'boolean') {
      payload[p.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '') continue;
    payload[p.name] = p.kind === 'number' || p.kind === 'integer' ? Number(text) : text;
  }
  return payload;
}

/** A parameter value as the run detail shows it: "Yes"/"No" for switches, the value otherwise. */
export function formatParameterValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
