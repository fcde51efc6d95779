import type pg from 'pg';
import { ChangeFeed, type LookForChanges } from '../db/change-feed.ts';
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
    const { rows } = await pool.query<{
      looked_at: Date;
      changed: { id: string; status: RequestStatus; run_id: string | null; updated_at: string }[];
    }>(
      `SELECT now() AS looked_at,
              COALESCE((SELECT json_agg(c ORDER BY c.updated_at)
                          FROM (SELECT id::text AS id, status, run_id::text AS run_id, updated_at
                                  FROM ops.run_requests
                                 WHERE updated_at > COALESCE($1::timestamptz, now()) - $2 * interval '1 millisecond'
                               ) c), '[]'::json) AS changed`,
      [since, overlapMs],
    );
    const { looked_at: lookedAt, changed } = rows[0]!;
    return {
      lookedAt,
      changed: changed.map((row) => {
        const updatedAt = new Date(row.updated_at);
        return {
          key: row.id,
          updatedAt,
          item: { id: row.id, status: row.status, runId: row.run_id, updatedAt: updatedAt.toISOString() },
        };
      }),
    };
  };

/** Run request changes for every subscriber of this daemon (`approvals.onChange`): db/change-feed.ts. */
export class RequestChangeFeed extends ChangeFeed<RequestChange> {
  constructor(pool: pg.Pool, expireDue: () => Promise<unknown>, intervalMs = REQUEST_CHANGE_POLL_MS) {
    super(pool, lookForRequestChanges(expireDue), intervalMs);
  }
}
