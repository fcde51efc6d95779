import { newDaemonId } from '../daemon-identity.ts';
import { NotificationStore } from '../notifications/index.ts';
import type { Ops } from '../ops.ts';
import type { RunRecord } from '../runs/index.ts';
import { createAlerting } from './alerting.ts';
import type { AttemptOutcome } from './delivery-worker.ts';
import type { Destination } from './destination-store.ts';

/** The run outcomes whose alert `exec` sends itself, not waiting for a daemon. */
const FIRST_ATTEMPT_OUTCOMES: readonly string[] = ['failed', 'partially_succeeded'];

export interface FirstDeliveryResult {
  /** This call announced the run (false: it succeeded, or some other process announced it first). */
  announced: boolean;
  attempts: AttemptOutcome[];
  /** The time ran out before every attempt had an answer; those left stay for a daemon. */
  timedOut: boolean;
  /** Why nothing could be done (the database went away…); never thrown. */
  error: string | null;
}

/**
 * `exec`'s own first try at a failed run's alert, for a pipeline where no daemon runs: announces
 * the run (exactly once, as a daemon would: the in-app notification and one delivery per
 * destination) and makes one attempt at each of its deliveries. Bounded by `timeoutMs` in all,
 * and it never throws: the run's exit code must not depend on a mail server. A refused attempt
 * stays pending with its backoff, and daemons make the retries. A succeeded run is left to the
 * daemons' sweep, as before.
 */
export async function announceAndDeliverOnce(
  ops: Ops,
  run: RunRecord,
  options: { timeoutMs: number; log?: (message: string) => void },
): Promise<FirstDeliveryResult> {
  const log = options.log ?? (() => {});
  const result: FirstDeliveryResult = { announced: false, attempts: [], timedOut: false, error: null };
  if (run.status !== 'completed' || !FIRST_ATTEMPT_OUTCOMES.includes(run.outcome)) return result;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  const work = (async () => {
    const { config } = ops;
    const alerting = createAlerting({
      pool: ops.db.pool,
      runs: ops.runs,
      audit: ops.audit,
      notifications: new NotificationStore(ops.db.pool),
      config,
      // What a daemon with the same environment serves (its "View run" links).
      publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
      runbookTitle: (id) => ops.registry.runbooks.get(id)?.title ?? null,
      daemonId: `${newDaemonId()}:exec`,
      log,
    });
    result.announced = await alerting.announcer.runFinished(run);
    // A destination using OPS_SMTP_URL cannot be reached from here without it: the daemon sends it.
    const unreachable = (d: Destination) => d.kind === 'email' && !d.secret && !config.smtpUrl;
    // The lease outlives this process's attempts; should it die mid-attempt, a daemon retries after it.
    result.attempts = await alerting.worker.attemptRun(run.id, options.timeoutMs * 2, unreachable);
  })();
  try {
    result.timedOut = (await Promise.race([work.then(() => 'done' as const), deadline])) === 'timeout';
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    clearTimeout(timer);
    work.catch(() => {}); // after a timeout its late failure has nobody to tell
  }
  log(describe(run, result));
  return result;
}

function describe(run: RunRecord, r: FirstDeliveryResult): string {
  if (r.error) return `alerts for run ${run.id}: not sent (${r.error}); a daemon will send them`;
  const delivered = r.attempts.filter((a) => a.status === 'delivered').length;
  const refused = r.attempts.filter((a) => a.status !== 'delivered');
  const parts = [`alerts for run ${run.id}: ${delivered} delivered`];
  for (const a of refused)
    parts.push(`${a.destinationName ?? `delivery ${a.deliveryId}`} refused (${a.error})`);
  if (r.timedOut) parts.push('no answer in time from the rest');
  if (refused.length || r.timedOut) parts.push('a daemon retries what is left');
  return parts.join('; ');
}
