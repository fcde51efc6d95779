import type { SqlExecutor } from '../context.ts';
import { PLATFORM_TENANT_EXTERNAL_ID } from '../scope.ts';

/** The kit's tenants: the platform's own (never to be written) and three customers. */
export const KIT_TENANTS = [
  { externalId: PLATFORM_TENANT_EXTERNAL_ID, name: 'Platform' },
  { externalId: 'acme', name: 'Acme' },
  { externalId: 'globex', name: 'Globex' },
  { externalId: 'initech', name: 'Initech' },
] as const;

/** Tenant ids by external id, e.g. `tenants.platform`, `tenants.acme`. */
export type KitTenantIds = Record<(typeof KIT_TENANTS)[number]['externalId'], number>;

/**
 * Inserts KIT_TENANTS into `public.tenants` and returns their ids. Give every one of them rows
 * your runbook would repair: the kit checks the platform's never change, and narrows chunks to
 * one customer or leaves customers out, as the daemon does.
 */
export async function insertKitTenants(db: SqlExecutor): Promise<KitTenantIds> {
  const { rows } = await db.query<{ id: string; external_id: string }>(
    `INSERT INTO public.tenants (external_id, name)
     SELECT external_id, name FROM unnest($1::text[], $2::text[]) AS t(external_id, name)
     RETURNING id::text, external_id`,
    [KIT_TENANTS.map((t) => t.externalId), KIT_TENANTS.map((t) => t.name)],
  );
  return Object.fromEntries(rows.map((r) => [r.external_id, Number(r.id)])) as KitTenantIds;
}
