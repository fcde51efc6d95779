import type { ResolvedScope } from '@ops/runbook-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import {
  backfill,
  drive,
  executor,
  type Fixtures,
  fixtures,
  lifecycleOf,
  preflight,
} from './test-fixtures.ts';
import { lifecycleWork, prepareLifecycleWork, workTableName } from './work.ts';

const ALL: ResolvedScope = { kind: 'all' };

// A run derives once into its work table, then writes from it in chunks (work.ts). These tests
// change the data between the derivation and the writes, as the product does during a long run.
describe('the run work table', () => {
  let t: TestDatabase;
  let fx: Fixtures;
  let ids: string[];
  const table = workTableName('work-table-test', ALL);

  beforeAll(async () => {
    t = await createTestDatabase();
    fx = fixtures(t);
  });
  afterAll(() => t.drop());

  beforeEach(async () => {
    await t.sql(`DROP TABLE IF EXISTS ${table}`);
    await t.sql('TRUNCATE public.finding_events, public.findings, public.tenants RESTART IDENTITY CASCADE');
    const acme = await fx.tenant('acme');
    await fx.tenant('platform');
    ids = [];
    for (let i = 0; i < 4; i++) {
      const f = await fx.finding(acme.id, { severity: 'high', status: 'open' }); // drifted: legacy status
      await fx.events(f, [['detected', '2024-02-01 10:00:00.000001+00']]);
      ids.push(f);
    }
  });

  const prepare = () => prepareLifecycleWork(executor(t.db.pool), table, ALL);

  it('derives once; a resumed run finds the derivation complete and keeps it', async () => {
    expect(await prepare()).toBe(4);
    expect(await prepare()).toBeNull();
    expect((await drive(t, lifecycleWork(ALL, table))).updated_count).toBe(4);
    expect((await preflight(t, ALL)).affected_count).toBe(0);
    expect((await drive(t, lifecycleWork(ALL, table))).updated_count).toBe(0); // exactly once
  });

  it('derives in id slices, each kept by its mark; a resumed run derives only the slices it lacks', async () => {
    const sliced = () => prepareLifecycleWork(executor(t.db.pool), table, ALL, { sliceIds: 2 });
    expect(await sliced()).toBe(4);
    const marks = await t.sql<{ id: string }>(
      `SELECT w.id::text FROM ${table} w WHERE w.id <= 0 ORDER BY w.id`,
    );
    expect(marks.map((m) => m.id)).toEqual(['-2', '-1', '0']); // slices 0 and 1 (ids 1..4), complete
    // A crash of the daemon after the first slice committed, before the second did.
    await t.sql(`DELETE FROM ${table} WHERE id = 0 OR id = -2 OR id IN ($1::bigint, $2::bigint)`, [
      ids[2],
      ids[3],
    ]);
    expect(await sliced()).toBe(2); // only the lost slice again
    expect((await drive(t, lifecycleWork(ALL, table))).updated_count).toBe(4);
    expect((await preflight(t, ALL)).affected_count).toBe(0);
  });

  it('skips a finding the product changed after the derivation read it; the next run repairs it', async () => {
    await prepare();
    await t.sql(
      "UPDATE public.findings SET status = 'risk_accepted', updated_at = now() WHERE id = $1::bigint",
      [ids[0]],
    );
    await t.sql("UPDATE public.findings SET severity = 'low', updated_at = now() WHERE id = $1::bigint", [
      ids[1],
    ]);
    expect((await drive(t, lifecycleWork(ALL, table))).updated_count).toBe(2);
    expect((await lifecycleOf(t, ids[0]!)).status).toBe('risk_accepted');
    expect((await preflight(t, ALL)).affected_count).toBe(2);
    expect((await backfill(t, ALL)).updated_count).toBe(2);
    expect((await lifecycleOf(t, ids[1]!)).due_at).not.toBeNull();
    expect((await preflight(t, ALL)).affected_count).toBe(0);
  });

  it('skips a finding whose history grew after the derivation (its new event is not in the table)', async () => {
    await prepare();
    await fx.events(ids[2]!, [['resolved', '2024-02-03 10:00:00.000003+00']]);
    expect((await drive(t, lifecycleWork(ALL, table))).updated_count).toBe(3);
    expect((await lifecycleOf(t, ids[2]!)).status).toBe('open');
    expect((await backfill(t, ALL)).updated_count).toBe(1);
    expect((await lifecycleOf(t, ids[2]!)).status).toBe('resolved');
  });

  it('waits for a transaction that inserted an event and has not committed, and derives with its event', async () => {
    // The product inserts an event and has not committed; a later event (a higher id) commits first.
    // The highest visible id is then above the open one: without waiting, the derivation would miss
    // the open event, and the re-check of events above the mark would never see it.
    const product = await t.db.pool.connect();
    try {
      await product.query('BEGIN');
      await product.query(
        `INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
         SELECT f.id, f.tenant_id, 'resolved', '2024-02-03 10:00:00.000003+00' FROM public.findings f
         WHERE f.id = $1::bigint`,
        [ids[0]],
      );
      await fx.events(ids[1]!, [['detected', '2024-02-02 10:00:00.000002+00']]);
      const prepared = prepare();
      // Wait (polled, with a deadline) until the derivation is waiting for the product's transaction.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [row] = await t.sql<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE query LIKE '%l.virtualtransaction = ANY%' AND query NOT LIKE '%pg_stat_activity%'`,
        );
        if (Number(row?.n) > 0) break;
        if (Date.now() > deadline) throw new Error('the derivation never waited for the open transaction');
        await new Promise((r) => setTimeout(r, 20));
      }
      await product.query('COMMIT');
      expect(await prepared).toBe(4);
    } finally {
      await product.query('ROLLBACK').catch(() => {});
      product.release();
    }
    expect((await drive(t, lifecycleWork(ALL, table))).updated_count).toBe(4);
    expect((await lifecycleOf(t, ids[0]!)).status).toBe('resolved');
    expect((await preflight(t, ALL)).affected_count).toBe(0);
  });

  it("waits for the product's row lock, then skips the row the product changed meanwhile", async () => {
    await prepare();
    const product = await t.db.pool.connect();
    const runner = await t.db.pool.connect();
    try {
      await product.query('BEGIN');
      await product.query(
        "UPDATE public.findings SET status = 'risk_accepted', updated_at = now() WHERE id = $1::bigint",
        [ids[0]],
      );
      const pid = (await runner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await runner.query('BEGIN');
      const chunk = { afterId: null, lastId: ids[1]!, onlyTenantId: null, excludeTenantIds: [] };
      const write = lifecycleWork(ALL, table).applyChunk(executor(runner), chunk);
      // Wait (polled, with a deadline) until the chunk is blocked on the product's row lock.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [row] = await t.sql<{ waiting: boolean }>(
          "SELECT coalesce(wait_event_type = 'Lock', false) AS waiting FROM pg_stat_activity WHERE pid = $1",
          [pid],
        );
        if (row?.waiting) break;
        if (Date.now() > deadline) throw new Error('the chunk never waited for the row lock');
        await new Promise((r) => setTimeout(r, 20));
      }
      await product.query('COMMIT');
      expect(await write).toEqual({ updated: 1 }); // ids[1] only
      await runner.query('COMMIT');
    } finally {
      product.release();
      runner.release();
    }
    expect((await lifecycleOf(t, ids[0]!)).status).toBe('risk_accepted');
  });

  it('derives in place when the table is gone or was emptied (an unlogged table after a crash)', async () => {
    await prepare();
    await t.sql(`TRUNCATE ${table}`);
    expect((await drive(t, lifecycleWork(ALL, table), { size: 2 })).updated_count).toBe(4);
    await t.sql('UPDATE public.findings SET lifecycle_version = NULL');
    await t.sql(`DROP TABLE ${table}`);
    expect((await drive(t, lifecycleWork(ALL, table))).updated_count).toBe(4);
    expect((await preflight(t, ALL)).affected_count).toBe(0);
  });

  it('a run leaves no work table behind once it has written everything', async () => {
    expect((await backfill(t, ALL)).updated_count).toBe(4);
    const [row] = await t.sql<{ n: string }>(
      "SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'lifecycle_work_%' AND relkind = 'r'",
    );
    expect(Number(row!.n)).toBe(0);
  });
});
