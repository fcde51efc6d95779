import { BusyError } from '../errors.ts';

export interface SharedFlightLimits {
  /** Distinct queries running at once. */
  concurrency: number;
  /** Distinct queries waiting for a free slot; one more is refused at once with BusyError. */
  queue: number;
}

/**
 * Bounds how many expensive read-only queries (exact preflights, estimates) this daemon runs at
 * once, and lets identical requests share one query ("single flight"):
 *
 * - A request whose key matches a query already running or waiting joins it and gets its result
 *   (or its error); nothing is cached once the query has settled.
 * - At most `concurrency` distinct queries run; the next ones wait their turn in order (they hold
 *   no database connection while they wait).
 * - When `queue` queries are already waiting, a new one is refused at once with BusyError, so a
 *   burst cannot pile up behind the pool and every caller learns it should try again later.
 */
export class SharedFlights<T> {
  private readonly flights = new Map<string, Promise<T>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;

  constructor(
    /** What the queries are, in the words of the refusal ("exact preflights"). */
    private readonly what: string,
    private readonly limits: SharedFlightLimits,
  ) {
    if (!(limits.concurrency >= 1))
      throw new RangeError(`concurrency must be at least 1 (got ${limits.concurrency})`);
  }

  /** Queries running and waiting now (for tests and diagnostics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Runs `query` under the limits, or joins the identical query (same key) under way.
   * Throws BusyError when the limits are reached; otherwise what `query` throws.
   */
  run(key: string, query: () => Promise<T>): Promise<T> {
    const shared = this.flights.get(key);
    if (shared) return shared;
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.queue) {
      return Promise.reject(
        new BusyError(
          `this daemon is already running ${this.running} ${this.what} with ${this.waiting.length} more waiting ` +
            `(at most ${this.limits.concurrency} at once); try again when one has finished`,
        ),
      );
    }
    const flight = this.slot().then(async () => {
      try {
        return await query();
      } finally {
        this.release();
      }
    });
    this.flights.set(key, flight);
    const forget = () => {
      this.flights.delete(key);
    };
    flight.then(forget, forget);
    return flight;
  }

  private slot(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  // A finished query hands its slot straight to the first waiter, so `running` never dips below
  // the limit while others wait (no barging).
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** The same key for the same request, whatever order its objects' properties came in. */
export function requestKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
