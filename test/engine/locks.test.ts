import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { holdDriftedFinding } from '../support/row-lock.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL_TENANTS = ['--reason-code', 'INCIDENT', '--reason-text', 'lock test', '--confirm', 'BACKFILL'];

describe('run locks across processes', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const running = (count: number) =>
    waitFor(
      async () => {
        const rows = await t.sql<{ id: string }>(
          "SELECT id FROM ops.runs WHERE status = 'running' ORDER BY id",
        );
        return rows.length >= count ? rows : undefined;
      },
      30_000,
      `${count} running run(s)`,
    );

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '100' };
    await seedDemoData(t.db.pool, { tenants: 4, findings: 4000, drift: 0.5, seed: 3 });
  });
  afterAll(() => t.drop());

  it('refuses a single-tenant run while an all-tenants run holds the lock: exit 3, naming the holder', async () => {
    const held = await holdDriftedFinding(t, 'tenant-1'); // the all-tenants run waits on this row
    const first = collect(spawnCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env));
    const [holder] = await running(1);
    const second = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-2', '--json'], env);
    await held.release();
    expect(second.code).toBe(3);
    expect(second.json()).toMatchObject({
      error: {
        code: 'CONFLICT',
        message: expect.stringContaining(`run ${holder!.id} (all tenants, by system:cli) holds the lock`),
      },
    });
    expect((await first).json()).toMatchObject({ outcome: 'succeeded' });
    const refused = await t.sql<{ details: { reason: string } }>(
      "SELECT details FROM ops.audit_events WHERE action = 'run.refused'",
    );
    expect(refused.map((r) => r.details.reason)).toEqual(['lock_held']);
  });

  it('refuses an all-tenants run while a single-tenant run holds its tenant', async () => {
    await t.sql('UPDATE findings SET lifecycle_version = NULL'); // work again for every tenant
    const held = await holdDriftedFinding(t, 'tenant-1');
    const first = collect(spawnCli(['exec', RUNBOOK, '--tenant', 'tenant-1', '--json'], env));
    await running(1);
    const second = await runCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    await held.release();
    expect(second.code).toBe(3);
    expect((await first).code).toBe(0);
  });

  it('runs two different tenants at the same time', async () => {
    const held = [await holdDriftedFinding(t, 'tenant-2'), await holdDriftedFinding(t, 'tenant-3')];
    const runs = [
      collect(spawnCli(['exec', RUNBOOK, '--tenant', 'tenant-2', '--json'], env)),
      collect(spawnCli(['exec', RUNBOOK, '--tenant', 'tenant-3', '--json'], env)),
    ];
    // Both hold their run locks at once: neither waited for the other.
    const both = await running(2);
    expect(both).toHaveLength(2);
    for (const h of held) await h.release();
    expect((await Promise.all(runs)).map((r) => r.code)).toEqual([0, 0]);
  });
});
