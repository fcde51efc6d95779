import type { LockRequest } from '@ops/runbook-sdk';
import type pg from 'pg';

// Session-level advisory locks live on one dedicated connection for the whole run: a pooled
// connection could run the unlock elsewhere and leave the lock held, and a dedicated connection
// dies with its process, which is what releases a crashed run's locks.

const ownerKey = (token: string) => `run-owner:${token}`;

/** The locks of one run, held on a dedicated connection until `release`. */
export class RunLockSession {
  private constructor(private readonly client: pg.Client) {}

  static async open(connect: () => Promise<pg.Client>): Promise<RunLockSession> {
    return new RunLockSession(await connect());
  }

  /**
   * Takes every requested lock or none. Returns false (holding nothing) when one is held
   * elsewhere in a conflicting mode.
   */
  async tryAcquire(requests: readonly LockRequest[]): Promise<boolean> {
    const taken: LockRequest[] = [];
    for (const request of requests) {
      const fn = request.mode === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
      const { rows } = await this.client.query(`SELECT ${fn}(hashtextextended($1, 0)) AS ok`, [request.key]);
      if (!rows[0].ok) {
        await this.unlock(taken);
        return false;
      }
      taken.push(request);
    }
    return true;
  }

  /** Marks this process as the run's live owner: other processes test it with `isOwnerAlive`. */
  async holdOwnership(token: string): Promise<void> {
    await this.client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [ownerKey(token)]);
  }

  private async unlock(requests: readonly LockRequest[]): Promise<void> {
    for (const request of requests) {
      const fn = request.mode === 'shared' ? 'pg_advisory_unlock_shared' : 'pg_advisory_unlock';
      await this.client.query(`SELECT ${fn}(hashtextextended($1, 0))`, [request.key]);
    }
  }

  /** Releases everything by closing the connection (which PostgreSQL guarantees frees the locks). */
  async release(): Promise<void> {
    try {
      await this.client.query('SELECT pg_advisory_unlock_all()');
    } catch {
      // the connection is gone already, and its locks with it
    }
    await this.client.end().catch(() => {});
  }
}

/**
 * True when the process that owns `token` still holds its ownership lock. Probing takes the lock
 * for an instant on `client`, which must not be the owner's own connection.
 */
export async function isOwnerAlive(client: pg.Client | pg.PoolClient, token: string): Promise<boolean> {
  const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS free', [
    ownerKey(token),
  ]);
  if (!rows[0].free) return true;
  await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [ownerKey(token)]);
  return false;
}

/** Two lock sets conflict when they share a key and at least one side wants it exclusively. */
export function locksConflict(a: readonly LockRequest[], b: readonly LockRequest[]): boolean {
  return a.some((x) => b.some((y) => x.key === y.key && (x.mode === 'exclusive' || y.mode === 'exclusive')));
}
