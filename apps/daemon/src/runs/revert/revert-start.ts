import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { LockRequest, RunbookDefinition } from '@ops/runbook-sdk';
import type { AuditLog } from '../../audit/index.ts';
import type { Database } from '../../db/connection.ts';
import { ConflictError, InputError, NotAllowedError, NothingToDoError, OpsError } from '../../errors.ts';
import { RunLease, RunLockSession } from '../../locks/index.ts';
import type { PluginRegistry } from '../../plugins/index.ts';
import type { Execution } from '../executor.ts';
import { recordAuditFailure } from '../executor.ts';
import { validateReason } from '../reasons.ts';
import { type Actor, actorLabel, type RunProgress, type RunRecord } from '../run-record.ts';
import type { RunRepository } from '../run-repository.ts';
import { leasedConflictingRun, lockConflictError, lockRequestsOf } from '../scope-locks.ts';
import { revertDefinition } from './journal-work.ts';
import { assertRevertible, REVERT_CAPABILITY, REVERT_CONFIRMATION, revertStateOf } from './revert-state.ts';

export interface RevertRunRequest {
  /** The run to revert. */
  runId: string;
  actor: Actor;
  authorize?: (capability: string) => boolean;
  reasonCode?: string | null;
  reasonText?: string | null;
  /** Must be REVERT_CONFIRMATION. */
  confirmation?: string | null;
  breakGlass?: unknown;
  ip?: string | null;
  onProgress?: (progress: RunProgress) => void;
}

/** What the run service lends a revert: its stores, and its ways to check, reap and execute. */
export interface RevertHost {
  db: Database;
  registry: PluginRegistry;
  runs: RunRepository;
  audit: AuditLog;
  leaseMs: number;
  /** The run capability every run needs (platform.runbooks.run). */
  runCapability: string;
  require(request: { actor: Actor; authorize?: (capability: string) => boolean }, capability: string): void;
  reapInterrupted(): Promise<unknown>;
  execute(execution: Omit<Execution, 'shutdown'>): Promise<RunRecord>;
}

/**
 * Starts a revert of a run: a run of its own, on the original's scope and under the original's
 * locks, that walks the original's journal (chunked, fenced, resumable like any run) and restores
 * each row whose columns still hold what the original wrote. Needs platform.runbooks.run,
 * platform.runbooks.revert and the runbook's capability, a reason (code and text) and the typed
 * confirmation REVERT. Every refusal is audited. Throws InputError, NotAllowedError,
 * NotFoundError, ConflictError, NothingToDoError.
 */
export async function startRevert(
  host: RevertHost,
  request: RevertRunRequest,
): Promise<{ run: RunRecord; done: Promise<RunRecord> }> {
  try {
    return await startChecked(host, request);
  } catch (error) {
    if (error instanceof OpsError) {
      const reason =
        error instanceof ConflictError
          ? 'lock_held'
          : error instanceof NothingToDoError
            ? 'nothing_to_do'
            : error instanceof NotAllowedError
              ? 'not_allowed'
              : 'bad_input';
      await host.audit.record({
        action: 'run.refused',
        actorLabel: actorLabel(request.actor),
        actor: request.actor,
        runId: /^\d{1,19}$/.test(request.runId) ? request.runId : null,
        ip: request.ip ?? null,
        details: {
          revert_of: request.runId,
          reason,
          message: error.message,
          ...(error instanceof InputError ? { field: error.field } : {}),
        },
      });
    }
    throw error;
  }
}

async function startChecked(host: RevertHost, request: RevertRunRequest) {
  const original = await host.runs.get(request.runId);
  host.require(request, host.runCapability);
  host.require(request, REVERT_CAPABILITY);
  const def = host.registry.runbooks.get(original.type);
  if (def) host.require(request, def.capability);
  const reason = validateReason('all', request);
  if (request.confirmation !== REVERT_CONFIRMATION) {
    throw new InputError(
      'confirmation',
      `type the confirmation phrase ${REVERT_CONFIRMATION} exactly to revert run ${original.id}`,
    );
  }
  await host.reapInterrupted();
  const state = await revertStateOf(host.db.pool, original, def);
  assertRevertible(state);
  const runbook = def as RunbookDefinition; // assertRevertible refuses a runbook that is not loaded
  const lockRequests =
    (original.context.locks as LockRequest[] | undefined) ?? lockRequestsOf(runbook, original.scope);
  const locks = await RunLockSession.open(() => host.db.dedicatedClient());
  let handedOver = false;
  try {
    if (
      !(await locks.tryAcquire(lockRequests)) ||
      (await leasedConflictingRun(host.db.pool, host.runs, lockRequests))
    )
      throw await lockConflictError(host.runs, runbook, original.scope, lockRequests);
    // Under the locks: a revert started meanwhile (and ended) is seen now.
    assertRevertible(await revertStateOf(host.db.pool, original, def));
    const owner = { token: randomUUID(), host: os.hostname(), pid: process.pid };
    const run = await host.runs.create({
      type: runbook.id,
      runbookVersion: runbook.version,
      scope: original.scope,
      actor: request.actor,
      breakGlass: request.breakGlass,
      ...reason,
      params: original.params,
      owner,
      context: {
        reverts_run_id: original.id,
        preflight: { affected_count: state.journalRows },
        locks: lockRequests,
      },
    });
    await host.db.pool.query('INSERT INTO ops.run_reverts (revert_run_id, original_run_id) VALUES ($1, $2)', [
      run.id,
      original.id,
    ]);
    await host.runs.patchContext(original.id, { reverted_by_run_id: run.id });
    const lease = await RunLease.create(host.db.pool, run.id, owner.token, host.leaseMs);
    const started = await host.audit.record({
      action: 'run.started',
      actorLabel: run.actorLabel,
      actor: run.actor,
      runId: run.id,
      runbookId: runbook.id,
      scope: original.scope,
      ip: request.ip ?? null,
      details: {
        reasonCode: reason.reasonCode,
        reasonText: reason.reasonText,
        reverts_run_id: original.id,
        journal_rows: state.journalRows,
      },
    });
    if (!started.ok) await recordAuditFailure(host.runs, run.id, started.error);
    handedOver = true;
    return {
      run,
      done: host.execute({
        run,
        definition: revertDefinition(runbook, original.id, host.db.pool),
        scope: original.scope,
        locks,
        lease,
        onProgress: request.onProgress,
      }),
    };
  } finally {
    if (!handedOver) await locks.release();
  }
}
