import type { CsvInputRows, CsvInputSpec } from '@ops/runbook-sdk';

/**
 * The messages between the daemon and a plugin's worker thread, and how values and errors cross.
 * Everything here must survive structured cloning: no functions, no class instances but Error
 * fields, Dates, BigInts and byte arrays.
 */

/** A request either side makes of the other; answered by a `res` with the same id. */
export interface RequestMessage {
  k: 'req';
  id: number;
  m: string;
  a: unknown[];
}

/** A one-way message (log lines, aborts). */
export interface NoteMessage {
  k: 'note';
  m: string;
  a: unknown[];
}

export type ResponseMessage =
  | { k: 'res'; id: number; ok: true; v: unknown }
  | { k: 'res'; id: number; ok: false; e: WireError };

export type Message = RequestMessage | NoteMessage | ResponseMessage;

/**
 * An error as it crosses: its class name, message and primitive fields (a PostgreSQL error's
 * `code`, `detail`, `constraint`…; a ParameterError's `parameter`). `ref` names an error the
 * daemon sent earlier, so the daemon gets its own object back when a plugin rethrows it.
 */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  ref?: number;
  fields: Record<string, string | number | boolean>;
}

/** The hidden field a rebuilt error carries when it came from the other side with a ref. */
export const ERROR_REF = '__opsErrorRef';

export function toWireError(error: unknown, ref?: number): WireError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: `a non-error was thrown: ${String(error)}`, fields: {} };
  }
  const fields: WireError['fields'] = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === ERROR_REF) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      fields[key] = value;
    }
  }
  const carried = (error as unknown as Record<string, unknown>)[ERROR_REF];
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ref: ref ?? (typeof carried === 'number' ? carried : undefined),
    fields,
  };
}

/** An Error with the wire error's class name, message and fields (not its class: that stays behind). */
export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  Object.assign(error, wire.fields);
  Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true });
  if (wire.stack) error.stack = wire.stack;
  if (wire.ref !== undefined) Object.defineProperty(error, ERROR_REF, { value: wire.ref });
  return error;
}

/** A Buffer crosses as a plain Uint8Array; node-postgres needs a Buffer to send bytea. */
export function asBuffers(values: readonly unknown[]): unknown[] {
  return values.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v));
}

/** Rows as a plugin gets them: bytea columns back as Buffers. */
export function rowsWithBuffers(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (value instanceof Uint8Array && !Buffer.isBuffer(value)) row[key] = Buffer.from(value);
    }
  }
  return rows;
}

/** What a worker reports once it has imported the plugin. */
export type LoadReport =
  | { ok: true; statics: DefinitionStatics }
  | { ok: false; id: string | null; reason: string };

/** The parts of a definition that are data; the daemon's copy of the runbook is built from them. */
export interface DefinitionStatics {
  id: string;
  version: string;
  title: string;
  description: string;
  sdk: string;
  capability: string;
  scopes: string[];
  confirmationPhrase: string;
  summaryKeys: string[];
  resources: string[];
  /** What a reversible runbook writes (plain data), or null. */
  reversible?: { writes: Record<string, string[]> } | null;
  /** The parameters' JSON schema (input side), or null when the runbook takes none. */
  parameters: Record<string, unknown> | null;
  /** The declared CSV input (plain data already), or null. */
  input: CsvInputSpec | null;
  has: {
    estimate: boolean;
    hasAffected: boolean;
    /** Issue 14; absent from workers of older daemons' builds. */
    sampleChanges?: boolean;
    lockRequests: boolean;
    afterComplete?: boolean;
    afterError?: boolean;
  };
}

/** The plain data a call's context carries into the worker; the functions are rebuilt there. */
export interface PreflightCallContext {
  token: number;
  db: number;
  params: Record<string, unknown>;
  input: CsvInputRows | null;
  readOnly: boolean;
}

export interface RunCallContext {
  token: number;
  db: number;
  params: Record<string, unknown>;
  runId: string;
  input: CsvInputRows | null;
  resumeCursor: string | null;
  preflightAffectedCount: number;
  aborted: boolean;
}

/** The plain data a lifecycle hook's context carries into the worker. */
export interface HookCallContext {
  token: number;
  db: number;
  params: Record<string, unknown>;
  runId: string;
}

export const KEYSET_METHODS = [
  'countItems',
  'nextChunk',
  'idBounds',
  'tenantsInRange',
  'applyChunk',
] as const;
export type KeysetMethod = (typeof KEYSET_METHODS)[number];
