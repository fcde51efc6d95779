import { type ChunkRange, PLATFORM_TENANT_EXTERNAL_ID, type ResolvedScope } from '@ops/runbook-sdk';
import type { SqlParams } from './sql-params.ts';

/**
 * Predicates over `public.findings f JOIN public.tenants t ON t.id = f.tenant_id` (the FROM every
 * statement of this runbook uses). Each returns SQL text and registers its values in `params`.
 */

/** The FROM that every selection's predicates refer to. */
export const FINDINGS_WITH_TENANT = 'public.findings f JOIN public.tenants t ON t.id = f.tenant_id';

/**
 * `FINDINGS_WITH_TENANT` over a sample of the findings table's pages (TABLESAMPLE SYSTEM): reads
 * only `percent` of the table. REPEATABLE keeps one sample for one table state, so an estimate
 * shown twice does not wobble.
 */
export function sampledFindingsWithTenant(percent: number, params: SqlParams): string {
  return `public.findings f TABLESAMPLE SYSTEM (${params.add(percent, 'float8')}) REPEATABLE (42)
    JOIN public.tenants t ON t.id = f.tenant_id`;
}

/** Findings of the run's scope. The platform tenant is excluded here, in SQL, whatever the scope says. */
export function scopePredicate(scope: ResolvedScope, params: SqlParams): string {
  const notPlatform = `NOT ${platformTenantPredicate(params)}`;
  if (scope.kind === 'all') return notPlatform;
  return `${notPlatform} AND f.tenant_id = ${params.add(String(scope.tenantId), 'bigint')}`;
}

/** Findings of the platform tenant (read-only statements count them, to leave them out). */
export function platformTenantPredicate(params: SqlParams): string {
  return `t.external_id = ${params.add(PLATFORM_TENANT_EXTERNAL_ID, 'text')}`;
}

/** Findings with ids in (afterId, lastId]; either end may be open. `alias` names the findings row. */
export function idRangePredicate(
  range: { afterId: string | null; lastId?: string | null },
  params: SqlParams,
  alias = 'f',
): string {
  const parts: string[] = [];
  if (range.afterId !== null) parts.push(`${alias}.id > ${params.add(range.afterId, 'bigint')}`);
  if (range.lastId != null) parts.push(`${alias}.id <= ${params.add(range.lastId, 'bigint')}`);
  return parts.length > 0 ? parts.join(' AND ') : 'true';
}

/** A chunk's range, narrowed to one tenant and/or leaving out tenants the daemon isolated. */
export function chunkPredicate(
  chunk: ChunkRange & { onlyTenantId: number | null; excludeTenantIds: readonly number[] },
  params: SqlParams,
): string {
  const parts = [idRangePredicate(chunk, params)];
  if (chunk.onlyTenantId !== null)
    parts.push(`f.tenant_id = ${params.add(String(chunk.onlyTenantId), 'bigint')}`);
  if (chunk.excludeTenantIds.length > 0) {
    parts.push(`f.tenant_id <> ALL (${params.add(chunk.excludeTenantIds.map(String), 'bigint[]')})`);
  }
  return parts.join(' AND ');
}
