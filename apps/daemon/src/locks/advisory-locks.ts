import type { LockRequest } from '@ops/runbook-sdk';
import type pg from 'pg';

// Session-level advisory locks live on one dedicated connection for the whole run: a pooled
// connection could run the unlock elsewhere and leave the lock held, and a dedicated connection
// dies with its process, which is what releases a crashed run's locks. A connection can also die
// while its process lives on (terminated, a NAT, an idle timeout): the session then says so
// (`lost`), and the run's lease (run-lease.ts), not this connection, decides who may write.

/** The locks of one run, held on a dedicated connection until `release`. */
export class RunLockSession {
  private lostReason: string | null = null;
  private readonly lostListeners = new Set<(reason: string) => void>();
  private held: readonly LockRequest[] = [];

  private constructor(private client: pg.Client) {
    this.watch(client);
  }

  static async open(connect: () => Promise<pg.Client>): Promise<RunLockSession> {
    return new RunLockSession(await connect());
  }

  /** Why the lock connection is gone, or null while it holds. */
  get lost(): string | null {
    return this.lostReason;
  }

  /** Calls `listener` once when the lock connection is lost; returns the unsubscribe. */
  onLost(listener: (reason: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private watch(client: pg.Client): void {
    const lose = (reason: string) => {
      if (client !== this.client || this.lostReason) return;
      this.lostReason = reason;
      for (const listener of this.lostListeners) listener(reason);
    };
    client.on('error', (error: Error) => lose(`the lock connection failed: ${error.message}`));
    client.on('end', () => lose('the lock connection ended'));
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
    this.held = [...requests];
    return true;
  }

  /**
   * After the lock connection was lost: a new connection and the same locks again. Returns false
   * (holding nothing) when another session took one meanwhile. Throws when the database does
   * not answer.
   */
  async reacquire(connect: () => Promise<pg.Client>): Promise<boolean> {
    const old = this.client;
    this.client = await connect();
    this.lostReason = null;
    this.watch(this.client);
    old.end().catch(() => {});
    return this.tryAcquire(this.held);
  }

  /** A round trip on the lock connection: false when it no longer answers. */
  async ping(timeoutMs: number): Promise<boolean> {
    if (this.lostReason) return false;
    try {
      await this.client.query({ text: 'SELECT 1', query_timeout: timeoutMs } as never);
      return true;
    } catch {
      return false;
    }
  }

  private async unlock(requests: readonly LockRequest[]): Promise<void> {
    for (const request of requests) {
      const fn = request.mode === 'shared' ? 'pg_advisory_unlock_shared' : 'pg_advisory_unlock';
      await this.client.query(`SELECT ${fn}(hashtextextended($1, 0))`, [request.key]);
    }
  }

  /** Releases everything by closing the connection (which PostgreSQL guarantees frees the locks). */
  async release(): Promise<void> {
    this.lostListeners.clear();
    try {
      await this.client.query('SELECT pg_advisory_unlock_all()');
    } catch {
      // the connection is gone already, and its locks with it
    }
    await this.client.end().catch(() => {});
  }
}

/** Two lock sets conflict when they share a key and at least one side wants it exclusively. */
export function locksConflict(a: readonly LockRequest[], b: readonly LockRequest[]): boolean {
  return a.some((x) => b.some((y) => x.key === y.key && (x.mode === 'exclusive' || y.mode === 'exclusive')));
}
