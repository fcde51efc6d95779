import type {
  ChunkRange,
  ChunkSelection,
  KeysetWork,
  PreflightContext,
  PreflightResult,
  RunContext,
  RunResult,
  SqlExecutor,
  TenantRef,
} from './context.ts';
import { PLATFORM_TENANT_EXTERNAL_ID, type ResolvedScope } from './scope.ts';
import { SqlFragment, sql } from './sql.ts';

/** A condition or a SET list: a `sql` fragment, or one made from the run's parameters. */
export type SqlPart<P> = SqlFragment | ((params: P) => SqlFragment);

/**
 * A repair of one table, stated: which table, whose rows, which rows need it and what to set.
 * `needsRepair` and `assignment` name the table's columns unqualified (the table is aliased `r`);
 * `needsRepair` must be false once `assignment` is applied, so a second run updates nothing.
 *
 *   keysetRepair({
 *     table: 'public.findings',
 *     needsRepair: sql`severity <> lower(btrim(severity))`,
 *     assignment: sql`severity = lower(btrim(severity)), updated_at = now()`,
 *   })
 */
export interface KeysetRepairSpec<P = Record<string, unknown>> {
  /** The table, e.g. `public.findings` (the schema is optional). */
  table: string;
  /** Its bigint key, walked in order: `id` by default. */
  idColumn?: string;
  /** The column holding the owning tenant's id: `tenant_id` by default. */
  tenantColumn?: string;
  /** Which rows need the repair (a WHERE condition). */
  needsRepair: SqlPart<P>;
  /** What the repair sets (the SET list of an UPDATE). */
  assignment: SqlPart<P>;
}

/** What a keyset repair gives a runbook: its preflight, existence check, run and the work itself. */
export interface KeysetRepair {
  /** `{ affected_count, total_scanned, estimated_tenants }` over the scope. */
  preflight(ctx: PreflightContext, scope: ResolvedScope): Promise<PreflightResult>;
  hasAffected(ctx: PreflightContext, scope: ResolvedScope): Promise<boolean>;
  /** Drives `work` through `ctx.runChunked`: `{ updated_count, total_scanned, error_count }`. */
  run(ctx: RunContext, scope: ResolvedScope): Promise<RunResult>;
  /** The keyset work itself, for a run that does more than the repair. */
  work(scope: ResolvedScope, params?: Record<string, unknown>): KeysetWork;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

function checkName(field: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new TypeError(
      `keysetRepair: ${field} must be a lower-case name like "${example}" (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

function checkPart(field: string, value: unknown): void {
  if (!(value instanceof SqlFragment) && typeof value !== 'function') {
    throw new TypeError(`keysetRepair: ${field} must be a sql\`…\` fragment or a function of the parameters`);
  }
}

/**
 * Keyset work over one table from a declaration: counting, chunking in id order (with `idBounds`,
 * so the daemon may split the work among workers), the tenants of a range, and writes that honour
 * the scope, the daemon's narrowing (`onlyTenantId`, `excludeTenantIds`) and the platform-tenant
 * rule (its rows are never counted nor written). Throws TypeError for a malformed declaration.
 */
export function keysetRepair<P = Record<string, unknown>>(spec: KeysetRepairSpec<P>): KeysetRepair {
  const tableParts = typeof spec.table === 'string' ? spec.table.split('.') : [spec.table];
  if (tableParts.length > 2) throw new TypeError(`keysetRepair: table must be "table" or "schema.table"`);
  tableParts.forEach((part) => {
    checkName('table', part, 'public.findings');
  });
  const table = sql.identifier(...(tableParts as string[]));
  const id = sql.unsafeRaw(`r.${sql.identifier(checkName('idColumn', spec.idColumn ?? 'id', 'id')).text}`);
  const tenant = sql.unsafeRaw(
    `r.${sql.identifier(checkName('tenantColumn', spec.tenantColumn ?? 'tenant_id', 'tenant_id')).text}`,
  );
  checkPart('needsRepair', spec.needsRepair);
  checkPart('assignment', spec.assignment);
  const part = (p: SqlPart<P>, params: Record<string, unknown>) =>
    p instanceof SqlFragment ? p : p(params as P);

  /** The scope's rows, never the platform tenant's. */
  const inScope = (scope: ResolvedScope) => {
    const notPlatform = sql`${tenant} NOT IN (SELECT p.id FROM public.tenants p WHERE p.external_id = ${PLATFORM_TENANT_EXTERNAL_ID})`;
    return scope.kind === 'tenant'
      ? sql`${notPlatform} AND ${tenant} = ${scope.tenantId}::bigint`
      : notPlatform;
  };
  const inRange = (range: ChunkRange) =>
    range.afterId === null
      ? sql`${id} <= ${range.lastId}::bigint`
      : sql`${id} > ${range.afterId}::bigint AND ${id} <= ${range.lastId}::bigint`;
  const narrowed = (chunk: ChunkSelection) =>
    sql.join(
      [
        sql`TRUE`,
        ...(chunk.onlyTenantId === null ? [] : [sql`${tenant} = ${chunk.onlyTenantId}::bigint`]),
        ...(chunk.excludeTenantIds.length
          ? [sql`NOT (${tenant} = ANY(${chunk.excludeTenantIds}::bigint[]))`]
          : []),
      ],
      sql` AND `,
    );

  const work = (scope: ResolvedScope, params: Record<string, unknown> = {}): KeysetWork => {
    const needsRepair = part(spec.needsRepair, params);
    const assignment = part(spec.assignment, params);
    return {
      async countItems(db: SqlExecutor) {
        const { rows } = await db.query<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM ${table} r WHERE ${inScope(scope)}`,
        );
        return rows[0]?.n ?? 0;
      },
      async idBounds(db) {
        const { rows } = await db.query<{ first_id: string | null; last_id: string | null }>(
          sql`SELECT (SELECT ${id} FROM ${table} r WHERE ${inScope(scope)} ORDER BY ${id} LIMIT 1)::text AS first_id,
                     (SELECT ${id} FROM ${table} r WHERE ${inScope(scope)} ORDER BY ${id} DESC LIMIT 1)::text AS last_id`,
        );
        const row = rows[0];
        return row?.first_id && row.last_id ? { firstId: row.first_id, lastId: row.last_id } : null;
      },
      async nextChunk(db, afterId, size, until) {
        const after = afterId === null ? sql`TRUE` : sql`${id} > ${afterId}::bigint`;
        const upTo = until == null ? sql`TRUE` : sql`${id} <= ${until}::bigint`;
        const { rows } = await db.query<{ last_id: string | null; items: number }>(
          sql`SELECT max(k)::text AS last_id, count(*)::int AS items FROM (
                SELECT ${id} AS k FROM ${table} r WHERE ${inScope(scope)} AND ${after} AND ${upTo}
                 ORDER BY ${id} LIMIT ${size}::int) c`,
        );
        const row = rows[0];
        return row?.last_id ? { lastId: row.last_id, items: row.items } : null;
      },
      async tenantsInRange(db, range): Promise<TenantRef[]> {
        const { rows } = await db.query<{ id: string; external_id: string }>(
          sql`SELECT t.id::text, t.external_id FROM public.tenants t
               WHERE t.id IN (SELECT ${tenant} FROM ${table} r WHERE ${inScope(scope)} AND ${inRange(range)})
               ORDER BY t.id`,
        );
        return rows.map((r) => ({ tenantId: Number(r.id), externalId: r.external_id }));
      },
      async applyChunk(tx, chunk) {
        const { rowCount } = await tx.query(
          sql`UPDATE ${table} AS r SET ${assignment}
               WHERE ${inRange(chunk)} AND ${inScope(scope)} AND ${narrowed(chunk)} AND (${needsRepair})`,
        );
        return { updated: rowCount };
      },
    };
  };

  return {
    work,
    async preflight(ctx, scope) {
      const needsRepair = part(spec.needsRepair, ctx.params);
      const { rows } = await ctx.db.query<{ affected: number; scanned: number; tenants: number }>(
        sql`SELECT count(*) FILTER (WHERE ${needsRepair})::int AS affected, count(*)::int AS scanned,
                   count(DISTINCT ${tenant}) FILTER (WHERE ${needsRepair})::int AS tenants
              FROM ${table} r WHERE ${inScope(scope)}`,
      );
      const row = rows[0]!;
      return { affected_count: row.affected, total_scanned: row.scanned, estimated_tenants: row.tenants };
    },
    async hasAffected(ctx, scope) {
      const needsRepair = part(spec.needsRepair, ctx.params);
      const { rows } = await ctx.db.query<{ found: boolean }>(
        sql`SELECT EXISTS (SELECT 1 FROM ${table} r WHERE ${inScope(scope)} AND (${needsRepair})) AS found`,
      );
      return rows[0]?.found === true;
    },
    async run(ctx, scope) {
      return { ...(await ctx.runChunked(work(scope, ctx.params))) };
    },
  };
}
