import pg from 'pg';
import type { TestDatabase } from './database.ts';

/**
 * Holds the row lock of one drifted finding of a tenant, as an application transaction would, so
 * a run that must rewrite it waits there (within its lock timeout) until `release`. This keeps a
 * run deterministically "running" while a test checks what else may run; the run locks stay real.
 */
export async function holdDriftedFinding(
  t: TestDatabase,
  tenantExternalId: string,
): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  await client.query('BEGIN');
  const { rows } = await client.query(
    `SELECT f.id FROM findings f JOIN tenants t ON t.id = f.tenant_id
      WHERE t.external_id = $1 AND f.lifecycle_version IS NULL ORDER BY f.id LIMIT 1 FOR UPDATE OF f`,
    [tenantExternalId],
  );
  if (rows.length === 0) throw new Error(`tenant ${tenantExternalId} has no drifted finding to hold`);
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}
