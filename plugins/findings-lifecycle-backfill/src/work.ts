import { createHash } from 'node:crypto';
import type {
  ChunkSelection,
  IdBounds,
  KeysetWork,
  ResolvedScope,
  SqlExecutor,
  TenantRef,
} from '@ops/runbook-sdk';
import { derivedLifecycleSql, LIFECYCLE_FIELDS } from './derivation.ts';
import { chunkPredicate, FINDINGS_WITH_TENANT, idRangePredicate, scopePredicate } from './selection.ts';
import { SqlParams } from './sql-params.ts';

/*
 * How a run writes (issue 16). Deriving a chunk's lifecycle in the chunk itself re-reads its
 * findings' events through the (finding_id, observed_at) index: finding_events is in time order,
 * so every chunk reads pages scattered over the whole table, and the run as a whole costs more
 * than one UPDATE … FROM (derivation) that aggregates the events once. So a run derives first, into
 * an UNLOGGED work table of its own holding only the affected findings: their derived fields and
 * what the derivation read. One statement over all events was itself a write transaction of 16–27 s
 * at a million findings, so the derivation goes in id slices (DERIVE_SLICE_IDS), each one short
 * transaction, two at a time, each remembered by a mark row so a resumed run keeps them. The chunks
 * then only join that table back to the findings, by id range, in short transactions; each row is
 * written only if nothing the derivation read has changed since.
 *
 * The work table is a cache, never the truth: a table that is missing (dropped, never made) or
 * incomplete (an unlogged table is emptied by a server crash) sends a chunk back to deriving its
 * rows in place, which is slower but gives the same result.
 */

/** The stored fields the derivation reads besides the lifecycle fields, re-checked before a write. */
const READ_COLUMNS = ['read_status', 'read_severity', 'read_created_at', 'read_updated_at'] as const;

/** Column definitions of a work table: the affected finding's id, what was read, what is derived. */
const WORK_TABLE_COLUMNS = `
  id bigint PRIMARY KEY,
  tenant_id bigint,
  read_status text,
  read_severity text,
  read_created_at timestamptz,
  read_updated_at timestamptz,
  status text,
  first_seen_at timestamptz,
  last_seen_at timestamptz,
  times_seen integer,
  resolved_at timestamptz,
  due_at timestamptz,
  lifecycle_version integer,
  events_high_water bigint`;

/**
 * The id of the row that marks a work table complete (finding ids start at 1): every slice of the
 * run's scope is derived. Rows with negative ids mark the slices derived so far (-1 - slice no).
 */
const COMPLETE_MARK_ID = 0;

/**
 * Findings ids per derivation slice (all tenants). One slice is one INSERT … SELECT, one short
 * transaction: per-finding derivation costs ~25 µs a finding here, so ~0.15 s idle and well under
 * the issue's 1 s per write transaction at load average 10–17 on 2 cores. A fixed id grid (slice k
 * is (k·5000, (k+1)·5000]) so a resumed run maps the slices it derived before onto the same ids.
 */
export const DERIVE_SLICE_IDS = 5_000;
/** Slices derived at once: the daemon's default of 2 workers; the derivation is CPU-bound. */
const DERIVE_CONCURRENCY = 2;

/**
 * The work table of one run and scope. Unqualified: under the runbook's role the search path puts
 * it in the runbook's own schema (containment gives each runbook one), never among the product's
 * tables. A hash keeps the name a short, plain identifier whatever the run id looks like.
 */
export function workTableName(runId: string, scope: ResolvedScope): string {
  const key = scope.kind === 'all' ? `${runId}/all` : `${runId}/tenant/${scope.tenantId}`;
  return `lifecycle_work_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

/**
 * Derives the lifecycle of every finding in `scope` into the run's work table, unless a complete
 * one exists (a resumed run keeps its own). All tenants: in id slices of DERIVE_SLICE_IDS, each its
 * own short transaction, DERIVE_CONCURRENCY at a time; a slice derived before a crash of the
 * daemon is kept (its mark row commits with its rows), the rest are derived now. One tenant: one
 * statement (a tenant's findings are few). Returns how many findings it found affected, or null
 * when the table was already complete. Concurrent callers are safe: a slice's rows and mark are
 * inserted ON CONFLICT DO NOTHING (the same rows), and the complete mark comes last.
 */
export async function prepareLifecycleWork(
  db: SqlExecutor,
  table: string,
  scope: ResolvedScope,
  options: { sliceIds?: number } = {},
): Promise<number | null> {
  const sliceIds = options.sliceIds ?? DERIVE_SLICE_IDS;
  await createWorkTable(db, table);
  const { rows } = await db.query<{ complete: boolean; done: number[] }>(
    `SELECT coalesce(bool_or(w.id = ${COMPLETE_MARK_ID}), false) AS complete,
            coalesce(array_agg(-1 - w.id) FILTER (WHERE w.id < 0), '{}')::int[] AS done
     FROM ${table} w WHERE w.id <= ${COMPLETE_MARK_ID}`,
  );
  if (rows[0]?.complete) return null;
  let derived = 0;
  if (scope.kind === 'all') {
    const bounds = await lifecycleWork(scope).idBounds?.(db);
    const done = new Set(rows[0]?.done ?? []);
    const open: number[] = [];
    if (bounds) {
      const first = Math.floor((Number(bounds.firstId) - 1) / sliceIds);
      const last = Math.floor((Number(bounds.lastId) - 1) / sliceIds);
      for (let k = first; k <= last; k++) if (!done.has(k)) open.push(k);
    }
    let next = 0;
    const deriver = async () => {
      while (next < open.length) {
        // Awaited first, then added: `derived += await …` would add to the value read before.
        const found = await deriveSlice(db, table, scope, { no: open[next++]!, ids: sliceIds });
        derived += found;
      }
    };
    await Promise.all(Array.from({ length: DERIVE_CONCURRENCY }, deriver));
  } else {
    derived = await deriveSlice(db, table, scope, null);
  }
  await db.query(`INSERT INTO ${table} (id) VALUES (${COMPLETE_MARK_ID}) ON CONFLICT (id) DO NOTHING`);
  return derived;
}

/**
 * Derives one slice (ids (no·ids, (no+1)·ids], or the whole scope when null) into the work table with
 * its mark, in one statement: one snapshot, one short transaction. Each row keeps the slice's events
 * mark (settledEventsMark): every event at or below it is in the derivation, and a finding with an
 * event above it is skipped when written (the next run repairs it). Returns the affected findings
 * inserted.
 */
async function deriveSlice(
  db: SqlExecutor,
  table: string,
  scope: ResolvedScope,
  slice: { no: number; ids: number } | null,
): Promise<number> {
  const params = new SqlParams();
  let where = scopePredicate(scope, params);
  if (slice !== null) {
    const range = {
      afterId: String(slice.no * slice.ids),
      lastId: String((slice.no + 1) * slice.ids),
    };
    where += ` AND ${idRangePredicate(range, params)}`;
  }
  // Per finding, through the (finding_id, observed_at) index: a slice reads only its own events.
  const derived = derivedLifecycleSql(where, 'per-finding', {
    from: FINDINGS_WITH_TENANT,
    columns: 'f.severity AS read_severity, f.created_at AS read_created_at, f.updated_at AS read_updated_at',
  });
  const fields = LIFECYCLE_FIELDS.join(', ');
  const eventsMark = params.add(await settledEventsMark(db), 'bigint');
  const mark = slice === null ? [] : [-1 - slice.no];
  // Sorted by id so the table's pages follow the chunks' id ranges. ON CONFLICT: a concurrent or
  // earlier fill of this slice (none commits half) put the same rows there already.
  const { rowCount } = await db.query(
    `INSERT INTO ${table} (id, tenant_id, ${READ_COLUMNS.join(', ')}, ${fields}, events_high_water)
     SELECT * FROM (
       SELECT d.id, d.tenant_id, d.read_status, d.read_severity, d.read_created_at, d.read_updated_at,
              ${LIFECYCLE_FIELDS.map((c) => `d.${c}`).join(', ')}, ${eventsMark}
       FROM (${derived}) d
       WHERE d.affected
       UNION ALL
       SELECT m.id, NULL, NULL, NULL, NULL, NULL, ${LIFECYCLE_FIELDS.map(() => 'NULL').join(', ')}, NULL
       FROM unnest(${params.add(mark, 'bigint[]')}) AS m(id)
     ) r ORDER BY 1
     ON CONFLICT (id) DO NOTHING`,
    params.values,
  );
  return Math.max(0, rowCount - mark.length);
}

/** How long a derivation waits for a transaction writing events (then the run fails, resumable). */
const SETTLE_LIMIT_MS = 60_000;
const SETTLE_POLL_MS = 10;

/**
 * The highest event id that a derivation starting now is sure to see with everything below it.
 * The highest visible id alone is not that: an event id is taken when the row is inserted, not when
 * its transaction commits, so a transaction still open can hold a lower id that commits later, and
 * the apply's re-check (events above the mark) would never look at it. Every such transaction holds
 * a RowExclusiveLock on finding_events from its INSERT to its end, so the ones open now are waited
 * for; one that inserts after this look takes a higher id than the mark and is re-checked. Our own
 * derivations only read events, so they never wait for each other.
 */
async function settledEventsMark(db: SqlExecutor): Promise<string> {
  const { rows } = await db.query<{ mark: string; writers: string[] }>(
    `SELECT coalesce((SELECT max(e.id) FROM public.finding_events e), 0)::text AS mark,
            coalesce((SELECT array_agg(l.virtualtransaction) FROM pg_locks l
                      WHERE l.locktype = 'relation' AND l.relation = 'public.finding_events'::regclass
                        AND l.mode = 'RowExclusiveLock' AND l.granted
                        AND l.pid IS DISTINCT FROM pg_backend_pid()), '{}') AS writers`,
  );
  const { mark, writers } = rows[0] ?? { mark: '0', writers: [] };
  const started = Date.now();
  let open = writers;
  while (open.length > 0) {
    if (Date.now() - started > SETTLE_LIMIT_MS) {
      throw new Error(
        `a transaction writing finding_events has been open for over ${SETTLE_LIMIT_MS / 1000} s (virtual transaction ${open[0]}): ` +
          'the derivation waits for it so as not to miss its events; end that transaction, then resume the run',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    const { rows: still } = await db.query<{ open: string[] }>(
      `SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}') AS open FROM pg_locks l
       WHERE l.locktype = 'relation' AND l.relation = 'public.finding_events'::regclass
         AND l.virtualtransaction = ANY ($1::text[])`,
      [open],
    );
    open = still[0]?.open ?? [];
  }
  return mark;
}

async function createWorkTable(db: SqlExecutor, table: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${table} (${WORK_TABLE_COLUMNS})`);
      return;
    } catch (error) {
      // Two creators at once: one of them meets the other's catalog row; the table exists now.
      if ((error as { code?: string }).code !== '23505' || attempt >= 3) throw error;
    }
  }
}

/** Drops a run's work table once the run has written everything (nothing reads it after). */
export async function dropLifecycleWork(db: SqlExecutor, table: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${table}`);
}

/**
 * Keyset work over findings.id within `scope`; the daemon drives the chunks. With `workTable`
 * (prepared by prepareLifecycleWork) a chunk writes what the run derived up front; without it, or
 * while that table is missing or incomplete, a chunk derives its own rows.
 */
export function lifecycleWork(scope: ResolvedScope, workTable?: string): KeysetWork {
  // Did nextChunk see the table, by the chunk it answered ("afterId..lastId"): the daemon asks for
  // a chunk and writes it in the same transaction, but a sandboxed plugin gets a new executor for
  // every call, so the chunk's range is what ties the two. Workers hold disjoint ranges; bounded.
  const workPresent = new Map<string, boolean>();
  const chunkKey = (afterId: string | null, lastId: string | null | undefined) => `${afterId}..${lastId}`;
  return {
    async countItems(db: SqlExecutor): Promise<number> {
      const params = new SqlParams();
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${FINDINGS_WITH_TENANT} WHERE ${scopePredicate(scope, params)}`,
        params.values,
      );
      return Number(rows[0]?.n ?? 0);
    },

    async idBounds(db: SqlExecutor): Promise<IdBounds | null> {
      const params = new SqlParams();
      const where = scopePredicate(scope, params);
      // Two walks of an id-ordered index from either end, each stopping at its first row in scope;
      // min()/max() over the join would aggregate every row instead.
      const { rows } = await db.query<{ first_id: string | null; last_id: string | null }>(
        `SELECT (SELECT f.id FROM ${FINDINGS_WITH_TENANT} WHERE ${where} ORDER BY f.id LIMIT 1)::text AS first_id,
                (SELECT f.id FROM ${FINDINGS_WITH_TENANT} WHERE ${where} ORDER BY f.id DESC LIMIT 1)::text AS last_id`,
        params.values,
      );
      const row = rows[0];
      return row?.first_id && row.last_id ? { firstId: row.first_id, lastId: row.last_id } : null;
    },

    async nextChunk(db: SqlExecutor, afterId: string | null, size: number, until?: string | null) {
      const params = new SqlParams();
      const where = `${scopePredicate(scope, params)} AND ${idRangePredicate({ afterId, lastId: until }, params)}`;
      // The work table's presence rides along (one round trip less per chunk): applyChunk, on the
      // same executor (the same chunk transaction), reads it instead of asking again.
      const present = workTable ? `to_regclass(${params.add(workTable, 'text')}) IS NOT NULL` : 'false';
      const { rows } = await db.query<{ last_id: string | null; items: string; work_present: boolean }>(
        `SELECT max(c.id)::text AS last_id, count(*) AS items, ${present} AS work_present
         FROM (SELECT f.id FROM ${FINDINGS_WITH_TENANT} WHERE ${where}
               ORDER BY f.id LIMIT ${params.add(size, 'integer')}) c`,
        params.values,
      );
      const row = rows[0];
      if (!row || row.last_id === null) return null;
      if (workTable) {
        if (workPresent.size >= 1024) workPresent.clear();
        workPresent.set(chunkKey(afterId, row.last_id), row.work_present);
      }
      return { lastId: row.last_id, items: Number(row.items) };
    },

    async tenantsInRange(db: SqlExecutor, range): Promise<TenantRef[]> {
      const params = new SqlParams();
      const where = `${scopePredicate(scope, params)} AND ${idRangePredicate(range, params)}`;
      const { rows } = await db.query<{ tenant_id: string | number; external_id: string }>(
        `SELECT DISTINCT f.tenant_id, t.external_id
         FROM ${FINDINGS_WITH_TENANT} WHERE ${where} ORDER BY f.tenant_id`,
        params.values,
      );
      return rows.map((r) => ({ tenantId: Number(r.tenant_id), externalId: r.external_id }));
    },

    async applyChunk(tx: SqlExecutor, chunk: ChunkSelection): Promise<{ updated: number }> {
      const seen = workPresent.get(chunkKey(chunk.afterId, chunk.lastId));
      if (workTable && (seen ?? (await tableExists(tx, workTable)))) {
        const fromTable = await applyFromWorkTable(tx, workTable, chunk);
        if (fromTable !== null) return { updated: fromTable };
      }
      return { updated: await applyDerivingInPlace(tx, scope, chunk) };
    },
  };
}

async function tableExists(tx: SqlExecutor, table: string): Promise<boolean> {
  const { rows } = await tx.query<{ present: boolean }>(
    'SELECT to_regclass($1::text) IS NOT NULL AS present',
    [table],
  );
  return rows[0]?.present ?? false;
}

/**
 * Writes a chunk's affected findings from the work table; null when the table is incomplete (then
 * nothing was written). A row is written only when what the derivation read is still what it holds
 * (status, severity, created_at, and updated_at, which the product moves on every change of its
 * own), when it still differs from its derived fields, and when no event of its finding arrived
 * after its slice's derivation read (the slice's high-water mark). A row the product changed
 * meanwhile is left for the next run. One UPDATE, no SELECT … FOR UPDATE before it: the UPDATE waits
 * for a row the product holds and then re-checks these conditions on the row's newest version
 * (READ COMMITTED's re-check), so a change committed while the chunk waited is seen too; locking
 * first would write every row twice (a lock, then the update: measured at a million findings, a
 * fifth of the run's database CPU). The conditions are all on the row itself, or one index range
 * of new events: a chunk costs a join by id, not a derivation.
 */
async function applyFromWorkTable(
  tx: SqlExecutor,
  table: string,
  chunk: ChunkSelection,
): Promise<number | null> {
  const params = new SqlParams();
  const range = (alias: string) => idRangePredicate(chunk, params, alias);
  const tenantParts: string[] = [];
  if (chunk.onlyTenantId !== null)
    tenantParts.push(`target.tenant_id = ${params.add(String(chunk.onlyTenantId), 'bigint')}`);
  if (chunk.excludeTenantIds.length > 0) {
    tenantParts.push(
      `target.tenant_id <> ALL (${params.add(chunk.excludeTenantIds.map(String), 'bigint[]')})`,
    );
  }
  const set = LIFECYCLE_FIELDS.map((c) => `${c} = w.${c}`).join(', ');
  const stored = LIFECYCLE_FIELDS.map((c) => `target.${c}`).join(', ');
  const derived = LIFECYCLE_FIELDS.map((c) => `w.${c}`).join(', ');
  const inRange = `${range('w')} AND w.id > ${COMPLETE_MARK_ID}`;
  const { rows } = await tx.query<{ complete: boolean; updated: string }>(
    `WITH mark AS (SELECT 1 FROM ${table} w WHERE w.id = ${COMPLETE_MARK_ID}),
     -- Findings with events newer than what their slice's derivation saw (each row keeps its
     -- slice's high-water mark): one index range scan from the chunk's lowest mark.
     newer AS (
       SELECT e.finding_id, max(e.id) AS newest FROM public.finding_events e
       WHERE e.id > (SELECT min(w.events_high_water) FROM ${table} w WHERE ${inRange})
       GROUP BY e.finding_id
     ),
     written AS (
       UPDATE public.findings AS target
       SET ${set}, updated_at = now()
       FROM ${table} w
       WHERE w.id = target.id AND ${inRange} AND ${range('target')}
         ${tenantParts.map((p) => `AND ${p}`).join(' ')}
         AND EXISTS (SELECT 1 FROM mark)
         AND (target.status, target.severity, target.created_at, target.updated_at)
             IS NOT DISTINCT FROM (w.read_status, w.read_severity, w.read_created_at, w.read_updated_at)
         AND (${stored}) IS DISTINCT FROM (${derived})
         AND NOT EXISTS (SELECT 1 FROM newer n WHERE n.finding_id = target.id AND n.newest > w.events_high_water)
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM mark) AS complete, (SELECT count(*) FROM written) AS updated`,
    params.values,
  );
  const row = rows[0];
  if (!row?.complete) return null;
  return Number(row.updated);
}

/** A chunk derived and written in one statement (no work table, or not a complete one). */
async function applyDerivingInPlace(
  tx: SqlExecutor,
  scope: ResolvedScope,
  chunk: ChunkSelection,
): Promise<number> {
  const params = new SqlParams();
  const where = `${scopePredicate(scope, params)} AND ${chunkPredicate(chunk, params)}`;
  const set = LIFECYCLE_FIELDS.map((c) => `${c} = d.${c}`).join(', ');
  // One set-based statement; only affected rows are written, so a second pass updates 0. The
  // range is repeated on `target`: the planner does not carry inequalities across `target.id =
  // d.id`, and without it may scan the whole table to join a chunk back to its rows.
  // The status the derivation read must still be the row's status when it is locked: if the
  // product changed it meanwhile, PostgreSQL re-checks only `target`, so the row is skipped
  // here (not overwritten with a stale derivation) and the next run repairs it.
  const { rowCount } = await tx.query(
    `UPDATE public.findings AS target
     SET ${set}, updated_at = now()
     FROM (${derivedLifecycleSql(where, 'per-finding')}) d
     WHERE target.id = d.id AND ${idRangePredicate(chunk, params, 'target')} AND d.affected
       AND target.status IS NOT DISTINCT FROM d.read_status`,
    params.values,
  );
  return rowCount;
}
