import type pg from 'pg';

export interface ThrottleDecision {
  allowed: boolean;
  /** Attempts counted in the current window, this one included when allowed. */
  attempts: number;
  /** When refused: seconds until the oldest counted attempt leaves the window. */
  retryAfterSeconds: number;
}

export interface LoginThrottleOptions {
  limit?: number;
  windowSeconds?: number;
  /** Rows idle this long are deleted, at most once per window per process. */
  retentionSeconds?: number;
}

// E-mails are capped so a hostile body cannot store megabytes per attempt.
const MAX_KEY_LENGTH = 320;

/**
 * Sign-in attempts per (client IP, lower-cased e-mail), shared through PostgreSQL so that several
 * daemons enforce one limit. A sliding window: each key keeps the times of its last allowed attempts
 * (never more than `limit`), and an attempt is allowed while fewer than `limit` of them are younger
 * than the window. Refused attempts are not recorded, so a caller is let in again as soon as the
 * oldest counted attempt is a window old. One INSERT … ON CONFLICT DO UPDATE decides: its SET
 * expressions see the conflicting row after its lock is taken, so concurrent attempts are serialised.
 */
export class LoginThrottle {
  private readonly limit: number;
  private readonly windowSeconds: number;
  private readonly retentionSeconds: number;
  private lastCleanup = 0;

  constructor(
    private readonly pool: pg.Pool,
    options: LoginThrottleOptions = {},
  ) {
    this.limit = options.limit ?? 10;
    this.windowSeconds = options.windowSeconds ?? 60;
    this.retentionSeconds = options.retentionSeconds ?? 10 * 60;
  }

  /** Counts one attempt for the key, or refuses it; throws only when the database does. */
  async attempt(ip: string | null, email: string): Promise<ThrottleDecision> {
    const window = `${this.windowSeconds} seconds`;
    const result = await this.pool.query<{ allowed: boolean; attempts: number; retry_after: number }>(
      `WITH decided AS (
         INSERT INTO ops.login_attempts AS a (ip, email, attempted_at, allowed, last_at)
         VALUES ($1, $2, ARRAY[now()], true, now())
         ON CONFLICT (ip, email) DO UPDATE SET
           allowed = (SELECT count(*) FROM unnest(a.attempted_at) t WHERE t > now() - $4::interval) < $3,
           attempted_at = CASE
             WHEN (SELECT count(*) FROM unnest(a.attempted_at) t WHERE t > now() - $4::interval) < $3
             THEN ARRAY(SELECT t FROM unnest(a.attempted_at) t WHERE t > now() - $4::interval ORDER BY t) || now()
             ELSE a.attempted_at
           END,
           last_at = now()
         RETURNING allowed, attempted_at
       )
       SELECT allowed,
              (SELECT count(*) FROM unnest(attempted_at) t WHERE t > now() - $4::interval)::int AS attempts,
              GREATEST(1, CEIL(EXTRACT(EPOCH FROM (
                (SELECT min(t) FROM unnest(attempted_at) t WHERE t > now() - $4::interval) + $4::interval - now()
              ))))::int AS retry_after
         FROM decided`,
      [ipKey(ip), emailKey(email), this.limit, window],
    );
    const row = result.rows[0];
    if (!row) throw new Error('login throttle: the upsert returned no row');
    await this.cleanupIfDue();
    return {
      allowed: row.allowed,
      attempts: row.attempts,
      retryAfterSeconds: row.allowed ? 0 : row.retry_after,
    };
  }

  // Opportunistic: no timer to stop, and the cost is one indexed DELETE per window per process.
  private async cleanupIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < this.windowSeconds * 1000) return;
    this.lastCleanup = now;
    await this.pool.query(`DELETE FROM ops.login_attempts WHERE last_at < now() - $1::interval`, [
      `${this.retentionSeconds} seconds`,
    ]);
  }
}

/**
 * The throttling key's e-mail part: what better-auth looks accounts up by (lower-cased). NUL, which
 * PostgreSQL cannot store, becomes U+FFFD, so a hostile e-mail is still counted and audited.
 */
export function emailKey(email: string): string {
  return email.trim().toLowerCase().slice(0, MAX_KEY_LENGTH).replaceAll('\u0000', '\uFFFD');
}

function ipKey(ip: string | null): string {
  return ip ?? 'unknown';
}
