import type { IdBounds } from '@ops/runbook-sdk';
import type pg from 'pg';
import type { RunFailure } from './run-record.ts';

/**
 * The ops.run_work and ops.run_work_units tables (migration 006): a run's work as id ranges that
 * workers claim with FOR UPDATE SKIP LOCKED. A chunk's writes and the move of its unit's cursor
 * commit together, so a chunk is written exactly once whichever worker, process or daemon did it;
 * a worker that dies takes its row lock with its connection and the unit is simply claimed again.
 */

type Queryable = pg.Pool | pg.PoolClient;

/** A unit a worker holds for the length of one chunk transaction. */
export interface ClaimedUnit {
  unitNo: number;
  /** Ids up to here are done; null: none yet and the unit starts at the first id. */
  cursor: string | null;
  /** The unit ends here (included); null: where the keys run out. */
  lastId: string | null;
  /** Tenants left out of the run after their writes failed. */
  excludedTenantIds: number[];
}

/** A range to plan: ids in (afterId, lastId]; null ends are open. */
export interface UnitRange {
  afterId: string | null;
  lastId: string | null;
}

/** Where the run stands, summed over its units. */
export interface WorkTotals {
  processed: number;
  updated: number;
  units: number;
  unitsDone: number;
  /** Items in scope when planned; null until counted. */
  totalItems: number | null;
  /** Every id up to here is done: the run's checkpoint. */
  lowWater: string | null;
  failures: RunFailure[];
  runStatus: string | null;
}

// How a run's id span is cut: enough units for every worker to have several (so a slow one does
// not hold up the end), about this many ids each, and a cap so the table stays small.
export const UNIT_PLAN = { idsPerUnit: 20_000, unitsPerWorker: 4, maxUnits: 256 } as const;

/** Equal-width id ranges covering `bounds`, for `workers` workers. Pure. */
export function planRanges(bounds: IdBounds, workers: number): UnitRange[] {
  const first = BigInt(bounds.firstId) - 1n;
  const last = BigInt(bounds.lastId);
  const span = last - first;
  const wanted = Math.max(workers * UNIT_PLAN.unitsPerWorker, Math.ceil(Number(span) / UNIT_PLAN.idsPerUnit));
  const count = BigInt(Math.max(1, Math.min(UNIT_PLAN.maxUnits, wanted, Number(span))));
  const ranges: UnitRange[] = [];
  for (let i = 0n; i < count; i++) {
    const after = first + (span * i) / count;
    const end = i === count - 1n ? last : first + (span * (i + 1n)) / count;
    ranges.push({ afterId: after.toString(), lastId: end.toString() });
  }
  return ranges;
}

export class WorkUnits {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Plans the run's work once. Concurrent or later calls (a resume, another daemon) find the plan
   * and keep it; returns whether this call made it. `seed` carries counts of a run checkpointed
   * before units existed (its single unit starts at the old checkpoint).
   */
  async plan(
    runId: string,
    ranges: readonly UnitRange[],
    options: {
      writeBudget: number | null;
      failures: RunFailure[];
      seed?: { processed: number; updated: number };
    },
  ): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const created = await client.query(
        `INSERT INTO ops.run_work (run_id, write_budget, failures) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (run_id) DO NOTHING`,
        [runId, options.writeBudget, JSON.stringify(options.failures)],
      );
      if (created.rowCount === 1) {
        await client.query(
          `INSERT INTO ops.run_work_units (run_id, unit_no, after_id, last_id, cursor, processed, updated)
           SELECT $1, r.n - 1, r.after_id, r.last_id, r.after_id,
                  CASE WHEN r.n = 1 THEN $4::bigint ELSE 0 END, CASE WHEN r.n = 1 THEN $5::bigint ELSE 0 END
           FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS r(after_id, last_id, n)`,
          [
            runId,
            ranges.map((r) => r.afterId),
            ranges.map((r) => r.lastId),
            options.seed?.processed ?? 0,
            options.seed?.updated ?? 0,
          ],
        );
      }
      await client.query('COMMIT');
      return created.rowCount === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async isPlanned(runId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM ops.run_work WHERE run_id = $1', [runId]);
    return rowCount === 1;
  }

  async setTotal(runId: string, totalItems: number): Promise<void> {
    await this.pool.query('UPDATE ops.run_work SET total_items = $2 WHERE run_id = $1', [runId, totalItems]);
  }

  /**
   * Claims an open unit of a running run for the current transaction of `tx`, preferring the
   * worker's previous one (its pages are warm), or only that one. Units other workers hold are
   * skipped, not awaited.
   */
  async claim(
    tx: pg.PoolClient,
    runId: string,
    preferred: number | null,
    options: { only?: boolean } = {},
  ): Promise<ClaimedUnit | null> {
    const { rows } = await tx.query<{
      unit_no: number;
      cursor: string | null;
      last_id: string | null;
      failures: RunFailure[];
    }>(
      `SELECT u.unit_no, u.cursor::text AS cursor, u.last_id::text AS last_id, w.failures
       FROM ops.run_work_units u
       JOIN ops.run_work w ON w.run_id = u.run_id
       JOIN ops.runs r ON r.id = u.run_id
       WHERE u.run_id = $1 AND NOT u.done AND r.status = 'running' AND (NOT $3 OR u.unit_no = $2)
       ORDER BY u.unit_no = $2 DESC, u.unit_no
       LIMIT 1
       FOR UPDATE OF u SKIP LOCKED`,
      [runId, preferred ?? -1, options.only ?? false],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      unitNo: row.unit_no,
      cursor: row.cursor,
      lastId: row.last_id,
      excludedTenantIds: row.failures.flatMap((f) => (f.tenantId === null ? [] : [f.tenantId])),
    };
  }

  /** Moves a claimed unit past one chunk, inside the chunk's transaction. */
  async advance(
    tx: pg.PoolClient,
    runId: string,
    unitNo: number,
    chunk: { cursor: string | null; items: number; updated: number; done: boolean; worker: string },
  ): Promise<void> {
    await tx.query(
      `UPDATE ops.run_work_units
       SET cursor = coalesce($3::bigint, cursor), processed = processed + $4, updated = updated + $5,
           chunks = chunks + CASE WHEN $4 > 0 THEN 1 ELSE 0 END, done = $6,
           done_by = CASE WHEN $6 THEN $7 ELSE done_by END, updated_at = now()
       WHERE run_id = $1 AND unit_no = $2`,
      [runId, unitNo, chunk.cursor, chunk.items, chunk.updated, chunk.done, chunk.worker],
    );
  }

  /**
   * Adds a tenant to the run's failed set inside the chunk's transaction; false when another worker
   * recorded it first (the row lock orders them, so a tenant is recorded once).
   */
  async addFailure(tx: pg.PoolClient, runId: string, failure: RunFailure): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE ops.run_work SET failures = failures || jsonb_build_array($2::jsonb)
       WHERE run_id = $1 AND NOT failures @> jsonb_build_array(jsonb_build_object('tenantId', $3::bigint))`,
      [runId, JSON.stringify(failure), failure.tenantId],
    );
    return rowCount === 1;
  }

  /**
   * Halves the open unit with the most ids left, so an idle worker can share the last big one.
   * Waits (at most `waitMs`) for that unit's holder to commit its chunk, then splits it at the
   * middle of what is left. Returns false when nothing is worth splitting (or the wait ran out).
   */
  async splitLargest(runId: string, minIds: number, waitMs: number): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '${Math.max(1, Math.round(waitMs))}ms'`);
      // Splits of one run are serialised on its work row: two must not pick the same new number.
      await client.query('SELECT 1 FROM ops.run_work WHERE run_id = $1 FOR UPDATE', [runId]);
      const { rows } = await client.query<{ unit_no: number; last_id: string; mid: string | null }>(
        `SELECT u.unit_no, u.last_id::text AS last_id,
                CASE WHEN u.last_id - coalesce(u.cursor, u.after_id) >= 2 * $2::bigint
                     THEN (coalesce(u.cursor, u.after_id) + (u.last_id - coalesce(u.cursor, u.after_id)) / 2)::text
                END AS mid
         FROM ops.run_work_units u
         WHERE u.run_id = $1 AND NOT u.done AND u.last_id IS NOT NULL AND coalesce(u.cursor, u.after_id) IS NOT NULL
         ORDER BY u.last_id - coalesce(u.cursor, u.after_id) DESC
         LIMIT 1
         FOR UPDATE OF u`,
        [runId, minIds],
      );
      const unit = rows[0];
      if (!unit?.mid) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(
        'UPDATE ops.run_work_units SET last_id = $3::bigint, updated_at = now() WHERE run_id = $1 AND unit_no = $2',
        [runId, unit.unit_no, unit.mid],
      );
      await client.query(
        `INSERT INTO ops.run_work_units (run_id, unit_no, after_id, last_id, cursor)
         SELECT $1, max(unit_no) + 1, $2::bigint, $3::bigint, $2::bigint FROM ops.run_work_units WHERE run_id = $1`,
        [runId, unit.mid, unit.last_id],
      );
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if ((error as { code?: string }).code === '55P03') return false; // the holder kept it: not now
      throw error;
    } finally {
      client.release();
    }
  }

  async totals(runId: string): Promise<WorkTotals> {
    const { rows } = await this.pool.query<{
      processed: string;
      updated: string;
      units: number;
      units_done: number;
      total_items: string | null;
      low_water: string | null;
      failures: RunFailure[];
      run_status: string | null;
    }>(
      `SELECT coalesce(sum(u.processed), 0)::text AS processed, coalesce(sum(u.updated), 0)::text AS updated,
              count(u.*)::int AS units, (count(u.*) FILTER (WHERE u.done))::int AS units_done,
              w.total_items::text AS total_items, w.failures,
              coalesce(min(coalesce(u.cursor, u.after_id)) FILTER (WHERE NOT u.done),
                       max(greatest(u.last_id, u.cursor)))::text AS low_water,
              (SELECT r.status FROM ops.runs r WHERE r.id = w.run_id) AS run_status
       FROM ops.run_work w LEFT JOIN ops.run_work_units u ON u.run_id = w.run_id
       WHERE w.run_id = $1
       GROUP BY w.run_id, w.total_items, w.failures`,
      [runId],
    );
    const row = rows[0];
    if (!row) {
      return {
        processed: 0,
        updated: 0,
        units: 0,
        unitsDone: 0,
        totalItems: null,
        lowWater: null,
        failures: [],
        runStatus: null,
      };
    }
    return {
      processed: Number(row.processed),
      updated: Number(row.updated),
      units: row.units,
      unitsDone: row.units_done,
      totalItems: row.total_items === null ? null : Number(row.total_items),
      lowWater: row.low_water,
      failures: row.failures,
      runStatus: row.run_status,
    };
  }

  /** Running runs with open units, oldest first: what an idle daemon may help with. */
  async runsWithOpenUnits(): Promise<string[]> {
    const { rows } = await this.pool.query<{ run_id: string }>(
      `SELECT w.run_id::text AS run_id FROM ops.run_work w JOIN ops.runs r ON r.id = w.run_id
       WHERE r.status = 'running' AND r.requested_action IS NULL
         AND EXISTS (SELECT 1 FROM ops.run_work_units u WHERE u.run_id = w.run_id AND NOT u.done)
       ORDER BY w.run_id`,
    );
    return rows.map((r) => r.run_id);
  }

  /**
   * Charges `rows` written to the run's write budget and returns how long to wait before the next
   * chunk (0 without a budget). The balance refills at `write_budget` rows/s up to one second's
   * worth and may go negative: every worker of the run, in any daemon, waits off the same debt, so
   * together they write at the budget. One statement, on the database's clock.
   */
  async chargeBudget(db: Queryable, runId: string, rows: number): Promise<number> {
    const { rows: result } = await db.query<{ balance: number; rate: number }>(
      `WITH now AS (SELECT clock_timestamp() AS t)
       UPDATE ops.run_work w
       SET budget_balance = least(w.write_budget::float8,
             w.budget_balance + extract(epoch FROM now.t - w.budget_at)::float8 * w.write_budget) - $2,
           budget_at = now.t
       FROM now
       WHERE w.run_id = $1 AND w.write_budget IS NOT NULL
       RETURNING w.budget_balance AS balance, w.write_budget AS rate`,
      [runId, rows],
    );
    const row = result[0];
    if (!row || row.balance >= 0) return 0;
    return Math.ceil((-row.balance / row.rate) * 1000);
  }
}
