import type { ChunkSelection, KeysetWork, ResolvedScope, SqlExecutor, TenantRef } from '@ops/runbook-sdk';
import { ARCHIVE_TABLE, FINDINGS_IN_SCOPE, IS_DUPLICATE, Params, scopeWhere } from './sql.ts';

function rangeWhere(range: { afterId: string | null; lastId: string }, p: Params): string {
  const upper = `f.id <= ${p.add(range.lastId, 'bigint')}`;
  return range.afterId === null ? upper : `f.id > ${p.add(range.afterId, 'bigint')} AND ${upper}`;
}

/** Keyset chunks over finding ids; each chunk moves its findings' duplicate events to the archive. */
export function dedupeWork(scope: ResolvedScope, runId: string): KeysetWork {
  return {
    async countItems(db: SqlExecutor) {
      const p = new Params();
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${FINDINGS_IN_SCOPE} WHERE ${scopeWhere(scope, p)}`,
        p.values,
      );
      return rows[0]?.n ?? 0;
    },
    async nextChunk(db, afterId, size) {
      const p = new Params();
      const after = afterId === null ? '' : ` AND f.id > ${p.add(afterId, 'bigint')}`;
      const { rows } = await db.query<{ last_id: string | null; items: number }>(
        `SELECT max(id)::text AS last_id, count(*)::int AS items FROM (
           SELECT f.id FROM ${FINDINGS_IN_SCOPE} WHERE ${scopeWhere(scope, p)}${after}
            ORDER BY f.id LIMIT ${p.add(size, 'integer')}) c`,
        p.values,
      );
      const row = rows[0];
      return row?.last_id ? { lastId: row.last_id, items: row.items } : null;
    },
    async tenantsInRange(db, range): Promise<TenantRef[]> {
      const p = new Params();
      const { rows } = await db.query<{ tenant_id: string; external_id: string }>(
        `SELECT DISTINCT f.tenant_id, t.external_id FROM ${FINDINGS_IN_SCOPE}
          WHERE ${scopeWhere(scope, p)} AND ${rangeWhere(range, p)} ORDER BY f.tenant_id`,
        p.values,
      );
      return rows.map((r) => ({ tenantId: Number(r.tenant_id), externalId: r.external_id }));
    },
    async applyChunk(tx, chunk: ChunkSelection) {
      const p = new Params();
      const narrow =
        (chunk.onlyTenantId === null ? '' : ` AND f.tenant_id = ${p.add(chunk.onlyTenantId, 'bigint')}`) +
        (chunk.excludeTenantIds.length
          ? ` AND NOT (f.tenant_id = ANY(${p.add(chunk.excludeTenantIds, 'bigint[]')}))`
          : '');
      const doomed = `SELECT e.id FROM public.finding_events e JOIN ${FINDINGS_IN_SCOPE} ON f.id = e.finding_id
        WHERE ${scopeWhere(scope, p)} AND ${rangeWhere(chunk, p)}${narrow} AND ${IS_DUPLICATE}`;
      // Delete and archive in one statement: a row is either still an event or in the archive.
      const { rowCount } = await tx.query(
        `WITH moved AS (
           DELETE FROM public.finding_events e USING (${doomed}) d WHERE e.id = d.id
           RETURNING e.id, e.finding_id, e.tenant_id, e.kind, e.observed_at)
         INSERT INTO ${ARCHIVE_TABLE} (id, finding_id, tenant_id, kind, observed_at, run_id)
         SELECT id, finding_id, tenant_id, kind, observed_at, ${p.add(runId, 'bigint')} FROM moved`,
        p.values,
      );
      return { updated: rowCount };
    },
  };
}
