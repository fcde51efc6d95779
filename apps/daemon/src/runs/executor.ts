import {
  type CsvInputRows,
  describeScope,
  filterSummary,
  type ResolvedScope,
  type RunbookDefinition,
  type RunContext,
  summaryWarnings,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import type { AuditLog } from '../audit/index.ts';
import { isConnectionError } from '../db/connection.ts';
import { LeaseLostError, type RunLease, type RunLockSession } from '../locks/index.ts';
import { type Logger, lineLog, linesLogger, metrics, runLogger } from '../observability/index.ts';
import { driveKeysetWork, type WorkSettings } from './chunk-driver.ts';
import { ChunkStats } from './chunk-stats.ts';
import { tablesOf } from './db-health.ts';
import { runLifecycleHook } from './lifecycle-hooks.ts';
import { runbookPoolExecutor } from './plugin-executors.ts';
import { checkRunResult, PluginFaultError } from './plugin-faults.ts';
import { loadRunInput } from './run-input.ts';
import { RunInterruptedError } from './run-interrupted.ts';
import type { RunFailure, RunProgress, RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';
import { checkBeforeWriting } from './start-check.ts';
import { type FinalOutcome, outcomeForCounts } from './state-machine.ts';
import { errorClassOf } from './transient-errors.ts';

export interface ExecutorDeps {
  pool: pg.Pool;
  runs: RunRepository;
  audit: AuditLog;
  work: WorkSettings;
  /** Names this process's workers on the units they finish (`host:pid:nonce`). */
  workerName: string;
  heartbeatMs: number;
  /** How long a run waits for a database that went away before it gives up (OPS_DB_OUTAGE_MS). */
  outageMs: number;
  /** A new dedicated connection, to take the run's locks again after its lock connection was lost. */
  lockConnection: () => Promise<pg.Client>;
  log(message: string): void;
  /** Structured lines; executeRun hands the steps below one bound to the run (run_id, runbook, scope). */
  logger?: Logger;
  /** A lifecycle hook's time limit (OPS_HOOK_TIMEOUT_MS). */
  hookTimeoutMs?: number;
}

/** Where a run continues from: its last checkpoint and the counts so far. */
export interface ResumeState {
  cursor: string | null;
  processed: number;
  updated: number;
  failures: RunFailure[];
}

export interface Execution {
  run: RunRecord;
  definition: RunbookDefinition;
  scope: ResolvedScope;
  locks: RunLockSession;
  /** The run's ownership: renewed by the heartbeat, proved by every chunk. */
  lease: RunLease;
  /** Aborted when the daemon shuts down: the run stops after its chunk and is left paused. */
  shutdown: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

/**
 * Why the chunk loop stopped before the end. `ownership`: the lock connection or the database went
 * away, or the lease could not be renewed — the run stops before its next commit and tries to
 * regain its locks and lease (`regainOwnership`).
 */
type Stop = 'pause' | 'cancel' | 'shutdown' | 'ownership';

/** How a run that lost its connection or lease goes on: see `regainOwnership`. */
type Regained = 'continue' | 'taken_over' | 'locks_held' | 'unreachable';

/** How long a run keeps trying to take its locks again before it leaves itself paused. */
const LOCK_REGAIN_MS = 5_000;
/** Recoveries in a row without a chunk written in between: past this, the run fails. */
const MAX_RECOVERIES = 5;

export function resumeStateOf(run: RunRecord): ResumeState {
  return {
    cursor: (run.context.checkpoint as string | undefined) ?? null,
    processed: run.progress.processed ?? 0,
    updated: run.progress.updated ?? 0,
    failures: (run.context.failures as RunFailure[] | undefined) ?? [],
  };
}

/**
 * What the run service measured before starting (run-service.ts `recordPreflight`): an exact count,
 * or only that some row is affected (then at least 1).
 */
function recordedPreflight(run: RunRecord): { exact: number | null; atLeast: number } {
  const recorded = run.context.preflight as
    | { affected_count?: number; affected_at_least?: number }
    | undefined;
  if (typeof recorded?.affected_count === 'number') {
    return { exact: recorded.affected_count, atLeast: recorded.affected_count };
  }
  return { exact: null, atLeast: recorded?.affected_at_least ?? 0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Executes one run that the run service has locked, leased and recorded (queued, or paused when
 * resumed by another process): drives the plugin, records progress and checkpoints, honours pause,
 * cancel and shutdown between chunks, and always ends the record and releases the locks — whatever
 * the plugin does. Operator pauses wait here with the locks held; a shutdown leaves the run paused
 * and lets the locks go, for any daemon to resume.
 *
 * When the database or the lock connection goes away, the run stops before its next commit (every
 * chunk proves its lease) and tries to regain its lease and locks: it continues, leaves itself
 * paused (another session holds its locks), or — the database still away after `outageMs` —
 * rejects with RunInterruptedError, leaving the record for the reaper once the lease runs out.
 * Taken over by another process meanwhile, it stops without touching the record.
 */
export async function executeRun(deps: ExecutorDeps, execution: Execution): Promise<RunRecord> {
  const { run } = execution;
  const logger = runLogger(deps.logger ?? linesLogger(deps.log), run);
  const runbook = { runbook: run.type };
  logger.info({ event: 'run.executing', status: run.status }, `run ${run.id} executing`);
  metrics.safely(() => {
    metrics.runsStarted.inc(runbook);
    metrics.runsExecuting.inc(runbook);
  });
  try {
    let ended = await executeOwnedRun({ ...deps, logger, log: lineLog(logger, {}, 'warn') }, execution);
    // Its hook (afterComplete, afterError) once the record is written and the locks are let go:
    // outside every transaction, within its own limit; audited, never changing the outcome.
    if (await runLifecycleHook({ ...deps, log: lineLog(logger, {}, 'warn') }, execution.definition, ended)) {
      ended = await deps.runs.get(ended.id).catch(() => ended);
    }
    logger.info(
      {
        event: 'run.ended',
        status: ended.status,
        outcome: ended.outcome,
        updated_count: ended.summary.updated_count ?? null,
        duration_ms: ended.summary.duration_ms ?? null,
      },
      `run ${run.id} ${ended.status}${ended.outcome ? `: ${ended.outcome}` : ''}`,
    );
    metrics.safely(() =>
      metrics.runsEnded.inc({ ...runbook, status: ended.status, outcome: ended.outcome ?? 'none' }),
    );
    return ended;
  } catch (error) {
    logger.error(
      { event: 'run.interrupted', err: error },
      `run ${run.id} stopped: ${(error as Error).message}`,
    );
    metrics.safely(() => metrics.runsEnded.inc({ ...runbook, status: 'interrupted', outcome: 'none' }));
    throw error;
  } finally {
    metrics.safely(() => metrics.runsExecuting.dec(runbook));
  }
}

/** executeRun's work, with `deps.logger` bound to the run. */
async function executeOwnedRun(deps: ExecutorDeps, execution: Execution): Promise<RunRecord> {
  const { runs } = deps;
  const { definition, scope, locks, lease, shutdown } = execution;
  const runId = execution.run.id;
  const startedMs = Date.now();
  const resume = resumeStateOf(execution.run);
  let stop: Stop | null = null;
  let controller = new AbortController();
  const requestStop = (why: Stop | null) => {
    if (why && !controller.signal.aborted) {
      stop = why;
      controller.abort(why);
    }
  };
  const onShutdown = () => requestStop('shutdown');
  shutdown.addEventListener('abort', onShutdown);
  const stopWatchingLocks = locks.onLost((reason) => {
    metrics.safely(() => metrics.ownershipEvents.inc({ event: 'locks_lost' }));
    deps.logger?.warn(
      { event: 'run.locks_lost', reason },
      `run ${runId}: ${reason}; stopping before the next commit to take the locks again`,
    );
    requestStop('ownership');
  });
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating) return; // a slow database: one heartbeat at a time
    beating = true;
    (async () => {
      if (!(await lease.renew())) return requestStop('ownership');
      requestStop(await runs.heartbeat(runId));
      if (!(await locks.ping(deps.heartbeatMs * 2))) requestStop('ownership');
    })()
      .catch(() => {}) // the database is away: the chunks find out and regain ownership
      .finally(() => {
        beating = false;
      });
  }, deps.heartbeatMs);
  const stats = new ChunkStats();
  let preflight = recordedPreflight(execution.run);
  let recoveries = 0;
  let throttle: string | null = null;
  /** The run's stored file (a runbook with a CSV input), read once when the run starts or resumes. */
  let input: CsvInputRows | null = null;

  const context = (): RunContext => ({
    db: runbookPoolExecutor(deps.pool, definition.id, `runbook ${definition.id}`),
    params: execution.run.params,
    runId,
    ...(input ? { input } : {}),
    signal: controller.signal,
    resumeCursor: resume.cursor,
    preflightAffectedCount: preflight.atLeast,
    // The plugin's own narrative: info lines of the run (stderr of exec only when asked for).
    log: (message) => (deps.logger ? deps.logger.info({ source: 'plugin' }, message) : deps.log(message)),
    runChunked: (work) =>
      driveKeysetWork(work, {
        pool: deps.pool,
        runbookId: definition.id,
        runId,
        fence: lease,
        role: 'owner',
        settings: deps.work,
        tables: tablesOf(definition.resources ?? []),
        signal: controller.signal,
        workerName: deps.workerName,
        resume,
        stats,
        log: deps.log,
        observe: (chunk) => observeChunk(deps.logger, definition.id, chunk),
        onProgress: async (progress, failures) => {
          if (progress.processed > resume.processed) recoveries = 0;
          Object.assign(resume, {
            cursor: progress.cursor,
            processed: progress.processed,
            updated: progress.updated,
            failures,
          });
          throttle = noteThrottle(deps.logger, throttle, progress.throttled ?? null);
          execution.onProgress?.(progress);
          requestStop(await runs.recordProgress(runId, progress, { checkpoint: progress.cursor, failures }));
        },
      }),
  });

  try {
    input = await afterConnectionLoss(deps, () => loadRunInput(deps.pool, definition, runId));
    // A console run counts exactly before its first write and stops there if the data moved.
    const checked = await checkBeforeWriting(deps, execution.run, definition, scope);
    if (checked) {
      const found = checked.preflight.affected_count;
      preflight = { exact: found, atLeast: found };
      if (checked.refusal)
        return await refuseBeforeWriting(deps, execution, checked.refusal, found, startedMs);
    }
    await afterConnectionLoss(deps, () => runs.transition(execution.run, 'running', 'pending'));
    if (shutdown.aborted) requestStop('shutdown');
    for (;;) {
      if (locks.lost) requestStop('ownership');
      let result: Record<string, unknown> = {};
      try {
        if (!stop) result = checkRunResult(await definition.run(context(), scope));
      } catch (error) {
        // Lost ownership or connection: not the plugin's failure. Anything else fails the run.
        if (!(error instanceof LeaseLostError || isConnectionError(error))) throw error;
        if (++recoveries > MAX_RECOVERIES) throw error;
        deps.log(`run ${runId}: ${(error as Error).message}; regaining the lease and locks`);
        stop = 'ownership';
      }
      if (stop === 'ownership') {
        const regained = await regainOwnership(deps, execution);
        if (regained === 'continue') {
          stop = null;
          controller = new AbortController();
          continue;
        }
        if (regained === 'taken_over') return await abandoned(deps, runId);
        if (regained === 'unreachable') throw new RunInterruptedError(runId, resume);
        return await leavePaused(deps, runId, 'running', {
          paused_by: 'locks_lost',
          paused_reason:
            'the run lost its lock connection and another session holds one of its locks; resume it when that session ends',
        }).finally(() => lease.release().catch(() => {}));
      }
      if (stop === 'shutdown') return await leavePaused(deps, runId).finally(() => lease.release());
      if (stop === 'pause') {
        const resumed = await waitWhilePaused(deps, runId, shutdown);
        if (resumed === 'shutdown')
          return await leavePaused(deps, runId, 'paused').finally(() => lease.release());
        if (resumed === 'resume') {
          stop = null;
          controller = new AbortController();
          continue;
        }
        stop = 'cancel';
      }
      const summary = filterSummary(
        {
          ...result,
          updated_count: resume.updated,
          total_scanned: resume.processed,
          // The exact count when the run service counted; otherwise what the run found and wrote.
          affected_count: preflight.exact ?? resume.updated,
          error_count: resume.failures.length,
          duration_ms: Date.now() - startedMs,
        },
        definition.summaryKeys,
      );
      // Keys filterSummary leaves out are said, not dropped silently: in the run's log and record.
      const warnings = summaryWarnings(result, definition.summaryKeys);
      for (const warning of warnings)
        deps.logger?.warn({ event: 'run.summary_warning' }, `run ${runId}: ${warning}`);
      const outcome = outcomeForCounts({
        errorCount: resume.failures.length,
        updatedCount: resume.updated,
        cancelled: stop === 'cancel',
      });
      return await finish(deps, execution, outcome, summary, {
        failures: resume.failures,
        chunk_stats: stats.summary(),
        ...(warnings.length > 0 ? { summary_warnings: warnings } : {}),
      });
    }
  } catch (error) {
    if (error instanceof RunInterruptedError) throw error;
    if (error instanceof LeaseLostError) return await abandoned(deps, runId);
    const fault = error instanceof PluginFaultError;
    if (fault) metrics.safely(() => metrics.pluginFaults.inc({ runbook: definition.id, where: 'run' }));
    deps.logger?.error(
      { event: fault ? 'plugin.fault' : 'run.error', error_class: errorClassOf(error), err: error },
      `run ${runId} failed: ${(error as Error).message}`,
    );
    const failure: RunFailure = {
      tenantId: null,
      tenantExternalId: null,
      errorClass: errorClassOf(error),
      message: (error as Error).message,
      at: new Date().toISOString(),
    };
    const summary = filterSummary(
      {
        error_count: resume.failures.length + 1,
        duration_ms: Date.now() - startedMs,
        updated_count: resume.updated,
      },
      definition.summaryKeys,
    );
    try {
      return await finish(deps, execution, 'failed', summary, {
        failures: [...resume.failures, failure],
        error: failure,
      });
    } catch (finishing) {
      // Nothing can be written: the lease runs out and the reaper ends the run from its units.
      if (isConnectionError(finishing)) throw new RunInterruptedError(runId, resume, { cause: finishing });
      throw finishing;
    }
  } finally {
    if (throttle) noteThrottle(deps.logger, throttle, null);
    clearInterval(heartbeat);
    stopWatchingLocks();
    shutdown.removeEventListener('abort', onShutdown);
    await locks.release();
  }
}

/**
 * After the lock connection, the lease or the database went away: waits (up to `outageMs`) for the
 * database, renews the lease — unless another process took the run over — and takes the locks
 * again on a new connection (for up to LOCK_REGAIN_MS while another session holds one).
 */
async function regainOwnership(deps: ExecutorDeps, execution: Execution): Promise<Regained> {
  const { lease, locks } = execution;
  const outageEnds = Date.now() + deps.outageMs;
  let lockWaitEnds: number | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      if (!(await lease.renew())) return 'taken_over';
      if (locks.lost === null && (await locks.ping(deps.heartbeatMs * 2))) return 'continue';
      if (await locks.reacquire(deps.lockConnection)) {
        deps.log(`run ${execution.run.id}: took its locks again; continuing from its checkpoint`);
        return 'continue';
      }
      lockWaitEnds ??= Date.now() + LOCK_REGAIN_MS;
      if (Date.now() >= lockWaitEnds) return 'locks_held';
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      if (Date.now() >= outageEnds) return 'unreachable';
    }
    await sleep(Math.min(1000, 100 * 2 ** attempt));
  }
}

/** The run was taken over by another process: this one stops without touching its record. */
async function abandoned(deps: ExecutorDeps, runId: string): Promise<RunRecord> {
  metrics.safely(() => metrics.ownershipEvents.inc({ event: 'taken_over' }));
  deps.logger?.warn(
    { event: 'run.taken_over' },
    `run ${runId}: another process took the run over; this one stopped writing it`,
  );
  return afterConnectionLoss(deps, () => deps.runs.get(runId));
}

/**
 * An operator's pause: the run keeps its locks and checkpoint and waits here. Returns how the
 * wait ended: resumed (the request was cleared), cancelled, or the daemon is shutting down.
 * A database that goes away meanwhile is waited for.
 */
async function waitWhilePaused(
  deps: ExecutorDeps,
  runId: string,
  shutdown: AbortSignal,
): Promise<'resume' | 'cancel' | 'shutdown'> {
  const current = await deps.runs.get(runId);
  await deps.runs.transition(current, 'paused', 'pending');
  for (;;) {
    if (shutdown.aborted) return 'shutdown';
    await sleep(Math.min(deps.heartbeatMs, 250));
    const request = await deps.runs.heartbeat(runId).catch((error: unknown) => {
      if (isConnectionError(error)) return 'pause' as const;
      throw error;
    });
    if (request === 'cancel') return 'cancel';
    if (request === null) {
      await deps.runs.transition({ id: runId, status: 'paused' }, 'running', 'pending');
      return 'resume';
    }
  }
}

/** Daemon shutdown: the run stops after its chunk, stays paused with its checkpoint, and lets its locks go. */
async function leavePaused(
  deps: ExecutorDeps,
  runId: string,
  status: 'running' | 'paused' = 'running',
  why: Record<string, unknown> = { paused_by: 'shutdown' },
): Promise<RunRecord> {
  const contextPatch = { ...why, paused_at: new Date().toISOString() };
  if (status === 'running') {
    await afterConnectionLoss(deps, () =>
      deps.runs.transition({ id: runId, status }, 'paused', 'pending', { contextPatch }),
    );
  } else {
    await afterConnectionLoss(deps, () => deps.runs.patchContext(runId, contextPatch));
  }
  return afterConnectionLoss(deps, () => deps.runs.get(runId));
}

/**
 * The data changed beyond what the operator confirmed: the run ends failed before its first write,
 * the reason on its record (`context.refused_reason`) and as its one failure, so its page says why.
 */
function refuseBeforeWriting(
  deps: ExecutorDeps,
  execution: Execution,
  reason: string,
  found: number,
  startedMs: number,
): Promise<RunRecord> {
  deps.logger?.warn({ event: 'run.refused', reason }, `run ${execution.run.id} refused to write: ${reason}`);
  const failure: RunFailure = {
    tenantId: null,
    tenantExternalId: null,
    errorClass: 'data_changed',
    message: reason,
    at: new Date().toISOString(),
  };
  const summary = filterSummary(
    { updated_count: 0, affected_count: found, error_count: 1, duration_ms: Date.now() - startedMs },
    execution.definition.summaryKeys,
  );
  return finish(deps, execution, 'failed', summary, { failures: [failure], error: failure });
}

async function finish(
  deps: ExecutorDeps,
  execution: Execution,
  outcome: FinalOutcome,
  summary: Record<string, number>,
  contextPatch: Record<string, unknown>,
): Promise<RunRecord> {
  const { runs, audit } = deps;
  const current = await afterConnectionLoss(deps, () => runs.get(execution.run.id));
  if (current.status === 'completed') return current; // ended already (a reaper, or our own retried write)
  const moved = await afterConnectionLoss(deps, () =>
    runs.transition(current, 'completed', outcome, {
      summary,
      contextPatch: {
        ...contextPatch,
        duration_ms: summary.duration_ms,
        updated_count: summary.updated_count ?? 0,
      },
    }),
  );
  if (!moved) return afterConnectionLoss(deps, () => runs.get(current.id));
  const written = await audit.record({
    action: endedAuditAction(outcome),
    actorLabel: current.actorLabel,
    actor: current.actor,
    runId: current.id,
    runbookId: current.type,
    scope: current.scope,
    outcome,
    details: { summary, scope: describeScope(execution.scope) },
  });
  if (!written.ok) {
    await recordAuditFailure(runs, current.id, written.error).catch((e: Error) =>
      deps.log(`run ${current.id}: keeping an audit failure on the run failed too: ${e.message}`),
    );
  }
  return afterConnectionLoss(deps, () => runs.get(current.id));
}

/**
 * The run's own record outlives a dropped connection: a statement that lost its connection (the
 * pool then has a new one) is tried again until OPS_DB_OUTAGE_MS has passed. Every write here is
 * conditional on the status it read, so a retried one that had committed changes nothing.
 */
async function afterConnectionLoss<T>(deps: ExecutorDeps, statement: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + deps.outageMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (!isConnectionError(error) || Date.now() >= deadline) throw error;
      await sleep(Math.min(1000, 100 * 2 ** attempt));
    }
  }
}

/**
 * The audit action of a run's end, one home for every path that ends one (the executor, a cancel
 * while paused): a cancelled run is told as cancelled, never as completed.
 */
export function endedAuditAction(outcome: FinalOutcome): 'run.completed' | 'run.failed' | 'run.cancelled' {
  if (outcome === 'failed') return 'run.failed';
  if (outcome === 'cancelled') return 'run.cancelled';
  return 'run.completed';
}

/** Keeps an audit write failure on the run, so it is not only in a log nobody reads. */
export async function recordAuditFailure(runs: RunRepository, runId: string, error: string): Promise<void> {
  const current = await runs.get(runId);
  const previous = (current.context.audit_failures as string[] | undefined) ?? [];
  await runs.patchContext(runId, { audit_failures: [...previous, error] });
}

/** A committed chunk: its timing at debug, the chunk histogram and the rows counter. */
function observeChunk(
  logger: Logger | undefined,
  runbook: string,
  chunk: { ms: number; size: number; items: number; updated: number; worker: string },
): void {
  logger?.debug({ event: 'chunk', ...chunk, ms: Math.round(chunk.ms) }, 'chunk committed');
  metrics.recordChunk(runbook, chunk);
}

/** A run starts or stops waiting between chunks: a structured line and the throttle metrics. */
function noteThrottle(logger: Logger | undefined, was: string | null, now: string | null): string | null {
  if (was === now) return now;
  metrics.safely(() => {
    if (was) metrics.runsThrottled.dec({ reason: metrics.throttleReasonOf(was) });
    if (now) {
      metrics.runsThrottled.inc({ reason: metrics.throttleReasonOf(now) });
      metrics.throttleEvents.inc({ reason: metrics.throttleReasonOf(now) });
    }
  });
  if (now) logger?.info({ event: 'run.throttled', reason: now }, `throttled: ${now}`);
  else logger?.info({ event: 'run.unthrottled' }, 'writing again');
  return now;
}
