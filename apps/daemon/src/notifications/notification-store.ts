import type pg from 'pg';

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  runId: string | null;
  createdAt: string;
  readAt: string | null;
}

/** The operator's in-app notifications (the bell). Every read and write is scoped to one user. */
export class NotificationStore {
  constructor(private readonly pool: pg.Pool) {}

  /** `db` lets a caller write the notification inside its own transaction. */
  async create(
    userId: string,
    n: { kind: string; title: string; body?: string; runId?: string | null },
    db: Pick<pg.Pool, 'query'> = this.pool,
  ): Promise<void> {
    await db.query(
      'INSERT INTO ops.notifications (user_id, kind, title, body, run_id) VALUES ($1, $2, $3, $4, $5)',
      [userId, n.kind, n.title, n.body ?? '', n.runId ?? null],
    );
  }

  async list(
    userId: string,
    options: { limit: number; unreadOnly: boolean },
  ): Promise<{ items: Notification[]; unreadCount: number }> {
    const [items, unread] = await Promise.all([
      this.pool.query(
        `SELECT id, kind, title, body, run_id, created_at, read_at FROM ops.notifications
          WHERE user_id = $1 AND ($2::boolean IS FALSE OR read_at IS NULL) ORDER BY id DESC LIMIT $3`,
        [userId, options.unreadOnly, options.limit],
      ),
      this.pool.query('SELECT count(*) AS n FROM ops.notifications WHERE user_id = $1 AND read_at IS NULL', [
        userId,
      ]),
    ]);
    return {
      items: items.rows.map((r) => ({
        id: String(r.id),
        kind: r.kind,
        title: r.title,
        body: r.body,
        runId: r.run_id === null ? null : String(r.run_id),
        createdAt: (r.created_at as Date).toISOString(),
        readAt: r.read_at ? (r.read_at as Date).toISOString() : null,
      })),
      unreadCount: Number(unread.rows[0]?.n ?? 0),
    };
  }

  /** Marks the given notifications (or all, when `ids` is null) of this user read; returns how many. */
  async markRead(userId: string, ids: string[] | null): Promise<number> {
    const result = await this.pool.query(
      `UPDATE ops.notifications SET read_at = now()
        WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
      [userId, ids],
    );
    return result.rowCount ?? 0;
  }
}
