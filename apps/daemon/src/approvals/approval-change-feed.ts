import type pg from 'pg';
import { ChangeFeed, type LookForChanges, lookForChangedRows } from '../db/change-feed.ts';
import type { RequestStatus } from './request-state.ts';

/** One run request that changed (requested, decided, withdrawn, expired, started). */
export interface RequestChange {
  id: string;
  status: RequestStatus;
  runId: string | null;
  updatedAt: string;
}

/** How often the daemon looks for changed run requests while anyone listens. */
export const REQUEST_CHANGE_POLL_MS = 1_000;

const lookForRequestChanges =
  (beforeLook: () => Promise<unknown>): LookForChanges<RequestChange> =>
  async (pool, since, overlapMs) => {
    // Lapsed requests are expired first (once per look, not per subscriber), so listeners see it.
    await beforeLook();
    return lookForChangedRows<
      { id: string; status: RequestStatus; run_id: string | null; updated_at: string },
      RequestChange
    >(
      pool,
      { columns: 'id::text AS id, status, run_id::text AS run_id, updated_at', table: 'ops.run_requests' },
      since,
      overlapMs,
      (row, updatedAt) => ({
        id: row.id,
        status: row.status,
        runId: row.run_id,
        updatedAt: updatedAt.toISOString(),
      }),
    );
  };

/** Run request changes for every subscriber of this daemon (`approvals.onChange`): db/change-feed.ts. */
export class RequestChangeFeed extends ChangeFeed<RequestChange> {
  constructor(pool: pg.Pool, expireDue: () => Promise<unknown>, intervalMs = REQUEST_CHANGE_POLL_MS) {
    super(pool, lookForRequestChanges(expireDue), intervalMs);
  }
}
