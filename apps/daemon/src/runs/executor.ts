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
import { driveKeysetWork } from './chunk-driver.ts';
import type { RunFailure, RunProgress, RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';
import { type FinalOutcome, outcomeForCounts } from './state-machine.ts';
import { errorClassOf } from './transient-errors.ts';

export interface ExecutorDeps {
  pool: pg.Pool;
  runs: RunRepository;
  audit: AuditLog;
  chunkSize: number;
  heartbeatMs: number;
  log(message: string): void;
}

export interface Execution {
  run: RunRecord;
  definition: RunbookDefinition;
  scope: ResolvedScope;
  locks: RunLockSession;
  onProgress?: (progress: RunProgress) => void;
}

type Stop = 'pause' | 'cancel';

/**
 * Executes one run that the run service has locked and recorded: drives the plugin, records
 * progress and checkpoints, honours pause and cancel between chunks, and always ends the run
 * record and releases the locks — whatever the plugin does.
 */
export async function executeRun(deps: ExecutorDeps, execution: Execution): Promise<RunRecord> {
  const { runs } = deps;
  const { definition, scope, locks } = execution;
  const runId = execution.run.id;
  const startedMs = Date.now();
  const failures: RunFailure[] = [];
  let stop: Stop | null = null;
  let controller = new AbortController();
  const noteRequest = (action: Stop | null) => {
    if (action && !controller.signal.aborted) {
      stop = action;
      controller.abort(action);
    }
  };
  const heartbeat = setInterval(() => {
    runs.heartbeat(runId).then(noteRequest, () => {});
  }, deps.heartbeatMs);

  let status = execution.run.status;
  let resume = { cursor: null as string | null, processed: 0, updated: 0, failedTenantIds: [] as number[] };
  try {
    await runs.transition({ id: runId, status }, 'running', 'pending');
    status = 'running';
    for (;;) {
      const ctx: RunContext = {
        db: sqlExecutor(deps.pool),
        signal: controller.signal,
        resumeCursor: resume.cursor,
        preflightAffectedCount: Number(
          (execution.run.context.preflight as { affected_count?: number } | undefined)?.affected_count ?? 0,
        ),
        log: deps.log,
        runChunked: (work) =>
          driveKeysetWork(work, {
            pool: deps.pool,
            chunkSize: deps.chunkSize,
            signal: controller.signal,
            resume,
            onChunk: async (progress) => {
              resume = {
                cursor: progress.cursor,
                processed: progress.processed,
                updated: progress.updated,
                failedTenantIds: resume.failedTenantIds,
              };
              execution.onProgress?.(progress);
              noteRequest(await runs.recordProgress(runId, progress, { checkpoint: progress.cursor }));
            },
            onFailure: async (failure) => {
              failures.push(failure);
              if (failure.tenantId !== null) resume.failedTenantIds.push(failure.tenantId);
              await runs.patchContext(runId, { failures });
            },
          }),
      };
      const result = await definition.run(ctx, scope);
      if (stop === 'pause') {
        stop = null;
        if (!(await waitWhilePaused(deps, runId))) {
          stop = 'cancel';
        } else {
          controller = new AbortController();
          continue;
        }
      }
      const summary = filterSummary(
        {
          ...result,
          affected_count: ctx.preflightAffectedCount,
          error_count: failures.length,
          duration_ms: Date.now() - startedMs,
        },
        definition.summaryKeys,
      );
      const outcome = outcomeForCounts({
        errorCount: failures.length,
        updatedCount: summary.updated_count ?? 0,
        cancelled: stop === 'cancel',
      });
      return await finish(deps, execution, outcome, summary, { failures });
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
        error_count: failures.length + 1,
        duration_ms: Date.now() - startedMs,
        updated_count: resume.updated,
      },
      definition.summaryKeys,
    );
    return await finish(deps, execution, 'failed', summary, {
      failures: [...failures, failure],
      error: failure,
    });
  } finally {
    clearInterval(heartbeat);
    await locks.release();
  }

  /** Pauses: the run keeps its locks and checkpoint. Returns true on resume, false on cancel. */
  async function waitWhilePaused(d: ExecutorDeps, id: string): Promise<boolean> {
    const current = await d.runs.get(id);
    await d.runs.transition(current, 'paused', 'pending');
    await d.audit.record({
      action: 'run.paused',
      actorLabel: current.actorLabel,
      runId: id,
      runbookId: current.type,
    });
    for (;;) {
      await new Promise((r) => setTimeout(r, Math.min(d.heartbeatMs, 500)));
      const request = await d.runs.heartbeat(id);
      if (request === 'cancel') return false;
      if (request === null) {
        await d.runs.transition({ id, status: 'paused' }, 'running', 'pending');
        return true;
      }
    }
  }
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
