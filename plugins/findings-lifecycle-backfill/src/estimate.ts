import type { PreflightContext, PreflightEstimate, ResolvedScope, SqlExecutor } from '@ops/runbook-sdk';
import { CERTAINLY_AFFECTED_SQL, type DerivationSource, derivedLifecycleSql } from './derivation.ts';
import { lifecyclePreflight } from './preflight.ts';
import { type ClusterSums, estimateAffected } from './sample-estimate.ts';
import { FINDINGS_WITH_TENANT, sampledFindingsWithTenant, scopePredicate } from './selection.ts';
import { SqlParams } from './sql-params.ts';

// How big a sample: the margin shrinks with the square root of the findings derived, the time grows
// with them (each needs its events through the index). About 8,000 give ±1 percentage point (95%)
// on a 30% share even when no drift shows on the rows themselves, in ~150 ms with warm caches; a
// scope of EXACT_UP_TO findings or fewer is cheaper to count outright.
const SAMPLE_TARGET = 8000;
const EXACT_UP_TO = 20_000;
/** A hashed id below this share of 2^16 picks a finding of one big tenant into its sample. */
const HASH_RANGE = 65_536;
/** Parts of the sample derived side by side (a power of two: the tenant split takes hash bits). */
const PARTS = 2;

/**
 * A sampled estimate of the preflight's affected count, with its 95% margin. Beside the sample, one
 * pass over the findings in scope (no events) counts them, and counts those certainly affected
 * whatever their events say; the sample, derived with the same SQL as the run, estimates only the
 * rest. All tenants: a sample of the findings table's pages. One tenant: counted outright when
 * small, else a hashed sample of its ids.
 */
export async function lifecycleEstimate(
  ctx: PreflightContext,
  scope: ResolvedScope,
): Promise<PreflightEstimate> {
  const size = scope.kind === 'all' ? await tableRows(ctx.db) : await countInScope(ctx.db, scope);
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
  // The sample is derived in parts side by side (disjoint sets of clusters, so their sums add up),
  // beside the census: on a few cores the estimate is back in the time of its largest part.
  const [inScope, ...parts] = await Promise.all([
    census(ctx.db, scope),
    ...Array.from({ length: PARTS }, (_, part) => samplePart(ctx.db, scope, fraction, part)),
  ]);
  const sums = addSums(parts);
  const { total, margin } = estimateAffected(sums, inScope.rows, inScope.certain, fraction);
  return { affected_count: total, margin, sampled: sums.rows, population: inScope.rows, exact: false };
}

/** Part `part` of `PARTS` of the sample: its clusters' sums. */
function samplePart(
  db: SqlExecutor,
  scope: ResolvedScope,
  fraction: number,
  part: number,
): Promise<ClusterSums> {
  const params = new SqlParams();
  let where = scopePredicate(scope, params);
  let source: DerivationSource;
  if (scope.kind === 'all') {
    // A page is the sampling unit: its rows form one cluster, and pages are split by number.
    source = {
      from: sampledFindingsWithTenant(fraction * 100, params),
      columns: `(f.ctid::text::point)[0] AS cluster, ${CERTAINLY_AFFECTED_SQL} AS certain`,
    };
    where += ` AND ((f.ctid::text::point)[0])::bigint % ${PARTS} = ${params.add(part, 'integer')}`;
  } else {
    // Each finding on its own, by a hash of its id: the low bits pick the sample, the next the part.
    const picked = params.add(Math.ceil(fraction * HASH_RANGE), 'integer');
    where += ` AND (hashint8(f.id) & ${HASH_RANGE - 1}) < ${picked}
      AND ((hashint8(f.id) >> 16) & ${PARTS - 1}) = ${params.add(part, 'integer')}`;
    source = { from: FINDINGS_WITH_TENANT, columns: `f.id AS cluster, ${CERTAINLY_AFFECTED_SQL} AS certain` };
  }
  return clusterSums(db, derivedLifecycleSql(where, 'per-finding', source), params.values);
}

function addSums(parts: ClusterSums[]): ClusterSums {
  const add = (key: keyof ClusterSums) => parts.reduce((sum, p) => sum + p[key], 0);
  return {
    clusters: add('clusters'),
    rows: add('rows'),
    total: add('total'),
    totalSquared: add('totalSquared'),
    rowsSquared: add('rowsSquared'),
    totalTimesRows: add('totalTimesRows'),
  };
}

/** The findings table's rows as the statistics know them: enough to size a sample. */
async function tableRows(db: SqlExecutor): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT greatest(reltuples, pg_relation_size(oid) / 200)::float8 AS n FROM pg_class
     WHERE oid = 'public.findings'::regclass`,
  );
  return rows[0]?.n ?? 0;
}

/** Findings in scope, and those certainly affected: one pass over their rows, no events. */
async function census(db: SqlExecutor, scope: ResolvedScope): Promise<{ rows: number; certain: number }> {
  const params = new SqlParams();
  const { rows } = await db.query<{ rows: string; certain: string }>(
    `SELECT count(*) AS rows, count(*) FILTER (WHERE ${CERTAINLY_AFFECTED_SQL}) AS certain
     FROM ${FINDINGS_WITH_TENANT} WHERE ${scopePredicate(scope, params)}`,
    params.values,
  );
  return { rows: Number(rows[0]?.rows ?? 0), certain: Number(rows[0]?.certain ?? 0) };
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
    // y = affected − certain: what the cheap test misses, which is all the sample has to estimate.
    `SELECT count(*)::float8 AS "clusters", coalesce(sum(n), 0) AS "rows", coalesce(sum(y), 0) AS "total",
            coalesce(sum(y * y), 0) AS "totalSquared", coalesce(sum(n * n), 0) AS "rowsSquared",
            coalesce(sum(y * n), 0) AS "totalTimesRows"
     FROM (SELECT d.cluster, count(*)::float8 AS n,
                  (count(*) FILTER (WHERE d.affected) - count(*) FILTER (WHERE d.certain))::float8 AS y
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
