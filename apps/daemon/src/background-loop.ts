import type { LineLog } from './observability/index.ts';

/**
 * The one shape of a daemon's background loop: a pass, then an explicit wait, never two passes at
 * once. A loop that forgets its wait spins (the delivery worker once ran ~1,200 transactions a
 * second at rest), so the wait is not the pass's to decide alone: it is clamped to
 * [minWaitMs, idleMs], and a pass that throws waits the full idleMs.
 */
export interface BackgroundLoopOptions {
  /** Named in the log line of a failed pass. */
  name: string;
  /**
   * One pass. It may return how soon the next one is due (e.g. a retry's backoff ends sooner than
   * idleMs); undefined waits idleMs.
   */
  pass: () => Promise<number | undefined>;
  /** The wait when nothing is due sooner: what an idle daemon costs the database. */
  idleMs: number;
  /** The shortest wait between passes, so that "due now" from a pass can never become a spin. */
  minWaitMs?: number;
  /** Wait idleMs before the first pass (the caller has just done one itself). */
  waitFirst?: boolean;
  log: LineLog;
}

export interface BackgroundLoop {
  /** Run a pass now (something was just enqueued); a nudge during a pass runs one more at once. */
  nudge(): void;
  /** Stops after the pass under way. */
  stop(): Promise<void>;
}

const DEFAULT_MIN_WAIT_MS = 50;

export function startBackgroundLoop(o: BackgroundLoopOptions): BackgroundLoop {
  let stopped = false;
  let nudged = false;
  let wake: (() => void) | null = null;
  const minWait = Math.min(o.minWaitMs ?? DEFAULT_MIN_WAIT_MS, o.idleMs);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const run = async () => {
    if (o.waitFirst) await sleep(o.idleMs);
    while (!stopped) {
      nudged = false;
      let waitMs = o.idleMs;
      try {
        const due = await o.pass();
        if (due !== undefined) waitMs = Math.min(o.idleMs, Math.max(minWait, due));
      } catch (error) {
        o.log(`${o.name}: ${(error as Error).message}`, {
          event: 'loop.failed',
          level: 'warn',
          loop: o.name,
        });
      }
      if (stopped) break;
      if (nudged) continue;
      await sleep(waitMs);
    }
  };
  const done = run();

  return {
    nudge() {
      nudged = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
