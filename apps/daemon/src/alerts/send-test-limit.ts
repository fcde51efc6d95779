// "Send test" connects out on an operator's request, so it is rationed: a few tries per minute
// per destination and operator are plenty to check a setting, and too few to scan with.

export interface RateLimit {
  /** Requests allowed in any window. */
  max: number;
  windowMs: number;
}

export const SEND_TEST_LIMIT: RateLimit = { max: 5, windowMs: 60_000 };

/** A sliding-window counter per key, in this process's memory. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(readonly limit: RateLimit) {}

  /** Counts one request for `key`; returns 0 when allowed, else the milliseconds until it would be. */
  take(key: string, now = Date.now()): number {
    const since = now - this.limit.windowMs;
    // Forget windows that have passed, so the map does not grow with every key ever seen.
    for (const [k, times] of this.hits) {
      if (times.at(-1)! <= since) this.hits.delete(k);
    }
    const recent = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (recent.length >= this.limit.max) return recent[0]! + this.limit.windowMs - now;
    recent.push(now);
    this.hits.set(key, recent);
    return 0;
  }
}
