import { randomBytes } from 'node:crypto';

// An internal error (a bug, a PostgreSQL failure) is answered with a random id and nothing else:
// its text may hold SQL, table names or values. The detail goes to the daemon's log under that id,
// where an operator who quotes the id finds it.

const ids = new WeakMap<object, string>();

/** The error's id: random, and the same every time it is asked for one error object. */
export function errorIdOf(error: unknown): string {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return newErrorId();
  let id = ids.get(error);
  if (id === undefined) {
    id = newErrorId();
    ids.set(error, id);
  }
  return id;
}

export function newErrorId(): string {
  return randomBytes(8).toString('hex');
}

/** What clients see of an internal error. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

/** The log line of an internal error: where, its id, its stack and its causes. */
export function internalErrorLine(where: string, id: string, error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return `${where}: internal error ${id}: ${parts.join('\ncaused by: ')}`;
}
