import type { PreflightContext, PreflightResult, ResolvedScope, SqlExecutor } from '@ops/runbook-sdk';
import { derivedLifecycleSql } from './derivation.ts';
import { scopePredicate } from './selection.ts';
import { SqlParams } from './sql-params.ts';

/** The preflight's one statement: read-only, set-based. Exported so tests can EXPLAIN it. */
export function preflightQuery(scope: ResolvedScope): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const where = scopePredicate(scope, params);
  // All tenants touch every event: one scan + hash aggregate beats walking the index per finding.
  // One tenant touches few: go through findings (tenant_id, id) and events (finding_id, ...).
  const access = scope.kind === 'all' ? 'scan-all' : 'per-finding';
  // Counted per tenant first: a hash aggregate over a few groups, where count(DISTINCT tenant_id)
  // would sort every finding of the table.
  const text = `
    SELECT coalesce(sum(per_tenant.affected), 0) AS affected_count,
           coalesce(sum(per_tenant.scanned), 0) AS total_scanned,
           count(*) FILTER (WHERE per_tenant.affected > 0) AS estimated_tenants
    FROM (
      SELECT d.tenant_id, count(*) FILTER (WHERE d.affected) AS affected, count(*) AS scanned
      FROM (${derivedLifecycleSql(where, access)}) d
      GROUP BY d.tenant_id
    ) per_tenant`;
  return { text, values: params.values };
}

/**
 * Session settings for the all-tenants count (plan shape and memory), as data. Measured at a
 * million findings (npm run bench, and backend CPU time): a sort-based aggregate of the events
 * (sort them by finding, aggregate each finding's run, merge-join the findings in id order) costs
 * about a sixth less than the hash aggregate the planner picks by default, whose table of a million
 * findings spills to disk in dozens of batches at the default work_mem and, given the memory not
 * to, no longer fits any CPU cache. 32MB lets the sorts merge in few passes; more does not help.
 * The OFFSET 0 fence in derivation.ts keeps the events a sequential scan either way.
 */
export const FULL_SCAN_SETTINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['enable_hashagg', 'off'],
  ['work_mem', '32MB'],
];

/** Applies FULL_SCAN_SETTINGS to the transaction of `tx` (work_mem only ever raised). */
export async function tuneForFullScan(tx: SqlExecutor): Promise<void> {
  for (const [name, value] of FULL_SCAN_SETTINGS) {
    await tx.query(
      name === 'work_mem'
        ? `SELECT set_config('work_mem', CASE WHEN pg_size_bytes(current_setting('work_mem')) < pg_size_bytes($1)
             THEN $1 ELSE current_setting('work_mem') END, true)`
        : `SELECT set_config($2, $1, true)`,
      name === 'work_mem' ? [value] : [value, name],
    );
  }
}

async function count(db: SqlExecutor, scope: ResolvedScope): Promise<PreflightResult> {
  const { text, values } = preflightQuery(scope);
  const { rows } = await db.query<{
    affected_count: string;
    total_scanned: string;
    estimated_tenants: string;
  }>(text, values);
  const row = rows[0];
  return {
    affected_count: Number(row?.affected_count ?? 0),
    total_scanned: Number(row?.total_scanned ?? 0),
    estimated_tenants: Number(row?.estimated_tenants ?? 0),
  };
}

/**
 * The exact count. All tenants: one statement tuned in its own read-only transaction (where the
 * host offers one). One tenant: served by the indexes, nothing to tune.
 */
export async function lifecyclePreflight(
  ctx: PreflightContext,
  scope: ResolvedScope,
): Promise<PreflightResult> {
  if (scope.kind !== 'all' || !ctx.readOnly) return count(ctx.db, scope);
  return ctx.readOnly(async (tx) => {
    await tuneForFullScan(tx);
    return count(tx, scope);
  });
}

/**
 * Whether any finding in scope is affected: the derivation walked in id order through the indexes,
 * stopping at the first affected finding, which where there is drift takes milliseconds. On a
 * clean table that walk would visit everything, slower than counting; so it gets `walkMs`, and
 * past that the tuned count decides.
 */
export async function lifecycleHasAffected(
  ctx: PreflightContext,
  scope: ResolvedScope,
  walkMs = 2000,
): Promise<boolean> {
  const params = new SqlParams();
  const text = `SELECT EXISTS (
      SELECT 1 FROM (${derivedLifecycleSql(scopePredicate(scope, params), 'per-finding')}) d WHERE d.affected
    ) AS found`;
  if (!ctx.readOnly) {
    const { rows } = await ctx.db.query<{ found: boolean }>(text, params.values);
    return rows[0]?.found ?? false;
  }
  try {
    return await ctx.readOnly(async (tx) => {
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [`${walkMs}ms`]);
      const { rows } = await tx.query<{ found: boolean }>(text, params.values);
      return rows[0]?.found ?? false;
    });
  } catch (error) {
    if ((error as { code?: string }).code !== '57014') throw error; // query_canceled: the walk's time ran out
    return (await lifecyclePreflight(ctx, scope)).affected_count > 0;
  }
}
