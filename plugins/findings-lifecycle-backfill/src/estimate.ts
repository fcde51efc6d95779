import type { PreflightContext, PreflightEstimate, ResolvedScope, SqlExecutor } from '@ops/runbook-sdk';
import { type DerivationSource, derivedLifecycleSql } from './derivation.ts';
import { lifecyclePreflight } from './preflight.ts';
import { type ClusterSums, estimateTotal } from './sample-estimate.ts';
import {
  FINDINGS_WITH_TENANT,
  platformTenantPredicate,
  sampledFindingsWithTenant,
  scopePredicate,
} from './selection.ts';
import { SqlParams } from './sql-params.ts';

// How big a sample: the margin shrinks with the square root of the findings derived, the time grows
// with them (each needs its events through the index). About 8,000 give ±1 percentage point (95%)
// on a 30% share, in ~150 ms with warm caches; a scope of EXACT_UP_TO findings or fewer is cheaper
// to count outright.
const SAMPLE_TARGET = 8000;
const EXACT_UP_TO = 20_000;
/** A hashed id below this share of 2^16 picks a finding of one big tenant into its sample. */
const HASH_RANGE = 65_536;

/**
 * A sampled estimate of the preflight's affected count, with its 95% margin. Its cost does not grow
 * with the table (issue 16: at ten million findings a pass over the findings alone took seconds):
 * all tenants, the findings in scope are taken from the table's statistics, less the platform
 * tenant's (counted through its index), and a sample of the table's pages is derived with the same
 * SQL as the run. One tenant: its findings counted through the (tenant_id, id) index, then counted
 * outright when few, else a hashed sample of its ids.
 */
export async function lifecycleEstimate(
  ctx: PreflightContext,
  scope: ResolvedScope,
): Promise<PreflightEstimate> {
  const size = scope.kind === 'all' ? await findingsInAllTenants(ctx.db) : await countInScope(ctx.db, scope);
  if (size <= EXACT_UP_TO) {
    const exact = await lifecyclePreflight(ctx, scope);
    const scanned = exact.total_scanned ?? 0;
    return {
      affected_count: exact.affected_count,
      margin: 0,
      sampled: scanned,
      population: scanned,
      exact: true,
    };
  }
  const fraction = Math.min(1, SAMPLE_TARGET / size);
  const sums = await sampleSums(ctx.db, scope, fraction);
  const { total, margin } = estimateTotal(sums, size, fraction);
  return {
    affected_count: Math.min(size, total),
    margin,
    sampled: sums.rows,
    population: size,
    exact: false,
  };
}

/** The sample's cluster sums: all tenants, a page is a cluster; one tenant, a finding is. */
function sampleSums(db: SqlExecutor, scope: ResolvedScope, fraction: number): Promise<ClusterSums> {
  const params = new SqlParams();
  let where = scopePredicate(scope, params);
  let source: DerivationSource;
  if (scope.kind === 'all') {
    source = {
      from: sampledFindingsWithTenant(fraction * 100, params),
      columns: '(f.ctid::text::point)[0] AS cluster',
    };
  } else {
    where += ` AND (hashint8(f.id) & ${HASH_RANGE - 1}) < ${params.add(Math.ceil(fraction * HASH_RANGE), 'integer')}`;
    source = { from: FINDINGS_WITH_TENANT, columns: 'f.id AS cluster' };
  }
  return clusterSums(db, derivedLifecycleSql(where, 'per-finding', source), params.values);
}

/**
 * Findings of every tenant but the platform, from the statistics: the planner's own reckoning
 * (rows per page at the last ANALYZE or VACUUM, times the pages the table has now), less the
 * platform tenant's findings, counted. Never analyzed: counted outright (a new table is small).
 */
async function findingsInAllTenants(db: SqlExecutor): Promise<number> {
  const params = new SqlParams();
  const platform = platformTenantPredicate(params);
  const { rows } = await db.query<{ table_rows: number | null; platform: string }>(
    `SELECT (SELECT CASE WHEN c.reltuples >= 0 AND c.relpages > 0
                 THEN c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int)
                 END::float8
             FROM pg_class c WHERE c.oid = 'public.findings'::regclass) AS table_rows,
            (SELECT count(*) FROM ${FINDINGS_WITH_TENANT} WHERE ${platform}) AS platform`,
    params.values,
  );
  const row = rows[0];
  if (row?.table_rows == null) return countInScope(db, { kind: 'all' });
  return Math.max(0, Math.round(row.table_rows) - Number(row.platform));
}

/** Findings in scope, counted (an index-only scan at most). */
async function countInScope(db: SqlExecutor, scope: ResolvedScope): Promise<number> {
  const params = new SqlParams();
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${FINDINGS_WITH_TENANT} WHERE ${scopePredicate(scope, params)}`,
    params.values,
  );
  return Number(rows[0]?.n ?? 0);
}

async function clusterSums(db: SqlExecutor, derivation: string, values: unknown[]): Promise<ClusterSums> {
  const { rows } = await db.query<Record<keyof ClusterSums, number>>(
    `SELECT count(*)::float8 AS "clusters", coalesce(sum(n), 0) AS "rows", coalesce(sum(y), 0) AS "total",
            coalesce(sum(y * y), 0) AS "totalSquared", coalesce(sum(n * n), 0) AS "rowsSquared",
            coalesce(sum(y * n), 0) AS "totalTimesRows"
     FROM (SELECT d.cluster, count(*)::float8 AS n, (count(*) FILTER (WHERE d.affected))::float8 AS y
           FROM (${derivation}) d GROUP BY d.cluster) c`,
    values,
  );
  const row = rows[0];
  return {
    clusters: row?.clusters ?? 0,
    rows: row?.rows ?? 0,
    total: row?.total ?? 0,
    totalSquared: row?.totalSquared ?? 0,
    rowsSquared: row?.rowsSquared ?? 0,
    totalTimesRows: row?.totalTimesRows ?? 0,
  };
}
