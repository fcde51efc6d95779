/**
 * A delivery's life, written down once. The store's updates are conditional on the status they
 * read, and every change is checked against this table first.
 */
export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Legal edges, each with when it happens. */
export const DELIVERY_TRANSITIONS: Readonly<
  Record<DeliveryStatus, Readonly<Partial<Record<DeliveryStatus, string>>>>
> = {
  pending: {
    sending: 'a worker leased it and starts an attempt',
  },
  sending: {
    delivered: 'the destination accepted the message',
    pending: 'the attempt failed and attempts remain: it waits out the backoff',
    failed: 'the last attempt failed, or the destination was deleted or disabled meanwhile',
    sending: 'the lease ran out (its daemon stopped mid-attempt) and a worker leased it again',
  },
  delivered: {},
  failed: {},
};

/** Every delivery gets this many attempts before it is failed for good. */
export const MAX_ATTEMPTS = 3;

export class IllegalDeliveryTransitionError extends Error {
  constructor(id: string, from: DeliveryStatus, to: DeliveryStatus) {
    super(`cannot move delivery ${id} from ${from} to ${to}`);
    this.name = 'IllegalDeliveryTransitionError';
  }
}

export function canMoveDelivery(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return DELIVERY_TRANSITIONS[from][to] !== undefined;
}

/** Throws IllegalDeliveryTransitionError unless from → to is an edge of the table. */
export function assertDeliveryTransition(id: string, from: DeliveryStatus, to: DeliveryStatus): void {
  if (!canMoveDelivery(from, to)) throw new IllegalDeliveryTransitionError(id, from, to);
}

/** Where a failed attempt leads: another try after the backoff, or the end. */
export function afterFailedAttempt(attempts: number, maxAttempts: number): 'pending' | 'failed' {
  return attempts >= maxAttempts ? 'failed' : 'pending';
}

/** Exponential backoff: the wait after attempt n is base × 2^(n−1) (base, 2·base, 4·base, …). */
export function backoffMs(attempt: number, baseMs: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}
