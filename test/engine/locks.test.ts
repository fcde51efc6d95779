import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { slowFindingWrites } from '../support/slow-writes.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL_TENANTS = ['--reason-code', 'INCIDENT', '--reason-text', 'lock test', '--confirm', 'BACKFILL'];

describe('run locks across processes', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const runningRun = () =>
    waitFor(
      async () =>
        (await t.sql<{ id: string }>("SELECT id FROM ops.runs WHERE status = 'running' LIMIT 1"))[0],
      30_000,
      'a running run',
    );

  beforeAll(async () => {
    t = await createTestDatabase();
    // Small chunks, each write slowed in the database, so runs last seconds and overlap.
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '100' };
    await seedDemoData(t.db.pool, { tenants: 4, findings: 8000, drift: 0.5, seed: 3 });
    await slowFindingWrites(t, 100);
  });
  afterAll(() => t.drop());

  it('refuses a single-tenant run while an all-tenants run holds the lock: exit 3, naming the holder', async () => {
    const first = spawnCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    const firstDone = collect(first);
    const holder = await runningRun();
    const second = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-1', '--json'], env);
    expect(second.code).toBe(3);
    expect(second.json()).toMatchObject({
      error: {
        code: 'CONFLICT',
        message: expect.stringContaining(`run ${holder.id} (all tenants, by system:cli) holds the lock`),
      },
    });
    first.kill('SIGINT'); // cancel after the current chunk, to keep the test short
    const firstResult = await firstDone;
    expect(firstResult.json()).toMatchObject({ outcome: 'cancelled' });
    const refused = await t.sql<{ details: { reason: string } }>(
      "SELECT details FROM ops.audit_events WHERE action = 'run.refused'",
    );
    expect(refused.map((r) => r.details.reason)).toEqual(['lock_held']);
  });

  it('refuses an all-tenants run while a single-tenant run holds its tenant', async () => {
    const first = spawnCli(['exec', RUNBOOK, '--tenant', 'tenant-1', '--json'], env);
    const firstDone = collect(first);
    await runningRun();
    const second = await runCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    expect(second.code).toBe(3);
    first.kill('SIGINT');
    await firstDone;
  });

  it('runs two different tenants at the same time', async () => {
    const [a, b] = await Promise.all([
      runCli(['exec', RUNBOOK, '--tenant', 'tenant-2', '--json'], env),
      runCli(['exec', RUNBOOK, '--tenant', 'tenant-3', '--json'], env),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const runs = await t.sql<{ started_at: Date; finished_at: Date }>(
      `SELECT started_at, finished_at FROM ops.runs WHERE scope_kind = 'tenant' AND outcome = 'succeeded' ORDER BY id`,
    );
    expect(runs).toHaveLength(2);
    // They overlapped in time: neither waited for the other.
    expect(runs[0]!.started_at < runs[1]!.finished_at && runs[1]!.started_at < runs[0]!.finished_at).toBe(
      true,
    );
  });
});
