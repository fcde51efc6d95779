import { assertRunbookContract } from '@ops/runbook-sdk/testing';
import { describe, expect, it } from 'vitest';
import runbook from './index.ts';

describe('findings.events.dedupe against the runbook contract', () => {
  it('passes every check of the testing kit, archiving what it removes', async () => {
    const report = await assertRunbookContract(runbook, {
      volatileColumns: ['finding_events_archive.archived_at'],
      chunkSize: 2,
      async setup(db) {
        await db.query(
          "INSERT INTO tenants (external_id, name) VALUES ('platform', 'Platform'), ('acme', 'Acme'), ('globex', 'Globex')",
        );
        await db.query(`
          INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
          SELECT t.id, 'fp-' || g, 'Finding ' || g, 'high', timestamptz '2024-01-01 00:00:00.000001+00', now()
            FROM tenants t CROSS JOIN generate_series(1, 4) g`);
        // Each finding: a detected event twice at the same microsecond, a resolved one once, and a
        // detected one at another time: one duplicate per finding (the platform's included, kept).
        await db.query(`
          INSERT INTO finding_events (finding_id, tenant_id, kind, observed_at)
          SELECT f.id, f.tenant_id, k.kind, k.at
            FROM findings f CROSS JOIN (VALUES
              ('detected', timestamptz '2024-02-01 10:00:00.000001+00'),
              ('detected', timestamptz '2024-02-01 10:00:00.000001+00'),
              ('resolved', timestamptz '2024-02-01 10:00:00.000001+00'),
              ('detected', timestamptz '2024-02-02 10:00:00.000002+00')) AS k(kind, at)`);
      },
    });
    expect(report.ok).toBe(true);
  });
});
