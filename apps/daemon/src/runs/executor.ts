import {
  describeScope,
  filterSummary,
  type ResolvedScope,
  type RunbookDefinition,
  type RunContext,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import type { AuditLog } from '../audit/index.ts';
import { sqlExecutor } from '../db/connection.ts';
import type { RunLockSession } from '../locks/index.ts';
import { driveKeysetWork, type WorkSettings } from './chunk-driver.ts';
import { ChunkStats } from './chunk-stats.ts';
import { tablesOf } from './db-health.ts';
import { checkRunResult } from './plugin-faults.ts';
import type { RunFailure, RunProgress, RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';
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
  log(message: string): void;
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
  /** Aborted when the daemon shuts down: the run stops after its chunk and is left paused. */
  shutdown: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

/** Why the chunk loop stopped before the end. */
type Stop = 'pause' | 'cancel' | 'shutdown';

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
 * Executes one run that the run service has locked and recorded (queued, or paused when resumed
 * by another process): drives the plugin, records progress and checkpoints, honours pause, cancel
 * and shutdown between chunks, and always ends the record and releases the locks — whatever the
 * plugin does. Operator pauses wait here with the locks held; a shutdown leaves the run paused and
 * lets the locks go, for any daemon to resume.
 */
export async function executeRun(deps: ExecutorDeps, execution: Execution): Promise<RunRecord> {
  const { runs } = deps;
  const { definition, scope, locks, shutdown } = execution;
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
  const heartbeat = setInterval(() => {
    runs.heartbeat(runId).then(requestStop, () => {});
  }, deps.heartbeatMs);
  const stats = new ChunkStats();
  const preflight = recordedPreflight(execution.run);

  const context = (): RunContext => ({
    db: sqlExecutor(deps.pool),
    params: execution.run.params,
    runId,
    signal: controller.signal,
    resumeCursor: resume.cursor,
    preflightAffectedCount: preflight.atLeast,
    log: deps.log,
    runChunked: (work) =>
      driveKeysetWork(work, {
        pool: deps.pool,
        runId,
        role: 'owner',
        settings: deps.work,
        tables: tablesOf(definition.resources ?? []),
        signal: controller.signal,
        workerName: deps.workerName,
        resume,
        stats,
        log: deps.log,
        onProgress: async (progress, failures) => {
          Object.assign(resume, {
            cursor: progress.cursor,
            processed: progress.processed,
            updated: progress.updated,
            failures,
          });
          execution.onProgress?.(progress);
          requestStop(await runs.recordProgress(runId, progress, { checkpoint: progress.cursor, failures }));
        },
      }),
  });

  try {
    await runs.transition(execution.run, 'running', 'pending');
    if (shutdown.aborted) requestStop('shutdown');
    for (;;) {
      const ctx = context();
      const result = stop ? {} : checkRunResult(await definition.run(ctx, scope));
      if (stop === 'shutdown') return await leavePaused(deps, runId);
      if (stop === 'pause') {
        const resumed = await waitWhilePaused(deps, runId, shutdown);
        if (resumed === 'shutdown') return await leavePaused(deps, runId, 'paused');
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
      const outcome = outcomeForCounts({
        errorCount: resume.failures.length,
        updatedCount: resume.updated,
        cancelled: stop === 'cancel',
      });
      return await finish(deps, execution, outcome, summary, {
        failures: resume.failures,
        chunk_stats: stats.summary(),
      });
    }
  } catch (error) {
    deps.log(`run ${runId} failed: ${(error as Error).stack ?? error}`);
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
    return await finish(deps, execution, 'failed', summary, {
      failures: [...resume.failures, failure],
      error: failure,
    });
  } finally {
    clearInterval(heartbeat);
    shutdown.removeEventListener('abort', onShutdown);
    await locks.release();
  }
}

/**
 * An operator's pause: the run keeps its locks and checkpoint and waits here. Returns how the
 * wait ended: resumed (the request was cleared), cancelled, or the daemon is shutting down.
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
    const request = await deps.runs.heartbeat(runId);
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
): Promise<RunRecord> {
  if (status === 'running') {
    await deps.runs.transition({ id: runId, status }, 'paused', 'pending', {
      contextPatch: { paused_by: 'shutdown', paused_at: new Date().toISOString() },
    });
  } else {
    await deps.runs.patchContext(runId, { paused_by: 'shutdown', paused_at: new Date().toISOString() });
  }
  return deps.runs.get(runId);
}

async function finish(
  deps: ExecutorDeps,
  execution: Execution,
  outcome: FinalOutcome,
  summary: Record<string, number>,
  contextPatch: Record<string, unknown>,
): Promise<RunRecord> {
  const { runs, audit } = deps;
  const current = await runs.get(execution.run.id);
  await runs.transition(current, 'completed', outcome, {
    summary,
    contextPatch: {
      ...contextPatch,
      duration_ms: summary.duration_ms,
      updated_count: summary.updated_count ?? 0,
    },
  });
  const written = await audit.record({
    action: outcome === 'failed' ? 'run.failed' : 'run.completed',
    actorLabel: current.actorLabel,
    actor: current.actor,
    runId: current.id,
    runbookId: current.type,
    scope: current.scope,
    outcome,
    details: { summary, scope: describeScope(execution.scope) },
  });
  if (!written.ok) await recordAuditFailure(runs, current.id, written.error);
  return runs.get(current.id);
}

/** Keeps an audit write failure on the run, so it is not only in a log nobody reads. */
export async function recordAuditFailure(runs: RunRepository, runId: string, error: string): Promise<void> {
  const current = await runs.get(runId);
  const previous = (current.context.audit_failures as string[] | undefined) ?? [];
  await runs.patchContext(runId, { audit_failures: [...previous, error] });
}
