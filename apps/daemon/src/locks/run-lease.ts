import type pg from 'pg';

/** Something that runs a statement: the pool, or a client inside its transaction. */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * A chunk found that its run is no longer its writer's to write: the lease ran out or another
 * process took the run over (bumped the fence). Nothing of the chunk commits.
 */
export class LeaseLostError extends Error {
  constructor(readonly runId: string) {
    super(
      `run ${runId} is no longer owned by this process (its lease ran out or another process took it over)`,
    );
    this.name = 'LeaseLostError';
  }
}

/** Which lease a writer works under: the run and the fence number it saw when it started. */
export interface Fence {
  runId: string;
  fence: string;
}

/**
 * Proves, inside a chunk's transaction, that `fence` still owns the run with a lease that has not
 * run out. The row stays share-locked until the chunk commits, so a takeover (which updates the
 * row) waits for chunks that passed this check, and chunks after it fail it. Throws LeaseLostError.
 */
export async function checkFence(tx: Queryable, fence: Fence): Promise<void> {
  // ops.run_id names the writing run for the rest of the transaction: a trigger of the product's
  // (or a DBA's) can record which run changed a row. FOR KEY SHARE (migration 016 makes the fence
  // a key column): a takeover, which bumps the fence, waits for this transaction; the owner's lease
  // renewal, which does not, never waits behind overlapping chunks.
  const { rowCount } = await tx.query(
    `SELECT set_config('ops.run_id', run_id::text, true) FROM ops.run_leases
      WHERE run_id = $1 AND fence = $2 AND expires_at > clock_timestamp()
      FOR KEY SHARE`,
    [fence.runId, fence.fence],
  );
  if (rowCount !== 1) throw new LeaseLostError(fence.runId);
}

/** The run's current fence while its lease is held (helpers join under it), or null. */
export async function currentFence(db: Queryable, runId: string): Promise<Fence | null> {
  const { rows } = await db.query(
    'SELECT fence::text AS fence FROM ops.run_leases WHERE run_id = $1 AND expires_at > clock_timestamp()',
    [runId],
  );
  return rows[0] ? { runId, fence: rows[0].fence as string } : null;
}

/** True while some process holds the run's lease: its owner is alive, as far as anyone can prove. */
export async function leaseHeld(db: Queryable, runId: string): Promise<boolean> {
  return (await currentFence(db, runId)) !== null;
}

/**
 * A run's ownership, held by renewing a lease on ops.run_leases. PostgreSQL's clock decides when a
 * lease runs out, so hosts with skewed clocks agree.
 */
export class RunLease implements Fence {
  private constructor(
    private readonly db: Queryable,
    readonly runId: string,
    readonly fence: string,
    readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** A new run's lease (fence 1). */
  static async create(db: Queryable, runId: string, owner: string, leaseMs: number): Promise<RunLease> {
    await db.query(
      `INSERT INTO ops.run_leases (run_id, fence, owner, expires_at)
       VALUES ($1, 1, $2, clock_timestamp() + $3 * interval '1 millisecond')`,
      [runId, owner, leaseMs],
    );
    return new RunLease(db, runId, '1', owner, leaseMs);
  }

  /**
   * Takes a run over when nobody holds its lease (released, or run out): bumps the fence, so the
   * previous owner can never commit again. Waits for chunks that are past their fence check.
   * Returns null while another owner's lease is still valid, or when the run has no lease row.
   */
  static async takeOver(
    db: Queryable,
    runId: string,
    owner: string,
    leaseMs: number,
  ): Promise<RunLease | null> {
    const { rows } = await db.query(
      `UPDATE ops.run_leases
          SET fence = fence + 1, owner = $2, expires_at = clock_timestamp() + $3 * interval '1 millisecond'
        WHERE run_id = $1 AND (expires_at IS NULL OR expires_at <= clock_timestamp())
        RETURNING fence::text AS fence`,
      [runId, owner, leaseMs],
    );
    return rows[0] ? new RunLease(db, runId, rows[0].fence as string, owner, leaseMs) : null;
  }

  /**
   * Gives a lease row, released, to an active run that has none (its process died between
   * recording the run and taking the lease, or it predates leases), so `takeOver` can end it.
   * Only runs older than `graceMs`: a run just being started gets its lease an instant later.
   */
  static async adoptOrphan(db: Queryable, runId: string, graceMs: number): Promise<void> {
    await db.query(
      `INSERT INTO ops.run_leases (run_id, fence, owner, expires_at)
       SELECT id, 0, 'orphan', NULL FROM ops.runs
        WHERE id = $1 AND created_at < clock_timestamp() - $2 * interval '1 millisecond'
       ON CONFLICT (run_id) DO NOTHING`,
      [runId, graceMs],
    );
  }

  /**
   * Extends the lease; false when the run was taken over meanwhile (then this process must stop
   * writing it). A lease that ran out with nobody taking over is ours again.
   */
  async renew(): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ops.run_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
        WHERE run_id = $1 AND fence = $2`,
      [this.runId, this.fence, this.leaseMs],
    );
    return rowCount === 1;
  }

  /** Gives the run up (paused without an owner, or ended): anyone may take it over at once. */
  async release(): Promise<void> {
    await this.db.query('UPDATE ops.run_leases SET expires_at = NULL WHERE run_id = $1 AND fence = $2', [
      this.runId,
      this.fence,
    ]);
  }
}
