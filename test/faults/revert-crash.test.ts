import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { leaseRunOut } from '../support/run-lease.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const EXEC = [
  'exec',
  RUNBOOK,
  '--reason-code',
  'DATA_REPAIR',
  '--reason-text',
  'crash',
  '--confirm',
  'BACKFILL',
];
const REVERT_REASON = ['--reason-code', 'INCIDENT', '--reason-text', 'undo', '--confirm', 'REVERT'];
const CHECKSUM = "SELECT md5(string_agg(f::text, '|' ORDER BY f.id)) AS sum FROM public.findings f";

describe('a revert whose process is killed (kill -9)', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  const checksum = async () => (await t.sql<{ sum: string }>(CHECKSUM))[0]!.sum;

  beforeAll(async () => {
    t = await createTestDatabase();
    // A short lease: the killed revert is provably gone a second after its last heartbeat.
    env = {
      DATABASE_URL: t.url,
      OPS_CHUNK_SIZE: '50',
      OPS_WORKERS: '1',
      OPS_HEARTBEAT_MS: '200',
      OPS_LEASE_MS: '1000',
    };
    await seedDemoData(t.db.pool, { tenants: 4, findings: 3000, drift: 0.5, seed: 9 });
  });
  afterAll(() => t.drop());

  it('leaves whole chunks restored; reverting again reaches the exact before-images', async () => {
    const before = await checksum();
    const ran = await runCli([...EXEC, '--json'], env);
    expect(ran.code, ran.stderr).toBe(0);
    const original = ran.json<{ run_id: string; summary: { updated_count: number } }>();
    const afterRun = await checksum();
    await slowFindingWrites(t, 80); // ≥ 80 ms per chunk: seconds of revert, so the kill lands mid-way

    const victim = spawnCli(['revert', original.run_id, ...REVERT_REASON, '--json'], env);
    const victimDone = collect(victim);
    const revert = await waitFor(
      async () =>
        (
          await t.sql<{ revert_run_id: string }>(
            `SELECT v.revert_run_id::text FROM ops.run_reverts v JOIN ops.runs r ON r.id = v.revert_run_id
              WHERE v.original_run_id = $1 AND r.status = 'running' AND (r.progress->>'processed')::int >= 200`,
            [original.run_id],
          )
        )[0],
      30_000,
      'the revert to pass 200 journal rows',
    );
    victim.kill('SIGKILL');
    expect((await victimDone).code).toBeNull();

    // Mid-way: some rows restored, some not, and never half a chunk (restored rows = committed units).
    const mid = await checksum();
    expect(mid).not.toBe(before);
    expect(mid).not.toBe(afterRun);
    const [restored] = await t.sql<{ n: string }>(
      `SELECT coalesce(sum(updated), 0) AS n FROM ops.run_work_units WHERE run_id = $1`,
      [revert.revert_run_id],
    );
    const [asBefore] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM ops.run_journal j JOIN public.findings f ON f.id = j.row_key::bigint
        WHERE j.run_id = $1 AND f.status IS NOT DISTINCT FROM j.before->>'status'
          AND f.lifecycle_version IS NOT DISTINCT FROM (j.before->>'lifecycle_version')::int
          AND (j.before->>'updated_at')::timestamptz = f.updated_at`,
      [original.run_id],
    );
    expect(Number(asBefore!.n)).toBe(Number(restored!.n));

    await removeSlowFindingWrites(t);
    await leaseRunOut(t, revert.revert_run_id, "the killed revert's lease to run out");
    const again = await runCli(['revert', original.run_id, ...REVERT_REASON, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const result = again.json<{
      run_id: string;
      outcome: string;
      skipped_total: number;
      summary: { updated_count: number };
    }>();
    expect(result).toMatchObject({ outcome: 'succeeded', skipped_total: 0 });
    // The second revert restored exactly the rows the first had not reached.
    expect(result.summary.updated_count).toBe(original.summary.updated_count - Number(restored!.n));
    expect(await checksum()).toBe(before);

    const [killed] = await t.sql<{ status: string; outcome: string }>(
      'SELECT status, outcome FROM ops.runs WHERE id = $1',
      [revert.revert_run_id],
    );
    expect(killed).toEqual({ status: 'completed', outcome: 'failed' });
    const audit = await t.sql<{ action: string }>(
      'SELECT action FROM ops.audit_events WHERE run_id = $1 ORDER BY id',
      [revert.revert_run_id],
    );
    expect(audit.map((a) => a.action)).toEqual(['run.started', 'run.interrupted']);
  });
});
