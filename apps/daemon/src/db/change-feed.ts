import type pg from 'pg';

/**
 * Each look reaches this far behind the previous one: a write stamps `updated_at` with its
 * transaction's start and becomes visible only at commit, so a row may appear late. Rows already
 * sent (same key and updated_at) are not sent twice.
 */
export const CHANGE_OVERLAP_MS = 2_000;

/** One changed row as a feed's query returns it: its key, its `updated_at`, and what subscribers get. */
export interface ChangedRow<T> {
  key: string;
  updatedAt: Date;
  item: T;
}

/**
 * What a feed asks its table: the database's clock and the rows whose `updated_at` is later than
 * `since` (null: the database's now) minus `overlapMs`, oldest first.
 */
export type LookForChanges<T> = (
  pool: pg.Pool,
  since: Date | null,
  overlapMs: number,
) => Promise<{ lookedAt: Date; changed: ChangedRow<T>[] }>;

/**
 * The one statement every feed's look runs: the database's clock and the rows of `table` whose
 * `updated_at` is later than `since` (null: the database's now) minus `overlapMs`, oldest first,
 * each as `toRow` maps it. `columns` is the select list; it must include `id` and `updated_at`.
 */
export async function lookForChangedRows<Row extends { id: string; updated_at: string }, T>(
  pool: pg.Pool,
  query: { columns: string; table: string },
  since: Date | null,
  overlapMs: number,
  toItem: (row: Row, updatedAt: Date) => T,
): Promise<{ lookedAt: Date; changed: ChangedRow<T>[] }> {
  const { rows } = await pool.query<{ looked_at: Date; changed: Row[] }>(
    `SELECT now() AS looked_at,
            COALESCE((SELECT json_agg(c ORDER BY c.updated_at)
                        FROM (SELECT ${query.columns}
                                FROM ${query.table}
                               WHERE updated_at > COALESCE($1::timestamptz, now()) - $2 * interval '1 millisecond'
                             ) c), '[]'::json) AS changed`,
    [since, overlapMs],
  );
  const { looked_at: lookedAt, changed } = rows[0]!;
  return {
    lookedAt,
    changed: changed.map((row) => {
      const updatedAt = new Date(row.updated_at);
      return { key: row.id, updatedAt, item: toItem(row, updatedAt) };
    }),
  };
}

type Listener<T> = (changes: T[]) => void;

/**
 * Changes of one table for every subscriber of this daemon (`runs.onChange`, `approvals.onChange`):
 * one cheap query on the table's `updated_at` per interval, shared by all of them — not one per
 * subscriber — and none at all while nobody listens. Catches every writer of the table (this
 * daemon, another daemon, exec in a pipeline, the reaper), since they all stamp `updated_at`.
 */
export class ChangeFeed<T> {
  private readonly listeners = new Set<Listener<T>>();
  private timer: NodeJS.Timeout | null = null;
  /** The database's clock at the previous look; null before the first. */
  private lastLook: Date | null = null;
  /** updated_at (ms) of each row already sent within the overlap. */
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly lookForChanges: LookForChanges<T>,
    private readonly intervalMs: number,
  ) {}

  /** Calls `listener` with each batch of changes; returns the unsubscribe. */
  subscribe(listener: Listener<T>): () => void {
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
  async *stream(signal: AbortSignal | undefined): AsyncGenerator<T[]> {
    const queue: T[] = [];
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
    const { lookedAt, changed } = await this.lookForChanges(this.pool, this.lastLook, CHANGE_OVERLAP_MS);
    const changes: T[] = [];
    for (const row of changed) {
      const at = row.updatedAt.getTime();
      if (this.sent.get(row.key) === at) continue;
      this.sent.set(row.key, at);
      changes.push(row.item);
    }
    const oldest = lookedAt.getTime() - 2 * CHANGE_OVERLAP_MS;
    for (const [key, at] of this.sent) if (at < oldest) this.sent.delete(key);
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
