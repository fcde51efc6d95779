import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATUSES,
  assertTransition,
  IllegalTransitionError,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  type RunStatus,
  TERMINAL_STATUSES,
} from './state-machine.ts';

const edges = RUN_STATUSES.flatMap((from) =>
  (Object.keys(RUN_TRANSITIONS[from]) as RunStatus[]).map((to) => [from, to] as const),
);

describe('run state machine', () => {
  it.each(edges)('allows %s → %s', (from, to) => {
    const outcome = to === 'completed' ? 'failed' : 'pending';
    expect(() => assertTransition('1', from, to, outcome)).not.toThrow();
  });

  it('refuses to leave completed, naming the run and both states', () => {
    expect(() => assertTransition('41', 'completed', 'running', 'pending')).toThrow(
      new IllegalTransitionError('41', 'completed', 'running', 'pending'),
    );
    expect(() => assertTransition('41', 'completed', 'running', 'pending')).toThrow(
      'cannot move run 41 from completed to running',
    );
  });

  it('refuses to skip running: queued cannot be paused', () => {
    expect(() => assertTransition('7', 'queued', 'paused', 'pending')).toThrow(IllegalTransitionError);
  });

  it('requires a final outcome to complete and pending otherwise', () => {
    expect(() => assertTransition('7', 'running', 'completed', 'pending')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('7', 'paused', 'running', 'succeeded')).toThrow(IllegalTransitionError);
  });

  it('derives the terminal and active groups from the table', () => {
    expect(TERMINAL_STATUSES).toEqual(['completed']);
    expect(ACTIVE_STATUSES).toEqual(['queued', 'running', 'paused']);
  });
});
