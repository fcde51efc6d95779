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

// The all-tenants count holds one hash table of per-finding event facts (~210 bytes a finding at
// PostgreSQL 18) and hashes findings against it. Below that much memory the aggregate spills to
// disk in batches, which more than doubles its time (6 s against 15 s at a million findings). The
// statement gets what it needs, within a cap a DBA would still accept for one interactive query.
const HASH_BYTES_PER_FINDING = 256;
const WORK_MEM_CAP_MB = 512;

/**
 * `work_mem` for the all-tenants count of a table of `findings` rows: enough for its hash tables
 * (hash_mem_multiplier, 2 by default, doubles it for hashing), never below what the session has.
 */
export function preflightWorkMemMb(findings: number, currentMb: number, hashMemMultiplier: number): number {
  const neededMb = Math.ceil((findings * HASH_BYTES_PER_FINDING) / Math.max(1, hashMemMultiplier) / 2 ** 20);
  return Math.max(currentMb, Math.min(WORK_MEM_CAP_MB, neededMb));
}

/**
 * Tunes this transaction for the all-tenants count: memory for the hash aggregate, and no parallel
 * workers (each would build its own table of every finding: three times the memory for little gain
 * on a small machine, and a bigger share of the database than an interactive count deserves).
 */
async function tuneForFullScan(tx: SqlExecutor): Promise<void> {
  const { rows } = await tx.query<{ findings: number; work_mem_mb: number; multiplier: number }>(
    `SELECT greatest(c.reltuples, pg_relation_size(c.oid) / 200)::float8 AS findings,
            pg_size_bytes(current_setting('work_mem'))::float8 / 1048576 AS work_mem_mb,
            current_setting('hash_mem_multiplier')::float8 AS multiplier
     FROM pg_class c WHERE c.oid = 'public.findings'::regclass`,
  );
  const row = rows[0];
  if (!row) return;
  const mb = preflightWorkMemMb(row.findings, row.work_mem_mb, row.multiplier);
  await tx.query(
    `SELECT set_config('work_mem', $1, true), set_config('max_parallel_workers_per_gather', '0', true)`,
    [`${mb}MB`],
  );
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
