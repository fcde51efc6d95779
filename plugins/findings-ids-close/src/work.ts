import {
  type ChunkSelection,
  type CsvInputRows,
  csvRowWork,
  type KeysetWork,
  type NumberedRow,
  type ResolvedScope,
  type SqlExecutor,
} from '@ops/runbook-sdk';
import { CLOSED, FINDINGS, inScope, JOURNAL_TABLE, Params } from './sql.ts';

const idsOf = (rows: NumberedRow[]) => rows.map((r) => String(r.row.finding_id));

/**
 * The listed findings, chunk by chunk of CSV rows: each chunk closes its findings that are in scope
 * and journals each of its rows that named one, in the chunk's transaction (so exactly once); rows
 * of this file journaled already (by an interrupted run of it) are skipped.
 */
export function closeWork(input: CsvInputRows, scope: ResolvedScope, runId: string): KeysetWork {
  return csvRowWork(input, {
    async tenantsOf(db, rows) {
      const p = new Params();
      const { rows: found } = await db.query<{ tenant_id: string; external_id: string }>(
        `SELECT DISTINCT f.tenant_id, t.external_id FROM ${FINDINGS}
          WHERE f.id = ANY(${p.add(idsOf(rows), 'bigint[]')}) AND ${inScope(scope, p)} ORDER BY f.tenant_id`,
        p.values,
      );
      return found.map((r) => ({ tenantId: Number(r.tenant_id), externalId: r.external_id }));
    },
    async apply(tx: SqlExecutor, rows, selection: ChunkSelection) {
      const p = new Params();
      const narrow =
        (selection.onlyTenantId === null
          ? ''
          : ` AND f.tenant_id = ${p.add(selection.onlyTenantId, 'bigint')}`) +
        (selection.excludeTenantIds.length
          ? ` AND NOT (f.tenant_id = ANY(${p.add(selection.excludeTenantIds, 'bigint[]')}))`
          : '');
      const listed = `unnest(${p.add(
        rows.map((r) => r.rowNumber),
        'integer[]',
      )}, ${p.add(idsOf(rows), 'bigint[]')}, ${p.add(
        rows.map((r) => r.row.note ?? null),
        'text[]',
      )}) AS l(row_number, finding_id, note)`;
      const sha = p.add(input.sha256, 'text');
      const { rows: out } = await tx.query<{ updated: number }>(
        `WITH target AS (
           SELECT l.row_number, l.finding_id, l.note, f.tenant_id
             FROM ${listed} JOIN ${FINDINGS} ON f.id = l.finding_id
            WHERE ${inScope(scope, p)}${narrow}
              AND NOT EXISTS (SELECT 1 FROM ${JOURNAL_TABLE} j
                               WHERE j.file_sha256 = ${sha} AND j.row_number = l.row_number)),
         closed AS (
           UPDATE public.findings f SET status = '${CLOSED}', resolved_at = COALESCE(f.resolved_at, now()),
                  updated_at = now()
            WHERE f.id IN (SELECT finding_id FROM target) AND f.status IS DISTINCT FROM '${CLOSED}'
           RETURNING f.id),
         journal AS (
           INSERT INTO ${JOURNAL_TABLE} (file_sha256, row_number, run_id, finding_id, tenant_id, note)
           SELECT ${sha}, row_number, ${p.add(runId, 'bigint')}, finding_id, tenant_id, note FROM target
           RETURNING 1)
         SELECT (SELECT count(*) FROM closed)::int AS updated, (SELECT count(*) FROM journal)::int AS journaled`,
        p.values,
      );
      return { updated: out[0]?.updated ?? 0 };
    },
  });
}

/** What the file asks against what the scope holds: to close, already closed, and ids not found. */
export async function tally(
  db: SqlExecutor,
  input: CsvInputRows,
  scope: ResolvedScope,
): Promise<{ toClose: number; alreadyClosed: number; tenants: number; notFound: string[] }> {
  const p = new Params();
  const ids = p.add(
    input.rows.map((r) => String(r.finding_id)),
    'bigint[]',
  );
  const { rows } = await db.query<{ id: string; status: string | null; tenant_id: string | null }>(
    `SELECT l.id::text AS id, f.status, f.tenant_id::text AS tenant_id
       FROM (SELECT DISTINCT unnest(${ids}) AS id) l
       LEFT JOIN (SELECT f.id, f.status, f.tenant_id FROM ${FINDINGS} WHERE ${inScope(scope, p)}) f ON f.id = l.id
      ORDER BY l.id`,
    p.values,
  );
  const found = rows.filter((r) => r.tenant_id !== null);
  return {
    toClose: found.filter((r) => r.status !== CLOSED).length,
    alreadyClosed: found.filter((r) => r.status === CLOSED).length,
    tenants: new Set(found.filter((r) => r.status !== CLOSED).map((r) => r.tenant_id)).size,
    notFound: rows.filter((r) => r.tenant_id === null).map((r) => r.id),
  };
}
