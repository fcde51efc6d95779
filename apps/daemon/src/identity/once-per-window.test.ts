import { describe, expect, it } from 'vitest';
import { OncePerWindow } from './once-per-window.ts';

describe('OncePerWindow', () => {
  it('lets a key through once per window, and again once the window has passed', () => {
    const once = new OncePerWindow();
    expect(once.take('k', 60_000, 0)).toBe(true);
    expect(once.take('k', 60_000, 1_000)).toBe(false);
    expect(once.take('other', 60_000, 1_000)).toBe(true);
    expect(once.take('k', 60_000, 59_999)).toBe(false);
    expect(once.take('k', 60_000, 60_000)).toBe(true);
  });

  it('forgets the oldest keys past its bound, so memory stays flat under a flood of keys', () => {
    const once = new OncePerWindow(3);
    for (const key of ['a', 'b', 'c', 'd']) expect(once.take(key, 60_000, 0)).toBe(true);
    expect(once.take('a', 60_000, 1)).toBe(true); // forgotten: logged once more
    expect(once.take('d', 60_000, 1)).toBe(false);
  });
});
