import type { ChunkSelection, KeysetWork, SqlExecutor } from '../context.ts';
import type { RunbookDefinition } from '../define.ts';
import { sql } from '../sql.ts';
import { insertKitTenants } from './fixtures.ts';

/**
 * A hand-written toy runbook for the kit's own tests (stamp lifecycle_version = 1 where it is
 * missing, never on the platform tenant's findings), with switches that break it the ways the kit
 * must catch.
 */
export interface ToyFaults {
  /** applyChunk writes the whole range whatever the daemon narrowed it to. */
  ignoreNarrowing?: boolean;
  /** Counts and writes the platform tenant's findings too. */
  writePlatform?: boolean;
  /** applyChunk never answers (JavaScript), or its statement never ends (SQL). */
  hang?: 'javascript' | 'sql';
  /** tenantsInRange names nobody. */
  noTenants?: boolean;
}

const notPlatform = (faults: ToyFaults) =>
  faults.writePlatform
    ? sql`TRUE`
    : sql`f.tenant_id NOT IN (SELECT id FROM tenants WHERE external_id = 'platform')`;

const range = (c: { afterId: string | null; lastId: string }) =>
  sql`f.id > coalesce(${c.afterId}::bigint, 0) AND f.id <= ${c.lastId}::bigint`;

export function toyWork(faults: ToyFaults = {}): KeysetWork {
  const narrowed = (chunk: ChunkSelection) =>
    faults.ignoreNarrowing
      ? sql`TRUE`
      : sql`(${chunk.onlyTenantId}::bigint IS NULL OR f.tenant_id = ${chunk.onlyTenantId}::bigint)
            AND NOT (f.tenant_id = ANY(${chunk.excludeTenantIds}::bigint[]))`;
  return {
    async countItems(db) {
      const { rows } = await db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM findings f WHERE ${notPlatform(faults)}`,
      );
      return rows[0]!.n;
    },
    async nextChunk(db, afterId, size) {
      const { rows } = await db.query<{ last: string | null; n: number }>(
        sql`SELECT max(id)::text AS last, count(*)::int AS n FROM (SELECT f.id FROM findings f
             WHERE f.id > coalesce(${afterId}::bigint, 0) AND ${notPlatform(faults)} ORDER BY f.id LIMIT ${size}::int) c`,
      );
      return rows[0]!.last === null ? null : { lastId: rows[0]!.last, items: rows[0]!.n };
    },
    async tenantsInRange(db, chunk) {
      if (faults.noTenants) return [];
      const { rows } = await db.query<{ id: string; external_id: string }>(
        sql`SELECT DISTINCT t.id::text, t.external_id FROM findings f JOIN tenants t ON t.id = f.tenant_id
             WHERE ${range(chunk)} AND ${notPlatform(faults)} ORDER BY 1`,
      );
      return rows.map((r) => ({ tenantId: Number(r.id), externalId: r.external_id }));
    },
    async applyChunk(tx, chunk) {
      if (faults.hang === 'javascript') await new Promise(() => {});
      if (faults.hang === 'sql') await tx.query('SELECT pg_sleep(3600)');
      const { rowCount } = await tx.query(
        sql`UPDATE findings f SET lifecycle_version = 1
             WHERE ${range(chunk)} AND ${notPlatform(faults)} AND ${narrowed(chunk)} AND lifecycle_version IS NULL`,
      );
      return { updated: rowCount };
    },
  };
}

export function toyRunbook(faults: ToyFaults = {}): RunbookDefinition {
  return {
    id: 'kit.toy.stamp',
    version: '1.0.0',
    title: 'Stamp',
    description: 'Stamps lifecycle_version',
    sdk: '>=1.0.0',
    capability: 'platform.runbooks.kit_toy',
    scopes: ['all', 'tenant'],
    confirmationPhrase: 'STAMP',
    async preflight(ctx, scope) {
      const only = scope.kind === 'tenant' ? sql`f.tenant_id = ${scope.tenantId}::bigint` : sql`TRUE`;
      const { rows } = await ctx.db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM findings f
             WHERE lifecycle_version IS NULL AND ${notPlatform(faults)} AND ${only}`,
      );
      return { affected_count: rows[0]!.n };
    },
    async run(ctx, scope) {
      const work = toyWork(faults);
      if (scope.kind === 'tenant') {
        // Scoped: the same work narrowed to the tenant for every chunk.
        const inner = work;
        return {
          ...(await ctx.runChunked({
            ...inner,
            applyChunk: (tx, chunk) =>
              inner.applyChunk(tx, {
                ...chunk,
                onlyTenantId: chunk.onlyTenantId ?? scope.tenantId,
              }),
          })),
        };
      }
      return { ...(await ctx.runChunked(work)) };
    },
  };
}

/** Four tenants (the platform's and three customers), seven findings each, none stamped. */
export async function toyFixtures(db: SqlExecutor): Promise<void> {
  await insertKitTenants(db);
  await db.query(`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
                  SELECT t.id, 'fp-' || g, 't', 'low', now(), now()
                    FROM tenants t CROSS JOIN generate_series(1, 7) g ORDER BY g, t.id`);
}
