import { type BackgroundLoop, startBackgroundLoop } from '../background-loop.ts';
import { type Logger, metrics } from '../observability/index.ts';
import { backoffMs, type DeliveryStatus } from './delivery-state.ts';
import type { DeliveryStore, LeasedDelivery } from './delivery-store.ts';
import type { Destination, DestinationKind, DestinationStore } from './destination-store.ts';
import { describeSendError, type Send } from './senders.ts';

export interface DeliveryWorkerOptions {
  deliveries: DeliveryStore;
  destinations: DestinationStore;
  senders: Record<DestinationKind, Send>;
  /** The wait after the first failed attempt; it doubles after each further one. */
  retryBaseMs: number;
  /** The longest the worker sleeps before looking again (deliveries enqueued by other processes). */
  pollMs: number;
  /** How long a leased delivery stays ours; longer than one attempt can take. */
  leaseMs: number;
  log: (message: string) => void;
  /** Every attempt's outcome as a structured `alert.delivery` line (else failed ones via `log`). */
  logger?: Logger;
}

/** What one attempt came to, as the caller of attemptRun() reports it. */
export interface AttemptOutcome {
  deliveryId: string;
  destinationName: string | null;
  status: DeliveryStatus;
  error: string | null;
}

const BATCH = 10;

/**
 * Sends pending deliveries in the background, each attempt recorded, failed ones retried with
 * backoff. It works only from the database, so deliveries enqueued before a restart, or by another
 * process, are picked up the same way; nothing here is on a run's path.
 *
 * Why not pg-boss (evaluated for issue 10): the console's record of a delivery and its attempts
 * (ops.alert_deliveries, ops.alert_delivery_attempts) would have had to be kept in step with a
 * second job table; its retry delays are whole seconds; its own maintenance loops poll too; and
 * `exec`'s one attempt at *its run's* deliveries does not fit a fetch-the-next-job API.
 */
export class DeliveryWorker {
  private loop: BackgroundLoop | null = null;

  constructor(private readonly options: DeliveryWorkerOptions) {}

  start(): void {
    if (this.loop) return;
    this.loop = startBackgroundLoop({
      name: 'alert deliveries',
      // Idle, a pass costs three short statements every pollMs; a backoff ending sooner wakes it sooner.
      pass: async () => {
        await this.runOnce();
        return (await this.options.deliveries.msUntilNextDue()) ?? undefined;
      },
      idleMs: this.options.pollMs,
      log: this.options.log,
    });
  }

  /** Look now (something was just enqueued). */
  nudge(): void {
    this.loop?.nudge();
  }

  /** Stops after the attempts under way; an unfinished lease is picked up again after it runs out. */
  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = null;
    await loop?.stop();
  }

  /** One pass: every due delivery gets one attempt. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const { deliveries } = this.options;
    await deliveries.failAbandoned();
    let attempted = 0;
    for (;;) {
      const leased = await deliveries.lease(BATCH, this.options.leaseMs);
      // Destinations are independent: one that hangs or refuses does not hold up the others.
      await Promise.all(leased.map((d) => this.attempt(d)));
      attempted += leased.length;
      if (leased.length < BATCH || !this.loop) return attempted;
    }
  }

  /**
   * One attempt at each due delivery of one run, now, whoever is running (`exec` right after its
   * run). `skip` leaves a destination's delivery untouched for a daemon (this process cannot send
   * to it). Failed attempts stay pending with their backoff, like the worker's own.
   */
  async attemptRun(
    runId: string,
    leaseMs: number,
    skip: (destination: Destination) => boolean = () => false,
  ): Promise<AttemptOutcome[]> {
    const all = await this.options.destinations.list();
    const excluded = all.filter(skip).map((d) => d.id);
    const leased = await this.options.deliveries.lease(BATCH * 10, leaseMs, { runId, excluded });
    return Promise.all(leased.map((d) => this.attempt(d)));
  }

  private async attempt(leased: LeasedDelivery): Promise<AttemptOutcome> {
    const { deliveries, destinations, senders, retryBaseMs, log } = this.options;
    const startedAt = new Date();
    const destination = leased.destinationId
      ? await destinations.get(leased.destinationId).catch(() => null)
      : null;
    let result: { ok: true } | { ok: false; error: string; final?: boolean };
    if (!destination) {
      result = { ok: false, error: 'the destination was deleted before delivery', final: true };
    } else if (!destination.enabled) {
      result = { ok: false, error: 'the destination was disabled before delivery', final: true };
    } else {
      try {
        await senders[destination.kind](destination, leased.message);
        result = { ok: true };
      } catch (error) {
        result = { ok: false, error: describeSendError(error) };
      }
    }
    const status = await deliveries.settle(leased, result, startedAt, backoffMs(leased.attempt, retryBaseMs));
    metrics.safely(() =>
      metrics.alertDeliveries.inc({ channel: destination?.kind ?? 'unknown', state: status }),
    );
    if (this.options.logger) {
      this.options.logger[result.ok ? 'info' : 'warn'](
        {
          event: 'alert.delivery',
          delivery_id: leased.id,
          channel: destination?.kind ?? null,
          attempt: leased.attempt,
          max_attempts: leased.maxAttempts,
          state: status,
          error: result.ok ? null : result.error,
        },
        `alert delivery ${leased.id} attempt ${leased.attempt}/${leased.maxAttempts}: ${result.ok ? 'delivered' : `${result.error} → ${status}`}`,
      );
    } else if (!result.ok) {
      log(
        `alert delivery ${leased.id} attempt ${leased.attempt}/${leased.maxAttempts}: ${result.error} → ${status}`,
      );
    }
    return {
      deliveryId: leased.id,
      destinationName: destination?.name ?? null,
      status,
      error: result.ok ? null : result.error,
    };
  }
}
