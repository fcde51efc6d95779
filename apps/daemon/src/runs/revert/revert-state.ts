import type { RunbookDefinition } from '@ops/runbook-sdk';
import type pg from 'pg';
import { ConflictError, InputError } from '../../errors.ts';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import type { RunRecord } from '../run-record.ts';
import { isActive } from '../state-machine.ts';
import { isReversible } from './journal-triggers.ts';
import { revertedRunIdOf } from './journal-work.ts';

/** The capability to revert a run (beyond the runbook's own and platform.runbooks.run). */
export const REVERT_CAPABILITY = PLATFORM_CAPABILITIES.runbooksRevert;
/** What an operator types to confirm a revert, whatever its scope. */
export const REVERT_CONFIRMATION = 'REVERT';

/** How a run stands towards reverting, as the run page and the CLI show it. */
export interface RevertState {
  /** This run is a revert of that run. */
  revertsRunId: string | null;
  /** Reverts of this run, newest first, with how they ended. */
  revertedBy: { runId: string; status: string; outcome: string }[];
  /** Rows in this run's journal (0 once dropped). */
  journalRows: number;
  /** When its journal was dropped (OPS_JOURNAL_DAYS), or null. */
  journalDroppedAt: string | null;
  /** Whether a revert may start now, and if not, why (operator words). */
  revertible: boolean;
  reason: string | null;
}

/**
 * The rules, in order: what a revert of `run` would be refused for. Reverting a revert is refused
 * (run the runbook again to redo its changes); a run reverted once (a revert that completed) is
 * refused too — reverting again could change nothing. A revert that failed, was cancelled or was
 * interrupted may be followed by another: rows it restored are recognised and left alone.
 */
export async function revertStateOf(
  pool: Pick<pg.Pool, 'query'>,
  run: RunRecord,
  def: RunbookDefinition | undefined,
): Promise<RevertState> {
  const revertsRunId = revertedRunIdOf(run);
  const { rows: reverts } = await pool.query<{ id: string; status: string; outcome: string }>(
    `SELECT r.id::text AS id, r.status, r.outcome FROM ops.run_reverts v JOIN ops.runs r ON r.id = v.revert_run_id
      WHERE v.original_run_id = $1 ORDER BY r.id DESC`,
    [run.id],
  );
  const { rows: journal } = await pool.query<{ rows: string; dropped_at: Date | null }>(
    `SELECT (SELECT count(*) FROM ops.run_journal WHERE run_id = $1) AS rows,
            (SELECT dropped_at FROM ops.run_journal_state WHERE run_id = $1) AS dropped_at`,
    [run.id],
  );
  const journalRows = Number(journal[0]?.rows ?? 0);
  const droppedAt = journal[0]?.dropped_at ?? null;
  const state: RevertState = {
    revertsRunId,
    revertedBy: reverts.map((r) => ({ runId: r.id, status: r.status, outcome: r.outcome })),
    journalRows,
    journalDroppedAt: droppedAt ? droppedAt.toISOString() : null,
    revertible: false,
    reason: null,
  };
  const refuse = (reason: string) => ({ ...state, reason });
  if (revertsRunId)
    return refuse(
      `run ${run.id} is itself a revert (of run ${revertsRunId}); a revert cannot be reverted: run the runbook again to redo its changes`,
    );
  if (!def || !isReversible(def))
    return refuse(`runbook ${run.type} is not reversible: its runs keep no journal`);
  const ranWithout = run.context.journal as { status?: string; reason?: string } | undefined;
  if (ranWithout?.status === 'unavailable')
    return refuse(
      `run ${run.id} cannot be reverted: it ran without the journal: ${ranWithout.reason ?? 'the journal was not set up'}`,
    );
  if (isActive(run)) return refuse(`run ${run.id} is ${run.status}; it can be reverted once it has ended`);
  const active = reverts.find((r) => r.status !== 'completed');
  if (active) return refuse(`run ${run.id} is being reverted by run ${active.id}`);
  const done = reverts.find((r) => r.status === 'completed' && r.outcome === 'succeeded');
  if (done)
    return refuse(
      `run ${run.id} was already reverted by run ${done.id}; reverting it again would change nothing`,
    );
  if (droppedAt)
    return refuse(
      `the journal of run ${run.id} was dropped on ${droppedAt.toISOString().slice(0, 10)} (kept OPS_JOURNAL_DAYS days): it can no longer be reverted`,
    );
  if (journalRows === 0) return refuse(`run ${run.id} changed no rows: there is nothing to revert`);
  return { ...state, revertible: true };
}

/** Throws ConflictError while another revert runs, else InputError (field `id`) with the reason. */
export function assertRevertible(state: RevertState): void {
  if (state.revertible) return;
  const reason = state.reason ?? 'it cannot be reverted';
  if (state.revertedBy.some((r) => r.status !== 'completed')) throw new ConflictError(reason);
  throw new InputError('id', reason);
}

/** A journal row a revert did not restore, for its page and summary. */
export interface RevertLeftRow {
  table: string;
  key: string;
  outcome: 'skipped' | 'already_restored' | 'missing';
  /** What the run wrote, and what the row holds now (null when it is gone). */
  wrote: Record<string, unknown>;
  current: Record<string, unknown> | null;
}

/** The rows a revert skipped (changed since the run, or gone), oldest journal entry first. */
export async function revertSkippedRows(
  pool: Pick<pg.Pool, 'query'>,
  revertRunId: string,
  limit = 200,
): Promise<{ rows: RevertLeftRow[]; total: number }> {
  const { rows } = await pool.query<{
    table_name: string;
    row_key: string;
    outcome: RevertLeftRow['outcome'];
    after: Record<string, unknown>;
    current: Record<string, unknown> | null;
    total: string;
  }>(
    `SELECT s.table_name, s.row_key, s.outcome, j.after, s.current, count(*) OVER () AS total
       FROM ops.run_revert_rows s
       JOIN ops.run_reverts v ON v.revert_run_id = s.revert_run_id
       LEFT JOIN ops.run_journal j ON j.run_id = v.original_run_id AND j.seq = s.seq
      WHERE s.revert_run_id = $1 AND s.outcome <> 'already_restored'
      ORDER BY s.seq LIMIT $2`,
    [revertRunId, limit],
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    rows: rows.map((r) => ({
      table: r.table_name,
      key: r.row_key,
      outcome: r.outcome,
      wrote: r.after ?? {},
      current: r.current,
    })),
  };
}

/** What the run page shows: the run's revert state and, for a revert run, the rows it skipped. */
export async function revertInfoOf(
  pool: Pick<pg.Pool, 'query'>,
  registry: { runbooks: ReadonlyMap<string, RunbookDefinition> },
  run: RunRecord,
): Promise<RevertState & { skipped: { rows: RevertLeftRow[]; total: number } | null }> {
  const state = await revertStateOf(pool, run, registry.runbooks.get(run.type));
  return { ...state, skipped: state.revertsRunId ? await revertSkippedRows(pool, run.id) : null };
}
