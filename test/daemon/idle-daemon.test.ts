import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// What an idle daemon may cost its database: each background loop's statements once per its
// interval. Counted from PostgreSQL's own statistics (committed transactions of the daemon's
// database), read over a connection to another database so that reading them adds none.

/** The daemon sweep's interval in startTestDaemon. */
const SWEEP_MS = 500;
const SCHEDULE_SYNC_MS = 1_000;
/** alerts/alerting.ts: the delivery worker's idle poll. */
const DELIVERY_POLL_MS = 5_000;
/**
 * Statements (each its own transaction) per pass, with room to spare: the sweep reaps, assists,
 * expires break-glass and announces missed runs; the scheduler syncs and reaps stuck
 * occurrences; the delivery worker fails abandoned leases, leases, and asks when the next is due.
 */
const PER_SWEEP = 8;
const PER_SCHEDULE_SYNC = 3;
const PER_DELIVERY_POLL = 4;
/**
 * A backend reports its counts at most once a second, and an idle one within 10 s
 * (PGSTAT_IDLE_INTERVAL): commits made up to that long before the window may land in it.
 */
const STATS_LAG_MS = 10_000;
const WINDOW_MS = 6_000;

describe('an idle daemon', () => {
  let d: TestDaemon;
  let admin: pg.Client;
  let database: string;
  const commits = async () => {
    const { rows } = await admin.query(
      'SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    return Number(rows[0].n);
  };

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 2, findings: 200 },
      { OPS_SCHEDULE_SYNC_MS: String(SCHEDULE_SYNC_MS) },
    );
    database = new URL(d.t.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await d.stop();
  });

  it('issues only its polling statements: within what its loops allow per interval, however long it waits', async () => {
    expect((await d.t.sql("SELECT count(*)::int AS n FROM ops.runs WHERE status <> 'completed'"))[0]).toEqual(
      {
        n: 0,
      },
    );
    const before = await commits();
    const started = Date.now();
    // The window is the measurement itself (not a wait for something to happen): several sweeps.
    await waitFor(
      async () => (Date.now() - started >= WINDOW_MS ? true : undefined),
      WINDOW_MS * 3,
      'the window',
    );
    const after = await commits();
    const elapsed = Date.now() - started + STATS_LAG_MS;
    const passes = (intervalMs: number) => Math.floor(elapsed / intervalMs) + 1;
    const allowed =
      passes(SWEEP_MS) * PER_SWEEP +
      passes(SCHEDULE_SYNC_MS) * PER_SCHEDULE_SYNC +
      passes(DELIVERY_POLL_MS) * PER_DELIVERY_POLL;
    console.info(
      `idle daemon: ${after - before} transactions in ${Date.now() - started} ms (allowed ${allowed})`,
    );
    expect(after - before).toBeLessThanOrEqual(allowed);
  }, 60_000);
});
