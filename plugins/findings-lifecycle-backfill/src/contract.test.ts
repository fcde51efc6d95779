import { assertRunbookContract } from '@ops/runbook-sdk/testing';
import { describe, expect, it } from 'vitest';
import runbook from './index.ts';

// The same check every plugin author runs: the SDK's testing kit on a throwaway PostgreSQL.
describe('findings.lifecycle.backfill against the runbook contract', () => {
  it('passes every check of the testing kit', async () => {
    const report = await assertRunbookContract(runbook, {
      volatileColumns: ['findings.updated_at'],
      chunkSize: 3,
      async setup(db) {
        await db.query(
          `INSERT INTO tenants (external_id, name) VALUES ('platform', 'Platform'), ('acme', 'Acme'), ('globex', 'Globex')`,
        );
        // Ten findings per customer tenant, every other one drifted (legacy status, no lifecycle),
        // plus drifted platform findings that must never change.
        await db.query(`
          INSERT INTO findings (tenant_id, fingerprint, title, severity, status, created_at, updated_at)
          SELECT t.id, 'fp-' || g, 'Finding ' || g, (ARRAY['critical','high','medium','low','info'])[1 + g % 5],
                 CASE WHEN g % 2 = 0 THEN 'open' ELSE NULL END,
                 timestamptz '2024-01-01 00:00:00.000001+00', timestamptz '2024-01-01 00:00:00.000001+00'
            FROM tenants t CROSS JOIN generate_series(1, 10) g`);
        await db.query(`
          INSERT INTO finding_events (finding_id, tenant_id, kind, observed_at)
          SELECT f.id, f.tenant_id, CASE WHEN e = 3 THEN 'resolved' ELSE 'detected' END,
                 timestamptz '2024-02-01 00:00:00.000001+00' + make_interval(hours => e)
            FROM findings f CROSS JOIN generate_series(1, 1 + (f.id % 3)::int) e`);
      },
    });
    expect(report.checks.map((c) => c.name)).toEqual([
      'definition is valid',
      'parameters are accepted as the daemon accepts them',
      'fixtures hold the platform tenant',
      'preflight is read-only',
      'fixtures give the runbook work',
      'the platform tenant never changes',
      'nothing outside the scope changes',
      'reports only declared summary keys',
      'reports numbers only',
      'run then preflight reports 0',
      'a second run updates 0',
      'cancellation is honoured within one chunk',
      'an interrupted run resumed from its checkpoint ends like an uninterrupted one',
      'applyChunk honours the narrowing (onlyTenantId, excludeTenantIds)',
      'tenantsInRange names every tenant a chunk writes',
      'a run on one tenant changes only that tenant',
    ]);
  });
});
