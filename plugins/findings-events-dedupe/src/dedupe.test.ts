import { preflightWith, runWithReferenceDriver } from '@ops/runbook-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import runbook from './index.ts';

describe('findings.events.dedupe', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.sql("INSERT INTO tenants (external_id, name) VALUES ('platform', 'Platform'), ('acme', 'Acme')");
    await t.sql(`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
                 SELECT id, 'fp', 't', 'low', now(), now() FROM tenants ORDER BY id`);
    // Per finding: ids n, n+1 duplicate (same kind and microsecond), n+2 same time but resolved.
    await t.sql(`INSERT INTO finding_events (finding_id, tenant_id, kind, observed_at)
                 SELECT f.id, f.tenant_id, k.kind, timestamptz '2024-03-01 08:00:00.000007+00'
                   FROM findings f CROSS JOIN (VALUES (1, 'detected'), (2, 'detected'), (3, 'resolved')) AS k(n, kind)
                  ORDER BY f.id, k.n`);
  });
  afterAll(() => t.drop());

  const events = () =>
    t.sql<{ id: string; finding_id: string; kind: string }>(
      'SELECT id, finding_id, kind FROM finding_events ORDER BY id',
    );

  it('counts only the customer tenants duplicates, and a dry run removes nothing', async () => {
    expect(await preflightWith(runbook, t.db.pool, { kind: 'all' })).toEqual({
      affected_count: 1,
      total_scanned: 3,
      estimated_tenants: 1,
    });
    const before = await events();
    const dry = await runWithReferenceDriver(
      runbook,
      t.db.pool,
      { kind: 'all' },
      { params: { dryRun: true } },
    );
    expect(dry.result).toEqual({ updated_count: 0, archived_count: 0, duplicates_found: 1 });
    expect(await events()).toEqual(before);
  });

  it('keeps the lowest id and moves the duplicate to the archive with the run id', async () => {
    const outcome = await runWithReferenceDriver(runbook, t.db.pool, { kind: 'all' });
    expect(outcome.result).toMatchObject({ updated_count: 1, archived_count: 1 });
    const left = await events();
    const acmeFinding = left.find((e) => e.id === '4')!.finding_id;
    expect(left.filter((e) => e.finding_id === acmeFinding).map((e) => [e.id, e.kind])).toEqual([
      ['4', 'detected'],
      ['6', 'resolved'],
    ]);
    expect(left.filter((e) => e.finding_id !== acmeFinding)).toHaveLength(3); // the platform's, untouched
    const archive = await t.sql('SELECT id, kind, run_id FROM finding_events_archive');
    expect(archive).toEqual([{ id: '5', kind: 'detected', run_id: '1' }]);
  });
});
