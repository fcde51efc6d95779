import { backoffMs } from './delivery-state.ts';
import type { DeliveryStore, LeasedDelivery } from './delivery-store.ts';
import type { DestinationKind, DestinationStore } from './destination-store.ts';
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
}

const BATCH = 10;

/**
 * Sends pending deliveries in the background, each attempt recorded, failed ones retried with
 * backoff. It works only from the database, so deliveries enqueued before a restart, or by another
 * process, are picked up the same way; nothing here is on a run's path.
 */
export class DeliveryWorker {
  private stopped = true;
  private wake: (() => void) | null = null;
  /** A nudge that came while a pass was running: the loop goes round again instead of sleeping. */
  private nudged = false;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(private readonly options: DeliveryWorkerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** Look now (something was just enqueued). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Stops after the attempts under way; an unfinished lease is picked up again after it runs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let waitMs = this.options.pollMs;
      this.nudged = false;
      try {
        await this.runOnce();
        const due = await this.options.deliveries.msUntilNextDue();
        if (due !== null) waitMs = Math.min(waitMs, due);
      } catch (error) {
        this.options.log(`alert deliveries: ${(error as Error).message}`);
      }
      if (this.stopped) break;
      if (this.nudged) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
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
      if (leased.length < BATCH || this.stopped) return attempted;
    }
  }

  private async attempt(leased: LeasedDelivery): Promise<void> {
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
    if (!result.ok) {
      log(
        `alert delivery ${leased.id} attempt ${leased.attempt}/${leased.maxAttempts}: ${result.error} → ${status}`,
      );
    }
  }
}
