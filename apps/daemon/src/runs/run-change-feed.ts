import type pg from 'pg';
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
/**
 * Each look reaches this far behind the previous one: a write stamps `updated_at` with its
 * transaction's start and becomes visible only at commit, so a row may appear late. Rows already
 * sent (same id and updated_at) are not sent twice.
 */
const OVERLAP_MS = 2_000;

type Listener = (changes: RunChange[]) => void;

/**
 * Run changes for every subscriber of this daemon (`runs.onChange`): one cheap query on
 * ops.runs.updated_at per interval, shared by all of them — not one per subscriber — and none at
 * all while nobody listens. Catches every writer of the record (this daemon, another daemon, exec
 * in a pipeline, the reaper), since they all stamp `updated_at`.
 */
export class RunChangeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  /** The database's clock at the previous look; null before the first. */
  private lastLook: Date | null = null;
  /** updated_at (ms) of each run already sent within the overlap. */
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly intervalMs = CHANGE_POLL_MS,
  ) {}

  /** Calls `listener` with each batch of changes; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer) this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
        this.lastLook = null;
        this.sent.clear();
      }
    };
  }

  /** The changes as an async stream until `signal` aborts: what a tRPC subscription yields. */
  async *stream(signal: AbortSignal | undefined): AsyncGenerator<RunChange[]> {
    const queue: RunChange[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = this.subscribe((changes) => {
      queue.push(...changes);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
          continue;
        }
        yield queue.splice(0);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.look()
        .catch(() => {}) // the database is away: look again next time
        .finally(() => {
          if (this.timer && this.listeners.size > 0) this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async look(): Promise<void> {
    // One statement, one row: the database's clock and what changed since the last look.
    const { rows } = await this.pool.query<{
      looked_at: Date;
      changed: {
        id: string;
        type: string;
        status: RunStatus;
        outcome: RunOutcome;
        processed: number | null;
        updated_at: string;
      }[];
    }>(
      `SELECT now() AS looked_at,
              COALESCE((SELECT json_agg(c ORDER BY c.updated_at)
                          FROM (SELECT id::text AS id, type, status, outcome,
                                       (progress->>'processed')::bigint AS processed, updated_at
                                  FROM ops.runs
                                 WHERE updated_at > COALESCE($1::timestamptz, now()) - $2 * interval '1 millisecond'
                               ) c), '[]'::json) AS changed`,
      [this.lastLook, OVERLAP_MS],
    );
    const { looked_at: lookedAt, changed } = rows[0]!;
    const changes: RunChange[] = [];
    for (const row of changed) {
      const updatedAt = new Date(row.updated_at);
      const at = updatedAt.getTime();
      if (this.sent.get(row.id) === at) continue;
      this.sent.set(row.id, at);
      changes.push({
        id: row.id,
        type: row.type,
        status: row.status,
        outcome: row.outcome,
        processed: row.processed === null ? null : Number(row.processed),
        updatedAt: updatedAt.toISOString(),
      });
    }
    const oldest = lookedAt.getTime() - 2 * OVERLAP_MS;
    for (const [id, at] of this.sent) if (at < oldest) this.sent.delete(id);
    this.lastLook = lookedAt;
    if (changes.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch {
        // one subscriber's failure is not the others'
      }
    }
  }
}
