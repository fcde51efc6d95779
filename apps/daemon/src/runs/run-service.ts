import { randomUUID } from 'node:crypto';
import os from 'node:os';
import {
  defaultLockRequests,
  describeScope,
  type LockRequest,
  type PreflightResult,
  type ResolvedScope,
  type RunbookDefinition,
  type Scope,
} from '@ops/runbook-sdk';
import type { AuditLog } from '../audit/index.ts';
import { type Database, sqlExecutor } from '../db/connection.ts';
import { ConflictError, InputError, NotAllowedError, NothingToDoError, OpsError } from '../errors.ts';
import { isOwnerAlive, locksConflict, RunLockSession } from '../locks/index.ts';
import type { PluginRegistry } from '../plugins/index.ts';
import { resolveScope, resolveScopeByExternalId } from '../tenants/index.ts';
import { executeRun, recordAuditFailure } from './executor.ts';
import { validateReason } from './reasons.ts';
import { type Actor, actorLabel, type RunProgress, type RunRecord } from './run-record.ts';
import type { RunListFilter, RunRepository } from './run-repository.ts';

/** The capability every run needs, beyond the runbook's own. */
export const RUN_CAPABILITY = 'platform.runbooks.run';
export const PREFLIGHT_CAPABILITY = 'platform.runbooks.view';

/** A scope as the API gives it, or as the CLI does (a tenant's external id, or none for all). */
export type ScopeInput = Scope | { kind: 'externalId'; externalId: string | undefined };

export interface StartRunRequest {
  runbookId: string;
  scope: ScopeInput;
  actor: Actor;
  reasonCode?: string | null;
  reasonText?: string | null;
  confirmation?: string | null;
  /** What the operator's own preflight showed; if the data changed since, the run is refused. */
  preflightAffectedCount?: number;
  breakGlass?: unknown;
  ip?: string | null;
  onProgress?: (progress: RunProgress) => void;
}

export interface StartedRun {
  run: RunRecord;
  /** Settles with the final record when the run ends. Never rejects for plugin errors. */
  done: Promise<RunRecord>;
}

export interface RunServiceDeps {
  db: Database;
  registry: PluginRegistry;
  runs: RunRepository;
  audit: AuditLog;
  chunkSize: number;
  heartbeatMs: number;
  /** The capability check hook; by default only system actors (CLI, schedules) may act. */
  authorize?: (actor: Actor, capability: string) => boolean;
  log?: (message: string) => void;
}

/** The one way in for every caller: console, browser API and the deploy CLI. */
export class RunService {
  private readonly authorize: (actor: Actor, capability: string) => boolean;
  private readonly log: (message: string) => void;

  constructor(private readonly deps: RunServiceDeps) {
    this.authorize = deps.authorize ?? ((actor) => actor.kind === 'system');
    this.log = deps.log ?? ((m) => process.stderr.write(`${m}\n`));
  }

  catalog() {
    return [...this.deps.registry.runbooks.values()].map((def) => ({
      id: def.id,
      version: def.version,
      title: def.title,
      description: def.description,
      scopes: [...def.scopes],
      capability: def.capability,
      confirmationPhrase: def.confirmationPhrase,
    }));
  }

  /** Throws InputError naming `runbookId`. */
  runbook(id: string): RunbookDefinition {
    const def = this.deps.registry.runbooks.get(id);
    if (!def) {
      const known = [...this.deps.registry.runbooks.keys()].join(', ') || 'none';
      throw new InputError('runbookId', `unknown runbook ${JSON.stringify(id)} (known: ${known})`);
    }
    return def;
  }

  private require(actor: Actor, capability: string): void {
    if (!this.authorize(actor, capability)) throw new NotAllowedError(capability);
  }

  private async resolve(def: RunbookDefinition, scope: ScopeInput): Promise<ResolvedScope> {
    const resolved =
      scope.kind === 'externalId'
        ? await resolveScopeByExternalId(this.deps.db.pool, scope.externalId)
        : await resolveScope(this.deps.db.pool, scope);
    if (!def.scopes.includes(resolved.kind)) {
      throw new InputError(
        'scope',
        `runbook ${def.id} does not support scope ${resolved.kind} (supports ${def.scopes.join(', ')})`,
      );
    }
    return resolved;
  }

  /** Read-only. Throws InputError, NotAllowedError. */
  async preflight(request: {
    runbookId: string;
    scope: ScopeInput;
    actor: Actor;
  }): Promise<{ scope: ResolvedScope; result: PreflightResult }> {
    const def = this.runbook(request.runbookId);
    this.require(request.actor, PREFLIGHT_CAPABILITY);
    const scope = await this.resolve(def, request.scope);
    const result = await def.preflight({ db: sqlExecutor(this.deps.db.pool), log: this.log }, scope);
    return { scope, result };
  }

  /**
   * Starts a run: checks capability, input, locks and preflight, records the run and hands it to
   * the executor. Every refusal is audited. Throws InputError, NotAllowedError, ConflictError,
   * NothingToDoError.
   */
  async start(request: StartRunRequest): Promise<StartedRun> {
    try {
      return await this.startChecked(request);
    } catch (error) {
      if (error instanceof OpsError) await this.auditRefusal(request, error);
      throw error;
    }
  }

  private async startChecked(request: StartRunRequest): Promise<StartedRun> {
    const def = this.runbook(request.runbookId);
    this.require(request.actor, RUN_CAPABILITY);
    this.require(request.actor, def.capability);
    const scope = await this.resolve(def, request.scope);
    const reason = validateReason(scope.kind, request);
    if (scope.kind === 'all' && request.confirmation !== def.confirmationPhrase) {
      throw new InputError(
        'confirmation',
        `type the confirmation phrase ${def.confirmationPhrase} exactly to run on all tenants`,
      );
    }
    await this.reapInterrupted();

    const lockRequests = def.lockRequests?.(scope) ?? defaultLockRequests(def.id, scope);
    const locks = await RunLockSession.open(() => this.deps.db.dedicatedClient());
    let handedOver = false;
    try {
      if (!(await locks.tryAcquire(lockRequests))) throw await this.lockConflict(def, scope, lockRequests);
      const preflight = await def.preflight({ db: sqlExecutor(this.deps.db.pool), log: this.log }, scope);
      if (preflight.affected_count === 0) throw new NothingToDoError(def.id, scope);
      if (
        request.preflightAffectedCount !== undefined &&
        request.preflightAffectedCount !== preflight.affected_count
      ) {
        throw new ConflictError(
          `the data changed since your preflight: it showed ${request.preflightAffectedCount} affected, now ${preflight.affected_count}; run preflight again`,
        );
      }
      const owner = { token: randomUUID(), host: os.hostname(), pid: process.pid };
      await locks.holdOwnership(owner.token);
      const run = await this.deps.runs.create({
        type: def.id,
        runbookVersion: def.version,
        scope,
        actor: request.actor,
        breakGlass: request.breakGlass,
        ...reason,
        owner,
        context: { preflight, locks: lockRequests },
      });
      const started = await this.deps.audit.record({
        action: 'run.started',
        actorLabel: run.actorLabel,
        actor: run.actor,
        runId: run.id,
        runbookId: def.id,
        scope,
        ip: request.ip ?? null,
        details: {
          reasonCode: reason.reasonCode,
          reasonText: reason.reasonText,
          affected_count: preflight.affected_count,
        },
      });
      if (!started.ok) await recordAuditFailure(this.deps.runs, run.id, started.error);
      handedOver = true;
      const done = executeRun(
        { ...this.deps, pool: this.deps.db.pool, log: this.log },
        { run, definition: def, scope, locks, onProgress: request.onProgress },
      );
      return { run, done };
    } finally {
      if (!handedOver) await locks.release();
    }
  }

  private async lockConflict(
    def: RunbookDefinition,
    scope: ResolvedScope,
    wanted: LockRequest[],
  ): Promise<ConflictError> {
    const holder = (await this.deps.runs.listActive()).find((run) =>
      locksConflict(wanted, (run.context.locks as LockRequest[] | undefined) ?? []),
    );
    if (!holder) {
      return new ConflictError(
        `another run of ${def.id} holds the lock for ${describeScope(scope)}; try again when it ends`,
      );
    }
    return new ConflictError(
      `run ${holder.id} (${describeScope(holder.scope)}, by ${holder.actorLabel}) holds the lock for ${def.id} since ${holder.createdAt}`,
      { runId: holder.id, actor: holder.actorLabel, startedAt: holder.startedAt ?? holder.createdAt },
    );
  }

  private async auditRefusal(request: StartRunRequest, error: OpsError): Promise<void> {
    const reason =
      error instanceof ConflictError
        ? 'lock_held'
        : error instanceof NothingToDoError
          ? 'nothing_to_do'
          : error instanceof NotAllowedError
            ? 'not_allowed'
            : 'bad_input';
    await this.deps.audit.record({
      action: 'run.refused',
      actorLabel: actorLabel(request.actor),
      actor: request.actor,
      runbookId: request.runbookId,
      scope: request.scope,
      ip: request.ip ?? null,
      details: {
        reason,
        message: error.message,
        ...(error instanceof InputError ? { field: error.field } : {}),
      },
    });
  }

  /**
   * Finds active runs whose owning process died (its ownership lock is free) and ends them
   * `completed/failed` with an `interrupted` reason. Their writes were per-chunk transactions, so
   * nothing is half-done; a new run finishes the work.
   */
  async reapInterrupted(): Promise<RunRecord[]> {
    const active = await this.deps.runs.listActive();
    if (active.length === 0) return [];
    const reaped: RunRecord[] = [];
    const client = await this.deps.db.pool.connect();
    try {
      for (const run of active) {
        const ownerToken = await this.ownerToken(run.id);
        if (ownerToken && (await isOwnerAlive(client, ownerToken))) continue;
        const moved = await this.deps.runs.transition(run, 'completed', 'failed', {
          contextPatch: {
            interrupted: {
              reason: 'interrupted',
              message: 'the process running it stopped (its lock was released) before it finished',
              last_heartbeat_at: run.heartbeatAt,
              checkpoint: run.context.checkpoint ?? null,
              detected_at: new Date().toISOString(),
            },
          },
        });
        if (!moved) continue;
        const record = await this.deps.runs.get(run.id);
        reaped.push(record);
        const written = await this.deps.audit.record({
          action: 'run.interrupted',
          actorLabel: run.actorLabel,
          actor: run.actor,
          runId: run.id,
          runbookId: run.type,
          scope: run.scope,
          outcome: 'failed',
          details: { last_heartbeat_at: run.heartbeatAt, checkpoint: run.context.checkpoint ?? null },
        });
        if (!written.ok) await recordAuditFailure(this.deps.runs, run.id, written.error);
      }
    } finally {
      client.release();
    }
    return reaped;
  }

  private async ownerToken(runId: string): Promise<string | null> {
    const { rows } = await this.deps.db.pool.query(
      "SELECT owner->>'token' AS token FROM ops.runs WHERE id = $1",
      [runId],
    );
    return rows[0]?.token ?? null;
  }

  get(id: string): Promise<RunRecord> {
    return this.deps.runs.get(id);
  }

  list(filter: RunListFilter) {
    return this.deps.runs.list(filter);
  }

  /** Asks the executor to stop after the current chunk (Ctrl-C in `exec`, cancel in the console). */
  requestCancel(id: string): Promise<void> {
    return this.deps.runs.requestAction(id, 'cancel');
  }
}
