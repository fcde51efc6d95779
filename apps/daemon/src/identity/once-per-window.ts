/**
 * Lets one event per key through per window: the first throttled sign-in of an (IP, e-mail) is
 * logged, the rest of its window is not, so a client cannot flood the log at request rate. Memory
 * is bounded: past `maxKeys` live keys the oldest are forgotten (at worst, one more line for them).
 */
export class OncePerWindow {
  private readonly until = new Map<string, number>();

  constructor(private readonly maxKeys = 10_000) {}

  /** True when `key` has not passed within its current window; the window then lasts `windowMs`. */
  take(key: string, windowMs: number, now = Date.now()): boolean {
    const end = this.until.get(key);
    if (end !== undefined && end > now) return false;
    this.until.delete(key); // re-inserted last, so the Map's order stays oldest-first
    this.until.set(key, now + windowMs);
    if (this.until.size > this.maxKeys) this.forgetOldest(now);
    return true;
  }

  private forgetOldest(now: number): void {
    for (const [key, end] of this.until) {
      if (this.until.size <= this.maxKeys && end > now) return;
      this.until.delete(key);
    }
  }
}
