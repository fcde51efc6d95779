import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { leaseRunOut } from '../support/run-lease.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL_TENANTS = ['--reason-code', 'INCIDENT', '--reason-text', 'crash test', '--confirm', 'BACKFILL'];

describe('a run whose process is killed', () => {
  let t: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase();
    // A short lease: the killed run is provably gone (and may be reaped) a second after its last heartbeat.
    env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '200', OPS_HEARTBEAT_MS: '200', OPS_LEASE_MS: '1000' };
    await seedDemoData(t.db.pool, { tenants: 5, findings: 6000, drift: 0.5, seed: 5 });
    await slowFindingWrites(t, 60); // 30 chunks × ≥60 ms: seconds, so the kill lands mid-run
  });
  afterAll(() => t.drop());

  it('leaves no half-updated finding; the next exec reports it interrupted and finishes the work', async () => {
    const preflight = async () =>
      (await runCli(['preflight', RUNBOOK, '--json'], env)).json<{ affected_count: number }>().affected_count;
    const affectedBefore = await preflight();
    await t.sql('CREATE TABLE findings_before AS SELECT * FROM findings');
    const victim = spawnCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    const victimDone = collect(victim);
    const run = await waitFor(
      async () =>
        (
          await t.sql<{ id: string; progress: { processed?: number } }>(
            "SELECT id, progress FROM ops.runs WHERE status = 'running' AND (progress->>'processed')::int >= 1000",
          )
        )[0],
      30_000,
      'the run to pass 1,000 findings',
    );
    victim.kill('SIGKILL');
    expect((await victimDone).code).toBeNull();

    const [stale] = await t.sql<{ status: string; outcome: string }>(
      'SELECT status, outcome FROM ops.runs WHERE id = $1',
      [run.id],
    );
    expect(stale).toEqual({ status: 'running', outcome: 'pending' });
    // Every finding is either untouched or fully rebuilt: each row the killed run changed is no
    // longer affected, so the affected count fell by exactly the number of changed rows.
    const [changed] = await t.sql<{ n: string }>(
      'SELECT count(*) AS n FROM findings f JOIN findings_before b USING (id) WHERE f::text <> b::text',
    );
    expect(Number(changed!.n)).toBeGreaterThan(0);
    expect(Number(changed!.n)).toBeLessThan(affectedBefore);
    expect(await preflight()).toBe(affectedBefore - Number(changed!.n));

    await removeSlowFindingWrites(t);
    await leaseRunOut(t, run.id, "the killed run's lease to run out");
    const next = await runCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], env);
    expect(next.code).toBe(0);
    expect(next.lines()).toContainEqual(expect.objectContaining({ event: 'interrupted', run_id: run.id }));
    expect(next.json()).toMatchObject({ outcome: 'succeeded' });

    const [reaped] = await t.sql<{
      status: string;
      outcome: string;
      context: { interrupted: { reason: string } };
      summary: { updated_count: number };
      progress: { updated: number };
    }>('SELECT status, outcome, context, summary, progress FROM ops.runs WHERE id = $1', [run.id]);
    expect(reaped).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      context: { interrupted: { reason: 'interrupted' } },
    });
    // The record counts what the killed run's committed chunks wrote, not its last progress report.
    expect(reaped!.summary.updated_count).toBe(Number(changed!.n));
    expect(reaped!.progress.updated).toBe(Number(changed!.n));
    const audit = await t.sql<{ action: string }>(
      'SELECT action FROM ops.audit_events WHERE run_id = $1 ORDER BY id',
      [run.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['run.started', 'run.interrupted']);

    const after = await runCli(['preflight', RUNBOOK, '--json'], env);
    expect(after.json()).toMatchObject({ affected_count: 0 });
  });
});
