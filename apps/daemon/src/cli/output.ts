import { OpsError } from '../errors.ts';
import { CLI_ARGUMENT_FOR_FIELD, classifyError } from './exit-codes.ts';

/** The command-line spelling of a service field: `params.dryRun` is `--param dryRun`. */
function cliArgumentFor(field: string): string {
  if (field.startsWith('params.')) return `--param ${field.slice('params.'.length)}`;
  if (field === 'input' || field.startsWith('input.')) return '--input';
  return CLI_ARGUMENT_FOR_FIELD[field] ?? field;
}

export interface Output {
  json: boolean;
  /** The final result: one JSON object as the last line with --json, or text. */
  result(value: unknown, text: string): void;
  /** A JSON line with --json (progress events); nothing otherwise. */
  event(value: unknown): void;
  info(text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, text) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
    },
    event(value) {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
    },
    info(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
  };
}

/** Prints an error the way a person or a pipeline can act on, and returns the exit code. */
export function reportError(out: Output, error: unknown): number {
  const { exit, code } = classifyError(error);
  const field = (error as { field?: string }).field;
  const argument = field ? cliArgumentFor(field) : undefined;
  // A driver's own words ("Connection terminated unexpectedly") are not an operator's.
  const message =
    code === 'DATABASE_UNAVAILABLE' && !(error instanceof OpsError)
      ? 'the database connection was lost or refused; check that PostgreSQL runs and DATABASE_URL points at it'
      : ((error as Error).message ?? String(error));
  if (out.json) {
    process.stdout.write(`${JSON.stringify({ error: { code, message, field: argument ?? null } })}\n`);
  } else {
    process.stderr.write(`error${argument ? ` (${argument})` : ''}: ${message}\n`);
    if (code === 'INTERNAL' && process.env.OPS_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  }
  return exit;
}

export const formatCount = (n: number) => n.toLocaleString('en-US');
