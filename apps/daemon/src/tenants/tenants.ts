import { PLATFORM_TENANT_EXTERNAL_ID, type ResolvedScope, type Scope } from '@ops/runbook-sdk';
import type pg from 'pg';
import { InputError } from '../errors.ts';

// The allowed tenant universe: every tenant but the platform's own. Nothing may target the platform
// tenant, so it is refused exactly like a tenant that does not exist (no hint that it is there).

interface TenantRow {
  id: string;
  external_id: string;
  name: string;
}

function toScope(row: TenantRow | undefined, asked: string): ResolvedScope {
  if (!row || row.external_id === PLATFORM_TENANT_EXTERNAL_ID) {
    throw new InputError('tenant', `tenant ${asked} does not exist or is not in the allowed tenant universe`);
  }
  return { kind: 'tenant', tenantId: Number(row.id), externalId: row.external_id, name: row.name };
}

/** Resolves an API scope (tenant by numeric id). Throws InputError naming `tenant`. */
export async function resolveScope(pool: pg.Pool, scope: Scope): Promise<ResolvedScope> {
  if (scope.kind === 'all') return { kind: 'all' };
  const { rows } = await pool.query<TenantRow>(
    'SELECT id, external_id, name FROM public.tenants WHERE id = $1',
    [scope.tenantId],
  );
  return toScope(rows[0], String(scope.tenantId));
}

/** Resolves a CLI scope (tenant by external id, or all tenants when none). Throws InputError. */
export async function resolveScopeByExternalId(
  pool: pg.Pool,
  externalId: string | undefined,
): Promise<ResolvedScope> {
  if (externalId === undefined) return { kind: 'all' };
  const { rows } = await pool.query<TenantRow>(
    'SELECT id, external_id, name FROM public.tenants WHERE external_id = $1',
    [externalId],
  );
  return toScope(rows[0], externalId);
}

export interface TenantSearchHit {
  id: number;
  externalId: string;
  name: string;
}

/**
 * The tenant picker: the allowed universe only, ranked exact match, then prefix, then substring
 * (of the name or the external id), then name. Limited, so it stays fast at any tenant count.
 */
export async function searchTenants(pool: pg.Pool, q: string, limit: number): Promise<TenantSearchHit[]> {
  const needle = q.trim().toLowerCase();
  const { rows } = await pool.query<{ id: string; external_id: string; name: string }>(
    `SELECT id, external_id, name FROM public.tenants
      WHERE external_id <> $1
        AND ($2 = '' OR strpos(lower(name), $2) > 0 OR strpos(lower(external_id), $2) > 0)
      ORDER BY (lower(name) = $2 OR lower(external_id) = $2) DESC,
               (starts_with(lower(name), $2) OR starts_with(lower(external_id), $2)) DESC,
               lower(name), id
      LIMIT $3`,
    [PLATFORM_TENANT_EXTERNAL_ID, needle, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), externalId: r.external_id, name: r.name }));
}
