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

/** Keyset work over findings.id within `scope`; the daemon drives the chunks. */
export function lifecycleWork(scope: ResolvedScope): KeysetWork {
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
      const { rows } = await db.query<{ last_id: string | null; items: string }>(
        `SELECT max(c.id)::text AS last_id, count(*) AS items
         FROM (SELECT f.id FROM ${FINDINGS_WITH_TENANT} WHERE ${where}
               ORDER BY f.id LIMIT ${params.add(size, 'integer')}) c`,
        params.values,
      );
      const row = rows[0];
      if (!row || row.last_id === null) return null;
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
      return { updated: rowCount };
    },
  };
}
