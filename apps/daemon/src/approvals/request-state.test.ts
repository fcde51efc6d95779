import { describe, expect, it } from 'vitest';
import {
  canMove,
  fromStatesOf,
  OPEN_STATUSES,
  REQUEST_STATUSES,
  REQUEST_TRANSITIONS,
} from './request-state.ts';

describe('the run request state machine', () => {
  it.each([
    ['pending', 'approved'],
    ['pending', 'rejected'],
    ['pending', 'expired'],
    ['pending', 'withdrawn'],
    ['approved', 'started'],
    ['approved', 'expired'],
    ['started', 'approved'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(canMove(from, to)).toBe(true);
  });

  it('allows no other move: rejected and expired are final, a used approval is not used again', () => {
    const legal = REQUEST_STATUSES.flatMap((from) => REQUEST_TRANSITIONS[from].map((to) => `${from}→${to}`));
    expect(legal.sort()).toEqual(
      [
        'pending→approved',
        'pending→rejected',
        'pending→expired',
        'pending→withdrawn',
        'approved→started',
        'approved→expired',
        'started→approved',
      ].sort(),
    );
    expect(REQUEST_TRANSITIONS.rejected).toEqual([]);
    expect(REQUEST_TRANSITIONS.expired).toEqual([]);
    // a requester withdraws only what nobody decided yet, and a withdrawn request stays withdrawn
    expect(REQUEST_TRANSITIONS.withdrawn).toEqual([]);
    expect(canMove('approved', 'withdrawn')).toBe(false);
    expect(canMove('started', 'started')).toBe(false);
  });

  it('derives the open states (those that can expire) and the states a move may start from', () => {
    expect(OPEN_STATUSES).toEqual(['pending', 'approved']);
    expect(fromStatesOf('approved')).toEqual(['pending', 'started']);
    expect(fromStatesOf('started')).toEqual(['approved']);
    expect(fromStatesOf('rejected')).toEqual(['pending']);
    expect(fromStatesOf('withdrawn')).toEqual(['pending']);
  });
});
