import type pg from 'pg';
import {
  afterFailedAttempt,
  assertDeliveryTransition,
  DELIVERY_STATUSES,
  DELIVERY_TRANSITIONS,
  type DeliveryStatus,
  MAX_ATTEMPTS,
} from './delivery-state.ts';
import type { Destination, DestinationKind } from './destination-store.ts';
import type { AlertEvent, AlertMessage } from './messages.ts';

/** A pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

export interface NewDelivery {
  destination: Destination;
  event: AlertEvent;
  runId: string | null;
  occurrenceId: string | null;
  message: AlertMessage;
}

export interface DeliveryAttempt {
  attempt: number;
  ok: boolean;
  error: string | null;
  daemon: string;
  startedAt: string;
  finishedAt: string;
}

/** A delivery as the run detail shows it. */
export interface DeliveryRecord {
  id: string;
  destinationId: string | null;
  destinationKind: DestinationKind;
  destinationName: string;
  event: string;
  runId: string | null;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  attemptLog: DeliveryAttempt[];
}

/** A delivery this worker has leased for one attempt. */
export interface LeasedDelivery {
  id: string;
  destinationId: string | null;
  message: AlertMessage;
  attempt: number;
  maxAttempts: number;
}

// The statuses a lease may start from, read off the transition table rather than repeated here.
const LEASABLE_FROM = DELIVERY_STATUSES.filter((s) => DELIVERY_TRANSITIONS[s].sending !== undefined);

/** The ops.alert_deliveries and ops.alert_delivery_attempts tables. */
export class DeliveryStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Who leases: `host:pid`, kept on attempts so a reader can tell daemons apart. */
    private readonly daemonId: string,
  ) {}

  /** Inserts the deliveries; one per (destination, run, event) however often a run's end is reported. */
  async enqueue(db: Queryable, deliveries: NewDelivery[]): Promise<number> {
    let created = 0;
    for (const d of deliveries) {
      const result = await db.query(
        `INSERT INTO ops.alert_deliveries
           (destination_id, destination_kind, destination_name, event, run_id, occurrence_id, message, max_attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (destination_id, run_id, event) WHERE run_id IS NOT NULL DO NOTHING`,
        [
          d.destination.id,
          d.destination.kind,
          d.destination.name,
          d.event,
          d.runId,
          d.occurrenceId,
          JSON.stringify(d.message),
          MAX_ATTEMPTS,
        ],
      );
      created += result.rowCount ?? 0;
    }
    return created;
  }

  /**
   * Leases due deliveries for one attempt each: pending ones whose backoff is over, and sending ones
   * whose lease ran out (their daemon stopped mid-attempt). SKIP LOCKED keeps two daemons apart.
   * `only` narrows it to one run's deliveries, leaving those of `excluded` destinations alone.
   */
  async lease(
    limit: number,
    leaseMs: number,
    only: { runId: string; excluded: string[] } | null = null,
  ): Promise<LeasedDelivery[]> {
    const { rows } = await this.pool.query(
      `WITH due AS (
         SELECT id FROM ops.alert_deliveries
          WHERE status = ANY($4::text[])
            AND ((status = 'pending' AND next_attempt_at <= now())
              OR (status = 'sending' AND lease_until < now() AND attempts < max_attempts))
            AND ($5::bigint IS NULL OR (run_id = $5 AND NOT (destination_id = ANY($6::bigint[]))))
          ORDER BY next_attempt_at, id
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE ops.alert_deliveries d
          SET status = 'sending', attempts = d.attempts + 1, leased_by = $2,
              lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
         FROM due WHERE d.id = due.id
       RETURNING d.id, d.destination_id, d.message, d.attempts, d.max_attempts`,
      [limit, this.daemonId, leaseMs, LEASABLE_FROM, only?.runId ?? null, only?.excluded ?? []],
    );
    return rows.map((r) => ({
      id: String(r.id),
      destinationId: r.destination_id === null ? null : String(r.destination_id),
      message: r.message as AlertMessage,
      attempt: r.attempts as number,
      maxAttempts: r.max_attempts as number,
    }));
  }

  /** A lease that ran out on the last attempt: nothing is left to try. */
  async failAbandoned(): Promise<number> {
    assertDeliveryTransition('(abandoned)', 'sending', 'failed');
    const result = await this.pool.query(
      `UPDATE ops.alert_deliveries
          SET status = 'failed', leased_by = NULL, lease_until = NULL, updated_at = now(),
              last_error = coalesce(last_error || '; ', '') || 'its daemon stopped during the last attempt'
        WHERE status = 'sending' AND lease_until < now() AND attempts >= max_attempts`,
    );
    return result.rowCount ?? 0;
  }

  /**
   * Records the attempt and moves the delivery on: delivered, pending again after the backoff, or
   * failed. `final` fails it whatever attempts remain (its destination is gone). Returns the status.
   */
  async settle(
    leased: LeasedDelivery,
    result: { ok: true } | { ok: false; error: string; final?: boolean },
    startedAt: Date,
    retryInMs: number,
  ): Promise<DeliveryStatus> {
    const next: DeliveryStatus = result.ok
      ? 'delivered'
      : result.final
        ? 'failed'
        : afterFailedAttempt(leased.attempt, leased.maxAttempts);
    assertDeliveryTransition(leased.id, 'sending', next);
    const error = result.ok ? null : result.error;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ops.alert_delivery_attempts (delivery_id, attempt, ok, error, daemon, started_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [leased.id, leased.attempt, result.ok, error, this.daemonId, startedAt],
      );
      await client.query(
        `UPDATE ops.alert_deliveries
            SET status = $3, last_error = coalesce($4, last_error), leased_by = NULL, lease_until = NULL,
                next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + $5 * interval '1 millisecond'
                                       ELSE next_attempt_at END,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() END, updated_at = now()
          WHERE id = $1 AND status = 'sending' AND leased_by = $2`,
        [leased.id, this.daemonId, next, error, retryInMs],
      );
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
    return next;
  }

  /**
   * Milliseconds until the next delivery is due (or a lease runs out), or null when none waits.
   * Null really means none: `GREATEST(0, NULL)` is 0 in SQL, which once made an idle worker spin.
   */
  async msUntilNextDue(): Promise<number | null> {
    const { rows } = await this.pool.query(
      `SELECT EXTRACT(EPOCH FROM (min(CASE WHEN status = 'pending' THEN next_attempt_at
                                           ELSE lease_until END) - now())) * 1000 AS ms
         FROM ops.alert_deliveries WHERE status IN ('pending', 'sending')`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Math.max(0, Math.ceil(Number(ms)));
  }

  async listForRun(runId: string): Promise<DeliveryRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT d.*, coalesce(
                (SELECT json_agg(json_build_object('attempt', a.attempt, 'ok', a.ok, 'error', a.error,
                        'daemon', a.daemon, 'startedAt', a.started_at, 'finishedAt', a.finished_at)
                        ORDER BY a.attempt, a.id)
                   FROM ops.alert_delivery_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_log
         FROM ops.alert_deliveries d WHERE d.run_id = $1 ORDER BY d.id`,
      [runId],
    );
    return rows.map((r) => ({
      id: String(r.id),
      destinationId: r.destination_id === null ? null : String(r.destination_id),
      destinationKind: r.destination_kind,
      destinationName: r.destination_name,
      event: r.event,
      runId: r.run_id === null ? null : String(r.run_id),
      status: r.status,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      nextAttemptAt: r.status === 'pending' ? (r.next_attempt_at as Date).toISOString() : null,
      lastError: r.last_error,
      createdAt: (r.created_at as Date).toISOString(),
      updatedAt: (r.updated_at as Date).toISOString(),
      deliveredAt: r.delivered_at ? (r.delivered_at as Date).toISOString() : null,
      attemptLog: (r.attempt_log as DeliveryAttempt[]).map((a) => ({
        ...a,
        startedAt: new Date(a.startedAt).toISOString(),
        finishedAt: new Date(a.finishedAt).toISOString(),
      })),
    }));
  }
}
