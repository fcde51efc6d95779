import type { KeysetWork, RunbookDefinition, SqlExecutor } from '@ops/runbook-sdk';
import type pg from 'pg';

/**
 * A revert run walks the journal of the run it reverts in seq order, through the chunk driver like
 * any run (units, workers, fence, checkpoints, resume). Its statements run under the runbook's role
 * and reach the journal only through the functions of schema ops_journal (migration 015); the
 * restoring function refuses to act outside a chunk of this very revert run.
 */
export function journalRevertWork(originalRunId: string, revertRunId: string): KeysetWork {
  return {
    async countItems(db: SqlExecutor): Promise<number> {
      const { rows } = await db.query<{ n: string }>('SELECT ops_journal.size($1::bigint) AS n', [
        originalRunId,
      ]);
      return Number(rows[0]?.n ?? 0);
    },
    async idBounds(db: SqlExecutor) {
      const { rows } = await db.query<{ first_id: string | null; last_id: string | null }>(
        'SELECT first_id, last_id FROM ops_journal.bounds($1::bigint)',
        [originalRunId],
      );
      const row = rows[0];
      return row?.first_id && row.last_id ? { firstId: row.first_id, lastId: row.last_id } : null;
    },
    async nextChunk(db: SqlExecutor, afterId: string | null, size: number, until?: string | null) {
      const { rows } = await db.query<{ last_id: string | null; items: string }>(
        'SELECT last_id, items FROM ops_journal.next_chunk($1::bigint, $2::bigint, $3::integer, $4::bigint)',
        [originalRunId, afterId, size, until ?? null],
      );
      const row = rows[0];
      if (!row || row.last_id === null) return null;
      return { lastId: row.last_id, items: Number(row.items) };
    },
    // A revert's rows are not isolated tenant by tenant: a chunk that fails for good fails the run
    // (it can be started again: rows already restored are recognised and left alone).
    async tenantsInRange() {
      return [];
    },
    async applyChunk(tx: SqlExecutor, chunk): Promise<{ updated: number }> {
      const { rows } = await tx.query<{ restored: string }>(
        'SELECT restored FROM ops_journal.revert_chunk($1::bigint, $2::bigint, $3::bigint)',
        [revertRunId, chunk.afterId, chunk.lastId],
      );
      return { updated: Number(rows[0]?.restored ?? 0) };
    },
  };
}

/** How a revert's journal rows ended, counted from ops.run_revert_rows and the restored count. */
export interface RevertCounts {
  skipped: number;
  alreadyRestored: number;
  missing: number;
}

export async function revertCounts(pool: Pick<pg.Pool, 'query'>, revertRunId: string): Promise<RevertCounts> {
  const { rows } = await pool.query<{ outcome: string; n: string }>(
    'SELECT outcome, count(*) AS n FROM ops.run_revert_rows WHERE revert_run_id = $1 GROUP BY outcome',
    [revertRunId],
  );
  const of = (outcome: string) => Number(rows.find((r) => r.outcome === outcome)?.n ?? 0);
  return { skipped: of('skipped'), alreadyRestored: of('already_restored'), missing: of('missing') };
}

/**
 * The definition a revert run executes: the original runbook's identity, role, locks and summary
 * keys, with a `run` that walks the journal instead of calling the plugin. `skipped_count` counts
 * rows changed since the run (and rows gone); rows already as before count as neither.
 */
export function revertDefinition(
  def: RunbookDefinition,
  originalRunId: string,
  pool: Pick<pg.Pool, 'query'>,
): RunbookDefinition {
  return {
    ...def,
    async run(ctx) {
      const result = await ctx.runChunked(journalRevertWork(originalRunId, ctx.runId));
      const counts = await revertCounts(pool, ctx.runId);
      return { ...result, skipped_count: counts.skipped + counts.missing };
    },
  };
}

/** The original run a revert run reverts (kept on its context), or null for any other run. */
export function revertedRunIdOf(run: { context: Record<string, unknown> }): string | null {
  const id = run.context.reverts_run_id;
  return typeof id === 'string' ? id : null;
}

/** A revert run executes its revert definition; every other run its runbook's. */
export function definitionForRun(
  def: RunbookDefinition,
  run: { context: Record<string, unknown> },
  pool: Pick<pg.Pool, 'query'>,
): RunbookDefinition {
  const original = revertedRunIdOf(run);
  return original ? revertDefinition(def, original, pool) : def;
}
