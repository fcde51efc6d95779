import type { Summary } from './summary-keys.ts';

/** The only database surface a plugin gets: parameterised SQL. Timestamps stay in SQL. */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
}

/** An id range of one chunk, in keyset order: ids in (afterId, lastId]. Ids are bigint strings. */
export interface ChunkRange {
  afterId: string | null;
  lastId: string;
}

/** A chunk to write: a range, narrowed to one tenant or with failed tenants left out. */
export interface ChunkSelection extends ChunkRange {
  onlyTenantId: number | null;
  excludeTenantIds: number[];
}

export interface TenantRef {
  tenantId: number;
  externalId: string;
}

/**
 * Keyset-chunked work over a table's ids. The plugin supplies the SQL; the daemon drives the
 * chunks (transactions, retries, failure isolation per tenant, progress, checkpoints, cancel).
 */
export interface KeysetWork {
  /** How many items the run will scan (for progress). Read-only. */
  countItems(db: SqlExecutor): Promise<number>;
  /** The end of the next chunk of at most `size` items after `afterId`, or null when none remain. */
  nextChunk(
    db: SqlExecutor,
    afterId: string | null,
    size: number,
  ): Promise<{ lastId: string; items: number } | null>;
  /** The tenants that own items in a range, used to isolate a failing chunk. */
  tenantsInRange(db: SqlExecutor, range: ChunkRange): Promise<TenantRef[]>;
  /** Writes one chunk inside the transaction `tx`. Must write only rows that need it. */
  applyChunk(tx: SqlExecutor, chunk: ChunkSelection): Promise<{ updated: number }>;
}

/** What the daemon's chunk driver reports when the work ends (or stops for a pause or cancel). */
export interface ChunkedResult {
  updated_count: number;
  /** Items walked so far, including earlier attempts of a resumed run. */
  total_scanned: number;
  /** Tenants whose writes failed and were left out of the rest of the run. */
  error_count: number;
}

export interface PreflightContext {
  db: SqlExecutor;
  /** The run's parameter values, validated against the runbook's `parameters` schema. */
  params: Record<string, unknown>;
  log(message: string): void;
}

export interface RunContext {
  db: SqlExecutor;
  /** The run's parameter values, validated against the runbook's `parameters` schema. */
  params: Record<string, unknown>;
  /** The run's id, e.g. to tag rows a runbook archives. */
  runId: string;
  /** Aborted when the run is cancelled or paused; the daemon stops after the current chunk. */
  signal: AbortSignal;
  /** The cursor of the last checkpoint when this run resumes, otherwise null. */
  resumeCursor: string | null;
  /** The affected count the run service measured just before starting. */
  preflightAffectedCount: number;
  log(message: string): void;
  /** Drives keyset chunks to the end (or until aborted), resuming from `resumeCursor`. */
  runChunked(work: KeysetWork): Promise<ChunkedResult>;
}

export interface PreflightResult {
  affected_count: number;
  [key: string]: number;
}

export type RunResult = Summary;
