import { describe, expect, it } from 'vitest';
import { newerRun, type RunSnapshot, supersedes } from './run-snapshot-order.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 28, 12, 0, seconds)).toISOString();
const run = (status: string, processed: number | undefined, seconds: number): RunSnapshot => ({
  status,
  progress: processed === undefined ? {} : { processed },
  updatedAt: at(seconds),
});

describe('supersedes', () => {
  it('takes the first record there is', () => {
    expect(supersedes(undefined, run('running', 0, 0))).toBe(true);
  });

  it('takes a later snapshot and refuses an older one that lands after it', () => {
    const older = run('running', 100, 1);
    const newer = run('running', 250, 2);
    expect(supersedes(older, newer)).toBe(true);
    expect(supersedes(newer, older)).toBe(false);
  });

  it('never lets the processed count go down, whatever the times say', () => {
    expect(supersedes(run('running', 250, 2), run('running', 100, 3))).toBe(false);
  });

  it('keeps a completed run completed, and lets completion through even with an earlier time', () => {
    const completed = run('completed', 600, 5);
    expect(supersedes(completed, run('running', 600, 9))).toBe(false);
    expect(supersedes(run('running', 550, 9), completed)).toBe(true);
  });

  it('takes a status change written in the same millisecond, and a record without progress', () => {
    expect(supersedes(run('running', 300, 4), run('paused', 300, 4))).toBe(true);
    expect(supersedes(run('queued', undefined, 1), run('running', undefined, 2))).toBe(true);
  });
});

describe('newerRun', () => {
  it('keeps what is on screen when the answer is older, and replaces it otherwise', () => {
    const shown = run('running', 250, 2);
    expect(newerRun(shown, run('running', 100, 1))).toBe(shown);
    const next = run('running', 300, 3);
    expect(newerRun(shown, next)).toBe(next);
  });

  it('settles on the newest record whatever order a burst of answers arrives in', () => {
    const answers = [
      run('running', 100, 1),
      run('running', 400, 4),
      run('paused', 400, 5),
      run('running', 200, 2),
    ];
    for (const order of [
      answers,
      [...answers].reverse(),
      [answers[2]!, answers[0]!, answers[3]!, answers[1]!],
    ]) {
      expect(order.reduce<RunSnapshot | undefined>(newerRun, undefined)).toBe(answers[2]);
    }
  });
});
