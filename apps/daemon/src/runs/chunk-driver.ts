import type { ChunkedResult, KeysetWork } from '@ops/runbook-sdk';
import type pg from 'pg';
import type { Fence } from '../locks/index.ts';
import { type ChunkSizing, initialChunkState, nextChunkState } from './chunk-optimizer.ts';
import type { ChunkStats } from './chunk-stats.ts';
import { runChunkTransaction } from './chunk-transaction.ts';
import type { HealthProbe } from './db-health.ts';
import { runbookPoolExecutor } from './plugin-executors.ts';
import type { RunFailure, RunProgress } from './run-record.ts';
import { isTransientError } from './transient-errors.ts';
import { planRanges, type UnitRange, type WorkTotals, WorkUnits } from './work-units.ts';

/** How a daemon drives chunked work (from OPS_WORKERS, OPS_CHUNK_*, OPS_WRITE_BUDGET). */
export interface WorkSettings {
  workers: number;
  sizing: ChunkSizing;
  /** Rows per second for all workers of a run together (set by the run's owner); null: no cap. */
  writeBudget: number | null;
  /** A chunk taking longer is a plugin fault (OPS_CHUNK_TIMEOUT_MS). */
  chunkTimeoutMs: number;
  health: HealthProbe;
}

export interface ChunkDriverOptions {
  pool: pg.Pool;
  /** The runbook whose work this is: its statements run under its role. */
  runbookId: string;
  runId: string;
  /** The lease every chunk proves it still writes under (the owner's, or the one a helper joined). */
  fence: Fence;
  /**
   * The owner plans the work and records the run's progress; a helper (another daemon lending its
   * workers) only claims units of a plan that exists, and stops when `keepGoing` says so.
   */
  role: 'owner' | 'helper';
  settings: WorkSettings;
  /** The tables the run writes (health probe: autovacuum on them). */
  tables: readonly string[];
  /** Aborted on pause, cancel or shutdown: every worker stops after its chunk. */
  signal: AbortSignal;
  /** Names this process's workers on the units they finish, e.g. `host:pid:ab12`. */
  workerName: string;
  /** A run checkpointed before it had units (its checkpoint becomes the start of a single unit). */
  resume: { cursor: string | null; processed: number; updated: number; failures: RunFailure[] };
  stats: ChunkStats;
  /** Owner only: the run's progress, with every failure so far; at most one call at a time. */
  onProgress(progress: RunProgress, failures: RunFailure[]): Promise<void>;
  /** Helper only: asked every half second whether to go on (the run still runs, its owner lives). */
  keepGoing?: () => Promise<boolean>;
  log(message: string): void;
  /** Told of every committed chunk (logs at debug, metrics); must not throw. */
  observe?: (chunk: { ms: number; size: number; items: number; updated: number; worker: string }) => void;
  maxAttempts?: number;
}

/**
 * What the plugin's runChunked resolves to: the SDK's summary keys only (a run's summary takes the
 * keys the plugin returns, and any other key would be dropped from it with a warning).
 */
export type DriveResult = ChunkedResult;

// Waits, as data: how often a throttled worker looks again, how often an idle one looks for work.
const WAITS = { healthRecheckMs: 1000, idlePollMs: 50, keepGoingMs: 500 } as const;
/**
 * Progress is written at most this often (two statements, on every chunk, were ~5% of a run's
 * database time); a change of throttle state, a new failure and the end are written at once.
 */
const PROGRESS_EVERY_MS = 200;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

async function withRetry<T>(maxAttempts: number, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= maxAttempts || !isTransientError(error)) throw error;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

/**
 * Drives keyset work with N workers over the run's units until every unit is done, or the signal
 * aborts (each worker stops after its chunk). Between chunks a worker waits while the database
 * asks for a break or the run's write budget is spent, and the run's progress says why.
 * Throws when a chunk fails for a reason that is no tenant's.
 */
export async function driveKeysetWork(work: KeysetWork, options: ChunkDriverOptions): Promise<DriveResult> {
  const { pool, runId, settings } = options;
  const maxAttempts = options.maxAttempts ?? 4;
  const units = new WorkUnits(pool);
  const counting =
    options.role === 'owner' ? (await ensurePlan(work, units, options, maxAttempts)).counting : null;

  const internal = new AbortController(); // a worker's fatal error stops the others
  const signal = AbortSignal.any([options.signal, internal.signal]);
  let sizing = initialChunkState(settings.sizing);
  let throttled: string | null = null;
  let budgetUntil = 0;
  const startedAt = performance.now();
  const atStart = await units.totals(runId);
  const budgeted = await runHasBudget(pool, runId);

  // Progress: one report in flight at a time; a forced request during one asks for one more after it.
  let reporting: Promise<void> | null = null;
  let again = false;
  let reportedAt = Number.NEGATIVE_INFINITY;
  let trailing: ReturnType<typeof setTimeout> | null = null;
  const reportOnce = async () => {
    reportedAt = performance.now();
    const totals = await units.totals(runId);
    const elapsedS = (performance.now() - startedAt) / 1000;
    const rate = elapsedS > 0 ? (totals.processed - atStart.processed) / elapsedS : 0;
    const total = Math.max(totals.totalItems ?? totals.processed, totals.processed);
    const progress: RunProgress = {
      processed: totals.processed,
      total,
      updated: totals.updated,
      rowsPerSecond: Math.round(rate),
      etaSeconds: rate > 0 ? Math.max(0, Math.round((total - totals.processed) / rate)) : null,
      cursor: totals.lowWater,
      throttled,
      chunkSize: sizing.size,
      workers: settings.workers,
    };
    await options.onProgress(progress, totals.failures);
  };
  const report = (force = false): Promise<void> => {
    if (options.role !== 'owner') return Promise.resolve();
    const sinceLast = performance.now() - reportedAt;
    if (!force && sinceLast < PROGRESS_EVERY_MS) {
      // Skipped for now, reported soon: committed chunks must show even while the next ones are
      // stuck (behind a row lock, a slow statement) and no worker reports for a while.
      trailing ??= setTimeout(() => {
        trailing = null;
        report().catch(() => {}); // a failed report is the next one's to retry
      }, PROGRESS_EVERY_MS - sinceLast);
      return Promise.resolve();
    }
    if (reporting) {
      again ||= force;
      return reporting;
    }
    reporting = (async () => {
      try {
        do {
          again = false;
          await reportOnce();
        } while (again);
      } finally {
        reporting = null;
      }
    })();
    return reporting;
  };

  /** Waits while throttled; false when the run stops meanwhile. */
  const gate = async (): Promise<boolean> => {
    for (;;) {
      if (signal.aborted) return false;
      const owed = budgetUntil - Date.now();
      const reason =
        owed > 0
          ? `write budget of ${settings.writeBudget ?? 'the run'} rows/s`
          : await settings.health(options.tables);
      if (reason !== throttled) {
        throttled = reason;
        await report(true);
      }
      if (!reason) return true;
      await pause(owed > 0 ? Math.min(owed, WAITS.healthRecheckMs) : WAITS.healthRecheckMs, signal);
    }
  };

  const worker = async (index: number): Promise<void> => {
    const name = `${options.workerName}#${index}`;
    let preferred: number | null = null;
    while (await gate()) {
      const size = sizing.size;
      const started = performance.now();
      const outcome = await runChunkTransaction({
        pool,
        units,
        work,
        runbookId: options.runbookId,
        runId,
        fence: options.fence,
        preferred,
        size,
        worker: name,
        maxAttempts,
        timeoutMs: settings.chunkTimeoutMs,
      });
      if (outcome.kind === 'none') {
        const totals = await units.totals(runId);
        if (totals.runStatus !== 'running' || totals.unitsDone === totals.units) return;
        // Everything open is held by other workers: share the biggest, or look again shortly.
        const split = await units.splitLargest(runId, 2 * size, 2 * settings.sizing.targetMs);
        if (!split) await pause(WAITS.idlePollMs, signal);
        preferred = null;
        continue;
      }
      preferred = outcome.unitNo;
      if (outcome.kind === 'drained') continue;
      const ms = performance.now() - started;
      options.stats.record(ms, size);
      options.observe?.({ ms, size, items: outcome.items, updated: outcome.updated, worker: name });
      sizing = nextChunkState(sizing, { items: outcome.items, ms }, settings.sizing);
      if (budgeted && outcome.updated > 0) {
        const waitMs = await units.chargeBudget(pool, runId, outcome.updated);
        budgetUntil = Math.max(budgetUntil, Date.now() + waitMs);
      }
      await report(outcome.failures.length > 0);
    }
  };

  const watcher = options.role === 'helper' ? watch(options, internal, signal) : null;
  const results = await Promise.allSettled(
    Array.from({ length: Math.max(1, settings.workers) }, (_, i) =>
      worker(i).catch((error: unknown) => {
        internal.abort();
        throw error;
      }),
    ),
  );
  internal.abort(); // ends the watcher
  if (trailing) clearTimeout(trailing); // the final report below says it all
  trailing = null;
  await watcher;
  await counting;
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  throttled = null;
  await report(true);
  const totals = await units.totals(runId);
  const complete = totals.units === totals.unitsDone;
  if (!complete && !options.signal.aborted && options.role === 'owner') {
    throw new Error(
      `run ${runId} is ${totals.runStatus ?? 'gone'} while ${totals.units - totals.unitsDone} of its units are open; its workers stopped`,
    );
  }
  return resultOf(totals);
}

function resultOf(totals: WorkTotals): DriveResult {
  return {
    updated_count: totals.updated,
    total_scanned: totals.processed,
    error_count: totals.failures.length,
  };
}

/**
 * Plans the run's units unless a plan exists (a resumed run keeps its own). Work without idBounds,
 * or a run checkpointed before units existed, gets one unit from its checkpoint to the end. The
 * count of items for progress runs beside the first chunks rather than before them (`counting`).
 */
async function ensurePlan(
  work: KeysetWork,
  units: WorkUnits,
  options: ChunkDriverOptions,
  maxAttempts: number,
): Promise<{ counting: Promise<void> | null }> {
  const { runId, resume } = options;
  if (await units.isPlanned(runId)) return { counting: null };
  const db = runbookPoolExecutor(options.pool, options.runbookId, `runbook ${options.runbookId}`);
  const legacy = resume.cursor !== null;
  let ranges: UnitRange[];
  if (!legacy && work.idBounds) {
    const bounds = await withRetry(maxAttempts, () => work.idBounds!(db));
    ranges = bounds ? planRanges(bounds, options.settings.workers) : [];
  } else {
    ranges = [{ afterId: resume.cursor, lastId: null }];
  }
  const planned = await units.plan(runId, ranges, {
    writeBudget: options.settings.writeBudget,
    failures: resume.failures,
    ...(legacy ? { seed: { processed: resume.processed, updated: resume.updated } } : {}),
  });
  if (!planned) return { counting: null };
  // Awaited by the caller once the workers are done; a failed count only costs the progress total.
  const counting = withRetry(maxAttempts, () => work.countItems(db)).then(
    (n) => units.setTotal(runId, n),
    (error: unknown) =>
      options.log(`run ${runId}: counting items for progress failed: ${(error as Error).message}`),
  );
  return { counting };
}

async function runHasBudget(pool: pg.Pool, runId: string): Promise<boolean> {
  const { rows } = await pool.query<{ budgeted: boolean }>(
    'SELECT write_budget IS NOT NULL AS budgeted FROM ops.run_work WHERE run_id = $1',
    [runId],
  );
  return rows[0]?.budgeted ?? false;
}

/** A helper's check, every half second, that the run still wants its help. */
async function watch(options: ChunkDriverOptions, internal: AbortController, signal: AbortSignal) {
  while (!signal.aborted) {
    await pause(WAITS.keepGoingMs, signal);
    if (signal.aborted) return;
    const go = await options.keepGoing?.().catch(() => false);
    if (go === false) internal.abort();
  }
}
