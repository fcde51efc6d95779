import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureJournal } from '../../apps/daemon/src/runs/revert/index.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// The journal is the daemon's guarantee, not the plugin's: whatever SQL a reversible runbook's chunk
// sends, a change to its declared table is journaled in the same transaction, and a change the
// revert could not undo (an undeclared column, an INSERT or DELETE) fails the statement.
const reversible = {
  id: 'test.reversible.guard',
  resources: ['table:findings'],
  reversible: { writes: { 'table:findings': ['status', 'updated_at'] } },
};

describe('the run journal trigger', () => {
  let t: TestDatabase;
  let runId = '';
  /** Runs `sql` in one transaction that belongs to the run, as a chunk's fence check leaves it. */
  const asChunk = async (sql: string, params: unknown[] = []) => {
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('ops.run_id', $1, true)", [runId]);
      const result = await client.query(sql, params);
      await client.query('COMMIT');
      return result.rowCount;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 2, findings: 50, drift: 0.5, seed: 3 });
    const report = await ensureJournal(
      t.db.pool,
      { runbooks: new Map([[reversible.id, reversible]]) },
      () => {},
    );
    expect(report).toEqual({ ready: ['public.findings'], missing: [] });
    const [run] = await t.sql<{ id: string }>(
      `INSERT INTO ops.runs (type, runbook_version, scope, scope_kind, status, outcome, actor, actor_label)
       VALUES ($1, '1.0.0', '{"kind":"all"}', 'all', 'running', 'pending', '{"kind":"system"}', 'test')
       RETURNING id::text`,
      [reversible.id],
    );
    runId = run!.id;
  });
  afterAll(() => t.drop());

  it('journals the declared columns of every row a run changes, before and after, in its transaction', async () => {
    const before = await t.sql<{ id: string; status: string | null }>(
      'SELECT id::text, status FROM findings WHERE id <= 5 ORDER BY id',
    );
    expect(await asChunk("UPDATE findings SET status = 'triaged', updated_at = now() WHERE id <= 5")).toBe(5);
    const journal = await t.sql<{
      row_key: string;
      before: { status: string | null };
      after: { status: string };
    }>('SELECT row_key, before, after FROM ops.run_journal WHERE run_id = $1 ORDER BY row_key::bigint', [
      runId,
    ]);
    expect(journal.map((j) => [j.row_key, j.before.status, j.after.status])).toEqual(
      before.map((b) => [b.id, b.status, 'triaged']),
    );
    expect(Object.keys(journal[0]!.before).sort()).toEqual(['status', 'updated_at']);
  });

  it('writes nothing for a change made outside a run (by the product itself)', async () => {
    const count = async () =>
      Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM ops.run_journal'))[0]!.n);
    const n = await count();
    await t.sql("UPDATE findings SET status = 'new' WHERE id = 6");
    expect(await count()).toBe(n);
  });

  it('refuses a change to a column the runbook did not declare, and an INSERT or DELETE, naming the rule', async () => {
    await expect(asChunk("UPDATE findings SET title = 'x' WHERE id = 7")).rejects.toThrow(
      /may change only the columns it declares of public.findings \(status, updated_at\)/,
    );
    await expect(asChunk('DELETE FROM finding_events WHERE finding_id = 8')).resolves.toBeGreaterThanOrEqual(
      0,
    );
    await expect(asChunk('DELETE FROM findings WHERE id = 8')).rejects.toThrow(
      /may only update rows of public.findings, not delete/,
    );
    expect(await t.sql("SELECT 1 FROM findings WHERE id = 7 AND title = 'x'")).toEqual([]);
  });
});
