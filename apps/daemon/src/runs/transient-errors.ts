import { isConnectionError } from '../db/connection.ts';

// Errors worth another attempt of the same chunk: the next try usually succeeds.
const TRANSIENT_SQLSTATES = new Set([
  '40P01', // deadlock_detected
  '40001', // serialization_failure
  '55P03', // lock_not_available (our lock_timeout expired behind an application's row lock)
  '57P01', // admin_shutdown of one backend
]);

export function isTransientError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (code !== undefined && TRANSIENT_SQLSTATES.has(code)) || isConnectionError(error);
}

/** A short name for an error to store on the run: the SQLSTATE when there is one. */
export function errorClassOf(error: unknown): string {
  const e = error as { code?: string; name?: string } | null;
  if (e?.code && /^[0-9A-Z]{5}$/.test(e.code)) return `sqlstate ${e.code}`;
  return e?.name ?? 'Error';
}
