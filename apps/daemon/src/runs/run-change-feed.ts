import type pg from 'pg';
import { ChangeFeed, type LookForChanges, lookForChangedRows } from '../db/change-feed.ts';
import type { RunOutcome, RunStatus } from './state-machine.ts';

/** One run that changed: enough for a console to know which of its views to fetch again. */
export interface RunChange {
  id: string;
  type: string;
  status: RunStatus;
  outcome: RunOutcome;
  processed: number | null;
  updatedAt: string;
}

/** How often the daemon looks for changed runs while anyone listens. */
export const CHANGE_POLL_MS = 500;

// One statement, one row: the database's clock and what changed since the last look.
const lookForRunChanges: LookForChanges<RunChange> = (pool, since, overlapMs) =>
  lookForChangedRows<
    {
      id: string;
      type: string;
      status: RunStatus;
      outcome: RunOutcome;
      processed: number | null;
      updated_at: string;
    },
    RunChange
  >(
    pool,
    {
      columns: `id::text AS id, type, status, outcome, (progress->>'processed')::bigint AS processed, updated_at`,
      table: 'ops.runs',
    },
    since,
    overlapMs,
    (row, updatedAt) => ({
      id: row.id,
      type: row.type,
      status: row.status,
      outcome: row.outcome,
      processed: row.processed === null ? null : Number(row.processed),
      updatedAt: updatedAt.toISOString(),
    }),
  );

/** Run changes for every subscriber of this daemon (`runs.onChange`): see db/change-feed.ts. */
export class RunChangeFeed extends ChangeFeed<RunChange> {
  constructor(pool: pg.Pool, intervalMs = CHANGE_POLL_MS) {
    super(pool, lookForRunChanges, intervalMs);
  }
}
