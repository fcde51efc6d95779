import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './send-test-limit.ts';

describe('send test limiter', () => {
  it('allows the limit per key in any window, then says how long to wait', () => {
    const limiter = new SlidingWindowLimiter({ max: 3, windowMs: 60_000 });
    const t0 = 1_000_000;
    expect([0, 1, 2].map((i) => limiter.take('dest-1:alice', t0 + i * 1000))).toEqual([0, 0, 0]);
    expect(limiter.take('dest-1:alice', t0 + 10_000)).toBe(50_000);
    // Another destination, or another operator, has a count of its own.
    expect(limiter.take('dest-2:alice', t0 + 10_000)).toBe(0);
    expect(limiter.take('dest-1:bob', t0 + 10_000)).toBe(0);
    // Once the first request leaves the window, one more is allowed.
    expect(limiter.take('dest-1:alice', t0 + 60_001)).toBe(0);
    expect(limiter.take('dest-1:alice', t0 + 60_002)).toBeGreaterThan(0);
  });
});
