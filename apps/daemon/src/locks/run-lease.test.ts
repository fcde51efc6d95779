import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { recordRunHistory } from '../../../../test/support/run-history.ts';
import { checkFence, RunLease } from './run-lease.ts';

/** Polls until `pid`'s backend waits for a lock (deadline 20 s). */
async function waitsForLock(t: TestDatabase, pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await t.sql<{ waiting: boolean }>(
      "SELECT coalesce(wait_event_type = 'Lock', false) AS waiting FROM pg_stat_activity WHERE pid = $1",
      [pid],
    );
    if (row?.waiting) return;
    if (Date.now() > deadline) throw new Error(`backend ${pid} never waited for a lock`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Issue 16: chunks check the fence FOR KEY SHARE. The owner's renewal must never queue behind them
// (with overlapping chunks it used to wait seconds, a write transaction held open all that time),
// while a takeover must still wait for every chunk past its fence check.
describe('run leases under chunk transactions', () => {
  let t: TestDatabase;
  let runId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    [runId] = (await recordRunHistory(t, 1)) as [string];
  });
  afterAll(() => t.drop());

  it('renews while chunks hold the fence, and a takeover waits for them', async () => {
    const lease = await RunLease.create(t.db.pool, runId, 'owner-a', 60_000);
    const chunks = [await t.db.pool.connect(), await t.db.pool.connect()];
    const taker = await t.db.pool.connect();
    try {
      for (const chunk of chunks) {
        await chunk.query('BEGIN');
        await checkFence(chunk, lease);
      }
      expect(await lease.renew()).toBe(true); // returns although both chunks are still open

      await t.sql("UPDATE ops.run_leases SET expires_at = clock_timestamp() - interval '1 second'");
      const [{ pid }] = (await taker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [
        { pid: number },
      ];
      const takeover = RunLease.takeOver(taker, runId, 'owner-b', 60_000);
      await waitsForLock(t, pid);
      for (const chunk of chunks) await chunk.query('COMMIT');
      const taken = await takeover;
      expect(taken?.fence).toBe('2');

      // The first owner's next chunk is fenced out.
      await chunks[0]!.query('BEGIN');
      await expect(checkFence(chunks[0]!, lease)).rejects.toThrow();
      await chunks[0]!.query('ROLLBACK');
    } finally {
      for (const chunk of chunks) chunk.release();
      taker.release();
    }
  });
});
