import { spawn } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRING_LIMIT_MS } from '../../apps/daemon/src/schedules/schedule-store.ts';
import { type Api, RUNBOOK } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

/** The pid of a process that really ran on this host and has exited (killed with SIGKILL). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

// A daemon that dies mid-fire leaves its claimed occurrence `firing`: the claim row is committed
// before the fire starts, and the fire's end never comes. The test leaves such rows exactly as that
// daemon would (`INSERT … status 'firing'` with its daemon id, as ScheduleStore.claim writes them)
// rather than racing a kill -9 against a fire that takes milliseconds.
describe('stuck schedule occurrences', () => {
  let d: TestDaemon;
  let viewer: Api;
  let scheduleId: string;
  const leaveFiring = async (daemon: string, slotAt: string, ageMs: number) => {
    const [row] = await d.t.sql<{ id: string }>(
      `INSERT INTO ops.schedule_occurrences (schedule_id, slot_at, claimed, status, daemon, created_at)
       VALUES ($1, $2, true, 'firing', $3, now() - $4 * interval '1 millisecond') RETURNING id`,
      [scheduleId, slotAt, daemon, ageMs],
    );
    return String(row!.id);
  };
  const occurrence = async (id: string) =>
    (await viewer.schedules.occurrences.query({ id: scheduleId })).find((o) => o.id === id);

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 2, findings: 200 }, { OPS_SCHEDULE_SYNC_MS: '100' });
    const operator = d.client((await d.signIn('operator@ops.local')).cookie);
    viewer = d.client((await d.signIn('viewer@ops.local')).cookie);
    // Disabled: it never fires by itself here; only the rows below stand for its ticks.
    const schedule = await operator.schedules.create.mutate({
      name: 'nightly check',
      cron: '0 3 * * *',
      timezone: 'UTC',
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      mode: 'preflight',
      enabled: false,
    });
    scheduleId = schedule.id;
  });
  afterAll(() => d.stop());

  it('ends an occurrence whose daemon process on this host is gone: failed, with the reason, as the console lists it', async () => {
    const dead = `${os.hostname()}:${await deadPid()}:abc123`;
    const id = await leaveFiring(dead, '2026-01-01T03:00:00Z', 0);
    const reaped = await waitFor(
      async () => {
        const o = await occurrence(id);
        return o?.status === 'failed' ? o : undefined;
      },
      20_000,
      'the stuck occurrence to be reaped',
    );
    expect(reaped).toMatchObject({
      claimed: true,
      status: 'failed',
      reason: `its daemon (${dead}) stopped while firing`,
      finishedAt: expect.any(String),
    });
    // The schedule's list shows it as its last occurrence, like any other outcome.
    const [listed] = await viewer.schedules.list.query();
    expect(listed!.lastOccurrence).toMatchObject({ id, status: 'failed' });
  });

  it('ends one firing longer than any fire takes, even when its daemon (another host) cannot be proven gone', async () => {
    const id = await leaveFiring('other-host:4242:def456', '2026-01-02T03:00:00Z', FIRING_LIMIT_MS + 60_000);
    const reaped = await waitFor(
      async () => {
        const o = await occurrence(id);
        return o?.status === 'failed' ? o : undefined;
      },
      20_000,
      'the expired occurrence to be reaped',
    );
    expect(reaped.reason).toBe(
      'still firing after 60 minutes: its daemon (other-host:4242:def456) is presumed stopped',
    );
  });

  it('leaves alone a recent fire of a daemon it cannot prove gone, and one of a live process here', async () => {
    const remote = await leaveFiring('other-host:4242:fed654', '2026-01-03T03:00:00Z', 60_000);
    const live = await leaveFiring(`${os.hostname()}:${process.pid}:0a0b0c`, '2026-01-04T03:00:00Z', 60_000);
    // A row left after these two and reaped proves that at least one reaping pass has seen them.
    const marker = await leaveFiring(`${os.hostname()}:${await deadPid()}:ffffff`, '2026-01-05T03:00:00Z', 0);
    await waitFor(async () => ((await occurrence(marker))?.status === 'failed' ? true : undefined), 20_000);
    expect((await occurrence(remote))?.status).toBe('firing');
    expect((await occurrence(live))?.status).toBe('firing');
  });
});
