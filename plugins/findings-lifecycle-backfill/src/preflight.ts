import type { PreflightContext, PreflightResult, ResolvedScope } from '@ops/runbook-sdk';
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

export async function lifecyclePreflight(
  ctx: PreflightContext,
  scope: ResolvedScope,
): Promise<PreflightResult> {
  const { text, values } = preflightQuery(scope);
  const { rows } = await ctx.db.query<{
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
