import type { CsvInputRows } from './csv/csv-input.ts';
import type { SqlQuery } from './sql.ts';
import type { Summary } from './summary-keys.ts';

/**
 * The only database surface a plugin gets: parameterised SQL, one statement per call (the host
 * uses the extended protocol, so `SELECT 1; UPDATE …` is refused). Pass a `sql\`…\`` query, whose
 * interpolated values are all bound, or text with `$1…$n` placeholders and their params.
 * Timestamps stay in SQL.
 */
export interface SqlExecutor {
  /** `params` only with text; a `sql` query carries its own values. `queryOf` reads either form. */
  query<Row = Record<string, unknown>>(
    query: string | SqlQuery,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
}

/** An id range of one chunk, in keyset order: ids in (afterId, lastId]. Ids are bigint strings. */
export interface ChunkRange {
  afterId: string | null;
  lastId: string;
}

/** The first and last id of keyset work (bigint strings), both included. */
export interface IdBounds {
  firstId: string;
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
  /**
   * The end of the next chunk of at most `size` items after `afterId`, or null when none remain.
   * With `until` (SDK 1.1, only passed to work that has `idBounds`), the chunk ends at that id at
   * most: the daemon walks several id ranges at once and a chunk must not cross into the next.
   */
  nextChunk(
    db: SqlExecutor,
    afterId: string | null,
    size: number,
    until?: string | null,
  ): Promise<{ lastId: string; items: number } | null>;
  /**
   * Optional (SDK 1.1): the lowest and highest id of the work, or null when there is none. Read-only
   * and cheap (two index probes). Work that has it is split into id ranges ("units") that several
   * workers, in one daemon or several, share; work without it is walked by one worker in key order.
   * Having it promises that `nextChunk` honours `until`.
   */
  idBounds?(db: SqlExecutor): Promise<IdBounds | null>;
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
  /** The uploaded file of a runbook that declares `input` (validated, typed rows); else absent. */
  input?: CsvInputRows | null;
  log(message: string): void;
  /**
   * Optional (hosts from SDK 1.1): runs `read` on one connection inside a READ ONLY transaction, so
   * a preflight can tune its own statement with `SET LOCAL` (work_mem, parallel workers) without
   * touching any other session. Absent in older hosts: fall back to `db`.
   */
  readOnly?<T>(read: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface RunContext {
  db: SqlExecutor;
  /** The run's parameter values, validated against the runbook's `parameters` schema. */
  params: Record<string, unknown>;
  /** The run's id, e.g. to tag rows a runbook archives. */
  runId: string;
  /** The run's file of a runbook that declares `input` (validated, typed rows); else absent. */
  input?: CsvInputRows | null;
  /** Aborted when the run is cancelled or paused; the daemon stops after the current chunk. */
  signal: AbortSignal;
  /** The cursor of the last checkpoint when this run resumes, otherwise null. */
  resumeCursor: string | null;
  /**
   * A lower bound of the affected rows, measured just before starting: the exact count when the run
   * service counted (an operator's run, checked against their preflight), or 1 when it only checked
   * that some row is affected (`exec`, schedules), which is much cheaper on big tables.
   */
  preflightAffectedCount: number;
  log(message: string): void;
  /** Drives keyset chunks to the end (or until aborted), resuming from `resumeCursor`. */
  runChunked(work: KeysetWork): Promise<ChunkedResult>;
}

export interface PreflightResult {
  affected_count: number;
  [key: string]: number;
}

/**
 * A sampled estimate of the preflight's `affected_count`, returned in well under a second where the
 * exact count may take seconds. `margin` is the half-width of a 95% interval: the exact count lies in
 * `affected_count ± margin` 19 times in 20. `exact` is true when the scope was small enough to count
 * outright (then `margin` is 0).
 */
export interface PreflightEstimate {
  affected_count: number;
  margin: number;
  /** Items the estimate looked at, and how many the scope holds (itself estimated when sampled). */
  sampled: number;
  population: number;
  exact: boolean;
}

/**
 * One field of one row a run would change, as the sample of `sampleChanges` shows it: the row's
 * key (e.g. a finding id), its tenant's external id, the field, and its value now and after the
 * run. Values are text as the database renders them (timestamps in UTC ISO 8601), null for NULL.
 */
export interface ChangeSampleRow {
  key: string;
  tenant: string;
  field: string;
  before: string | null;
  after: string | null;
}

/** What `sampleChanges` is asked for: at most `limit` rows (keys) that a run would change. */
export interface ChangeSampleOptions {
  limit: number;
}

export type RunResult = Summary;
