import { describe, expect, it } from 'vitest';
import {
  afterFailedAttempt,
  assertDeliveryTransition,
  backoffMs,
  DELIVERY_STATUSES,
  DELIVERY_TRANSITIONS,
  type DeliveryStatus,
  IllegalDeliveryTransitionError,
} from './delivery-state.ts';

describe('the delivery state machine', () => {
  const edges = DELIVERY_STATUSES.flatMap((from) =>
    (Object.keys(DELIVERY_TRANSITIONS[from]) as DeliveryStatus[]).map((to) => [from, to] as const),
  );

  it.each(edges)('allows %s → %s', (from, to) => {
    expect(() => assertDeliveryTransition('7', from, to)).not.toThrow();
  });

  it('has exactly the documented edges', () => {
    expect(edges).toEqual([
      ['pending', 'sending'],
      ['sending', 'delivered'],
      ['sending', 'pending'],
      ['sending', 'failed'],
      ['sending', 'sending'],
    ]);
  });

  it('refuses to move a delivered or failed delivery, naming it', () => {
    expect(() => assertDeliveryTransition('7', 'delivered', 'pending')).toThrow(
      new IllegalDeliveryTransitionError('7', 'delivered', 'pending'),
    );
    expect(() => assertDeliveryTransition('7', 'failed', 'sending')).toThrow(
      'cannot move delivery 7 from failed to sending',
    );
    expect(() => assertDeliveryTransition('7', 'pending', 'delivered')).toThrow(
      IllegalDeliveryTransitionError,
    );
  });

  it('retries until the last attempt, then fails', () => {
    expect([1, 2, 3].map((n) => afterFailedAttempt(n, 3))).toEqual(['pending', 'pending', 'failed']);
  });

  it('doubles the wait after each failed attempt', () => {
    expect([1, 2, 3].map((n) => backoffMs(n, 30_000))).toEqual([30_000, 60_000, 120_000]);
  });
});
