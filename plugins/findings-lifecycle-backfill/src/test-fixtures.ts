/**
 * Test helpers (used by the *.test.ts files only): hand-made fixtures inserted with explicit SQL,
 * a local stand-in for the daemon's chunk driver, and readers that keep timestamps as SQL text.
 */
import type {
  ChunkedResult,
  KeysetWork,
  PreflightResult,
  ResolvedScope,
  RunContext,
  SqlExecutor,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import type { TestDatabase } from '../../../test/support/database.ts';
import runbook from './index.ts';

export function executor(target: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await target.query(text, [...params]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

export interface Fixtures {
  tenant(externalId: string): Promise<{ id: string; scope: ResolvedScope }>;
  finding(tenantId: string, fields?: FindingFields): Promise<string>;
  /** Inserts events in the given order, so later entries get higher ids. */
  events(
    findingId: string,
    events: ReadonlyArray<readonly [kind: string, observedAt: string]>,
  ): Promise<void>;
}

/** Columns of a fixture finding; timestamps are SQL literals with microseconds and offset. */
export interface FindingFields {
  severity?: string;
  status?: string | null;
  created_at?: string;
  first_seen_at?: string | null;
  last_seen_at?: string | null;
  times_seen?: number | null;
  resolved_at?: string | null;
  due_at?: string | null;
  lifecycle_version?: number | null;
}

export const CREATED_AT = '2024-01-01 00:00:00.000001+00';

export function fixtures(t: TestDatabase): Fixtures {
  let seq = 0;
  return {
    async tenant(externalId) {
      const [row] = await t.sql<{ id: string }>(
        'INSERT INTO public.tenants (external_id, name) VALUES ($1, $1) RETURNING id::text AS id',
        [externalId],
      );
      const id = row!.id;
      return { id, scope: { kind: 'tenant', tenantId: Number(id), externalId, name: externalId } };
    },
    async finding(tenantId, f = {}) {
      seq += 1;
      const [row] = await t.sql<{ id: string }>(
        `INSERT INTO public.findings (tenant_id, fingerprint, title, severity, status, first_seen_at,
           last_seen_at, times_seen, resolved_at, due_at, lifecycle_version, created_at, updated_at)
         VALUES ($1::bigint, $2, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7::integer,
           $8::timestamptz, $9::timestamptz, $10::integer, $11::timestamptz, $11::timestamptz)
         RETURNING id::text AS id`,
        [
          tenantId,
          `fp-${seq}`,
          f.severity ?? 'high',
          f.status ?? null,
          f.first_seen_at ?? null,
          f.last_seen_at ?? null,
          f.times_seen ?? null,
          f.resolved_at ?? null,
          f.due_at ?? null,
          f.lifecycle_version ?? null,
          f.created_at ?? CREATED_AT,
        ],
      );
      return row!.id;
    },
    async events(findingId, events) {
      for (const [kind, observedAt] of events) {
        await t.sql(
          `INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
           SELECT id, tenant_id, $2, $3::timestamptz FROM public.findings WHERE id = $1::bigint`,
          [findingId, kind, observedAt],
        );
      }
    },
  };
}

/** A finding's lifecycle as text; timestamps rendered in UTC with microseconds, never via Date. */
export interface Lifecycle {
  status: string | null;
  first_seen_at: string | null;
  last_seen_at: string | null;
  times_seen: number | null;
  resolved_at: string | null;
  due_at: string | null;
  lifecycle_version: number | null;
}

const UTC_TEXT = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS ${col}`;

export async function lifecycleOf(t: TestDatabase, findingId: string): Promise<Lifecycle> {
  const [row] = await t.sql<Lifecycle>(
    `SELECT status, ${UTC_TEXT('first_seen_at')}, ${UTC_TEXT('last_seen_at')}, times_seen,
            ${UTC_TEXT('resolved_at')}, ${UTC_TEXT('due_at')}, lifecycle_version
     FROM public.findings WHERE id = $1::bigint`,
    [findingId],
  );
  return row!;
}

/** md5 of every column of the matching findings, to prove rows were not written. */
export async function checksum(t: TestDatabase, where = 'true'): Promise<string> {
  const [row] = await t.sql<{ md5: string }>(
    `SELECT md5(coalesce(string_agg(f::text, '|' ORDER BY f.id), '')) AS md5
     FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id WHERE ${where}`,
  );
  return row!.md5;
}

export interface DriveOptions {
  size?: number;
  onlyTenantId?: number | null;
  excludeTenantIds?: number[];
  /** Runs the chunks' transactions on this client instead of fresh pool clients. */
  client?: pg.PoolClient;
}

/**
 * A minimal stand-in for the daemon's driver: nextChunk, then applyChunk inside BEGIN/COMMIT, until
 * no chunk remains. The real driver (retries, isolation, checkpoints) lives in the daemon.
 */
export async function drive(
  t: TestDatabase,
  work: KeysetWork,
  opts: DriveOptions = {},
): Promise<ChunkedResult> {
  const db = executor(opts.client ?? t.db.pool);
  const total = await work.countItems(db);
  let afterId: string | null = null;
  let updated = 0;
  for (;;) {
    const next = await work.nextChunk(db, afterId, opts.size ?? 2);
    if (!next) break;
    const range = { afterId, lastId: next.lastId };
    const client = opts.client ?? (await t.db.pool.connect());
    try {
      await client.query('BEGIN');
      const chunk = {
        ...range,
        onlyTenantId: opts.onlyTenantId ?? null,
        excludeTenantIds: opts.excludeTenantIds ?? [],
      };
      updated += (await work.applyChunk(executor(client), chunk)).updated;
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      if (!opts.client) client.release();
    }
    afterId = next.lastId;
  }
  return { updated_count: updated, total_scanned: total, error_count: 0 };
}

/** Runs the runbook's own `run` with a test context whose runChunked is `drive`. */
export async function backfill(
  t: TestDatabase,
  scope: ResolvedScope,
  opts: DriveOptions = {},
): Promise<Record<string, number>> {
  const ctx: RunContext = {
    db: executor(opts.client ?? t.db.pool),
    params: {},
    runId: '0',
    signal: new AbortController().signal,
    resumeCursor: null,
    preflightAffectedCount: 0,
    log: () => {},
    runChunked: (work) => drive(t, work, opts),
  };
  return runbook.run(ctx, scope);
}

export function preflight(
  t: TestDatabase,
  scope: ResolvedScope,
  client?: pg.PoolClient,
): Promise<PreflightResult> {
  return runbook.preflight({ db: executor(client ?? t.db.pool), params: {}, log: () => {} }, scope);
}
