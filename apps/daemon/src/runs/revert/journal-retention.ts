import type pg from 'pg';
import type { AuditLog } from '../../audit/index.ts';

/** Runs whose journal one pass drops at most (each in a transaction of its own). */
const RUNS_PER_PASS = 20;

/**
 * Drops the journal of runs that ended more than `journalDays` ago, run by run, each with a
 * `run.journal_dropped` audit event; such a run then says it can no longer be reverted. A run with
 * an active revert keeps its journal until that revert ends. Several daemons may run the pass: the
 * run's state row is locked (SKIP LOCKED), so each journal is dropped, and audited, once.
 * Returns the runs it dropped. Throws when the database fails.
 */
export async function dropExpiredJournals(
  deps: { pool: pg.Pool; audit: AuditLog },
  journalDays: number,
): Promise<{ runId: string; rows: number }[]> {
  const dropped: { runId: string; rows: number }[] = [];
  for (let i = 0; i < RUNS_PER_PASS; i++) {
    const client = await deps.pool.connect();
    // No 'error' listener of its own: the daemon's pool (guardPool) gives every client one for life;
    // adding one per borrow would pile up on the pool's long-lived clients.
    let broken: Error | undefined;
    let one: { runId: string; rows: number; type: string; scope: unknown } | null = null;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ run_id: string; type: string; scope: unknown }>(
        `SELECT s.run_id::text AS run_id, r.type, r.scope FROM ops.run_journal_state s JOIN ops.runs r ON r.id = s.run_id
          WHERE s.dropped_at IS NULL AND r.status = 'completed'
            AND r.finished_at < now() - $1 * interval '1 day'
            AND NOT EXISTS (SELECT 1 FROM ops.run_reverts v JOIN ops.runs rv ON rv.id = v.revert_run_id
                             WHERE v.original_run_id = s.run_id AND rv.status <> 'completed')
          ORDER BY s.run_id LIMIT 1 FOR UPDATE OF s SKIP LOCKED`,
        [journalDays],
      );
      const row = rows[0];
      if (row) {
        const { rowCount } = await client.query('DELETE FROM ops.run_journal WHERE run_id = $1', [
          row.run_id,
        ]);
        await client.query(
          'UPDATE ops.run_journal_state SET dropped_at = now(), dropped_rows = $2 WHERE run_id = $1',
          [row.run_id, rowCount ?? 0],
        );
        one = { runId: row.run_id, rows: rowCount ?? 0, type: row.type, scope: row.scope };
      }
      await client.query('COMMIT');
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release(broken);
    }
    if (!one) break;
    // After the commit: an audit write never holds the journal back (and never fails the pass).
    await deps.audit.record({
      action: 'run.journal_dropped',
      actorLabel: 'system:journal-retention',
      runId: one.runId,
      runbookId: one.type,
      scope: one.scope,
      details: { rows: one.rows, journal_days: journalDays },
    });
    dropped.push({ runId: one.runId, rows: one.rows });
  }
  return dropped;
}
