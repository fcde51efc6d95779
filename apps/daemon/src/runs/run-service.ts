import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import {
  type ChangeSampleRow,
  describeParameters,
  type LockRequest,
  ParameterError,
  type PreflightEstimate,
  type PreflightResult,
  parseParameters,
  type ResolvedScope,
  type RunbookDefinition,
  type Scope,
} from '@ops/runbook-sdk';
import type { AuditAction, AuditLog } from '../audit/index.ts';
import type { Database } from '../db/connection.ts';
import { ConflictError, InputError, NotAllowedError, NothingToDoError, OpsError } from '../errors.ts';
import { leaseHeld, RunLease, RunLockSession } from '../locks/index.ts';
import {
  createLogger,
  type Logger,
  lineLog,
  linesLogger,
  metrics,
  runLogger,
} from '../observability/index.ts';
import type { PluginRegistry } from '../plugins/index.ts';
import { resolveScope, resolveScopeByExternalId } from '../tenants/index.ts';
import { RunAssistant } from './assist.ts';
import { changeSampleLimit, normaliseChangeSample } from './change-sample.ts';
import type { WorkSettings } from './chunk-driver.ts';
import { type Execution, endedAuditAction, executeRun, recordAuditFailure } from './executor.ts';
import { affectedOf, checkWork, pluginReader } from './preflight-checks.ts';
import { validateReason } from './reasons.ts';
import { definitionForRun, journalStatusOf, type RevertRunRequest, startRevert } from './revert/index.ts';
import { approvalSummaryOf, type RunApproval } from './run-approval.ts';
import { auditRunEvent, type RunAuditExtra } from './run-audit.ts';
import { RunChangeFeed } from './run-change-feed.ts';
import { confirmationOf } from './run-confirmation.ts';
import { inputSummaryOf, prepareRunInput, type RawRunInput } from './run-input.ts';
import type { RunListFilter } from './run-list.ts';
import { reapInterrupted } from './run-reaper.ts';
import { type Actor, actorLabel, type RunProgress, type RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';
import { leasedConflictingRun, lockConflictError, lockRequestsOf } from './scope-locks.ts';
import type { RunStatus } from './state-machine.ts';

/** The capability every run needs, beyond the runbook's own. */
export const RUN_CAPABILITY = 'platform.runbooks.run';
export const PREFLIGHT_CAPABILITY = 'platform.runbooks.view';

/** A scope as the API gives it, or as the CLI does (a tenant's external id, or none for all). */
export type ScopeInput = Scope | { kind: 'externalId'; externalId: string | undefined };

/** The capability check hook: the API passes the principal's; CLI and schedules pass none. */
export type Authorize = (capability: string) => boolean;

export interface StartRunRequest {
  runbookId: string;
  scope: ScopeInput;
  actor: Actor;
  authorize?: Authorize;
  reasonCode?: string | null;
  reasonText?: string | null;
  confirmation?: string | null;
  /** Raw parameter values; validated against the runbook's schema. */
  params?: Record<string, unknown>;
  /** The CSV file of a runbook that declares an input; validated and stored with the run. */
  input?: RawRunInput | null;
  /** The approved run request this start comes from: recorded on the run; its file replaces `input`. */
  approval?: RunApproval;
  /**
   * What the operator's own preflight showed: the exact count, or with `preflightMargin` the
   * estimate and its 95% margin. The run counts exactly before writing and ends without writing
   * when the data changed beyond it (run-confirmation.ts).
   */
  preflightAffectedCount?: number;
  preflightMargin?: number;
  breakGlass?: unknown;
  ip?: string | null;
  onProgress?: (progress: RunProgress) => void;
}

/** Who asks to pause, resume or cancel a run. */
export interface RunControlCaller {
  actor: Actor;
  authorize?: Authorize;
  ip?: string | null;
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
  /** Workers, chunk sizing, write budget and health probe of chunked work. */
  work: WorkSettings;
  /** A lifecycle hook's time limit (OPS_HOOK_TIMEOUT_MS); runs/lifecycle-hooks.ts. */
  hookTimeoutMs?: number;
  heartbeatMs: number;
  /** How long a run's lease lasts without a heartbeat (OPS_LEASE_MS). */
  leaseMs: number;
  /** How long a run waits for a database that went away (OPS_DB_OUTAGE_MS). */
  outageMs: number;
  /** Structured diagnostics: every line about a run carries run_id, runbook and scope. */
  logger?: Logger;
  log?: (message: string) => void;
}

/** The one way in for every caller: console, browser API and the deploy CLI. */
export class RunService {
  private readonly log: (message: string) => void;
  private readonly logger: Logger;
  /** Runs executing in this process, so a shutdown can stop them after their chunk. */
  private readonly executing = new Map<string, Promise<RunRecord>>();
  private readonly shutdownController = new AbortController();
  private readonly finishedListeners = new Set<(run: RunRecord) => unknown>();

  /** Names this process's workers on the work units they finish. */
  private readonly workerName = `${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
  private readonly assistant: RunAssistant;
  /** Run changes for `runs.onChange`: one poll per daemon, shared by every subscriber. */
  readonly changes: RunChangeFeed;

  constructor(private readonly deps: RunServiceDeps) {
    this.logger =
      deps.logger ??
      (deps.log
        ? linesLogger(deps.log)
        : createLogger({ level: 'info', destination: process.stderr, format: 'json', secrets: [] }));
    this.log = deps.log ?? lineLog(this.logger, {}, 'warn');
    this.changes = new RunChangeFeed(deps.db.pool);
    this.assistant = new RunAssistant({
      pool: deps.db.pool,
      registry: deps.registry,
      runs: deps.runs,
      work: deps.work,
      workerName: this.workerName,
      isLocal: (runId) => this.executing.has(runId),
      ownerAlive: (runId) => this.ownerAlive(runId),
      log: this.log,
    });
  }

  /**
   * Subscribes to runs that end executing in this process (alerts, notifications); returns the
   * unsubscribe. A listener runs after the final record is written and is never awaited, so it
   * cannot delay or fail a run; its errors are logged. Runs ended otherwise (reaped, cancelled
   * while paused, another process) are found by the alerts sweep.
   */
  onRunFinished(listener: (run: RunRecord) => unknown): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  private announceFinished(run: RunRecord): RunRecord {
    if (run.status !== 'completed') return run;
    for (const listener of this.finishedListeners) {
      Promise.resolve()
        .then(() => listener(run))
        .catch((e) => this.log(`run ${run.id} finished, but a listener failed: ${(e as Error).message}`));
    }
    return run;
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
      parameters: describeParameters(def.parameters),
      resources: [...(def.resources ?? [])],
      input: def.input ?? null,
    }));
  }

  /**
   * The catalog as every caller shows it: each runbook with its last run, then the plugins the
   * daemon refused, with the reason, so an operator knows why one is missing.
   */
  async catalogWithLastRuns() {
    const latest = await this.deps.runs.latestByType();
    const available = this.catalog().map((r) => {
      const last = latest.get(r.id);
      return {
        ...r,
        source: null as string | null,
        lastRun: last
          ? { id: last.id, status: last.status, outcome: last.outcome, finishedAt: last.finishedAt }
          : null,
        available: true,
        unavailableReason: null as string | null,
      };
    });
    const refused = this.deps.registry.unavailable.map((u) => ({
      id: u.id ?? u.source,
      version: '',
      title: u.id ?? u.source,
      description: '',
      scopes: [] as string[],
      capability: '',
      confirmationPhrase: '',
      parameters: [] as (typeof available)[number]['parameters'],
      resources: [] as string[],
      input: null,
      source: u.source as string | null,
      lastRun: null,
      available: false,
      unavailableReason: u.reason as string | null,
    }));
    return [...available, ...refused];
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

  /** Without a hook only system actors (CLI, schedules) may act. Throws NotAllowedError. */
  private require(request: { actor: Actor; authorize?: Authorize }, capability: string): void {
    const allowed = request.authorize ? request.authorize(capability) : request.actor.kind === 'system';
    if (!allowed) throw new NotAllowedError(capability);
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
    authorize?: Authorize;
    params?: Record<string, unknown>;
    input?: RawRunInput | null;
  }): Promise<{
    scope: ResolvedScope;
    result: PreflightResult;
    input: ReturnType<typeof inputSummaryOf> | null;
    /** A reversible runbook whose runs would not be journaled here: why its run could not be reverted. */
    notReversible: string | null;
  }> {
    const def = this.runbook(request.runbookId);
    this.require(request, PREFLIGHT_CAPABILITY);
    const params = validateParams(def, request.params);
    const input = prepareRunInput(def, request.input);
    const scope = await this.resolve(def, request.scope);
    const read = pluginReader(this.deps.db.pool, def.id, params, this.log, input);
    const result = await read('preflight', (ctx) => def.preflight(ctx, scope));
    const journal = await journalStatusOf(this.deps.db.pool, def);
    return { scope, result, input: input && inputSummaryOf(input), notReversible: journal?.reason ?? null };
  }

  /**
   * Read-only: a sampled estimate of the preflight's affected count with its error bound, quick
   * enough to show while the exact preflight runs; null when the runbook has no estimate.
   * Throws InputError, NotAllowedError.
   */
  async estimate(request: {
    runbookId: string;
    scope: ScopeInput;
    actor: Actor;
    authorize?: Authorize;
    params?: Record<string, unknown>;
    input?: RawRunInput | null;
  }): Promise<{ scope: ResolvedScope; estimate: PreflightEstimate | null }> {
    const def = this.runbook(request.runbookId);
    this.require(request, PREFLIGHT_CAPABILITY);
    const params = validateParams(def, request.params);
    const input = prepareRunInput(def, request.input);
    const scope = await this.resolve(def, request.scope);
    const read = pluginReader(this.deps.db.pool, def.id, params, this.log, input);
    const estimate = def.estimate;
    return { scope, estimate: estimate ? await read('estimate', (ctx) => estimate(ctx, scope)) : null };
  }

  /**
   * Read-only (issue 14): a sample of the rows a run would change, each changed field before →
   * after, from the runbook's `sampleChanges`; null when the runbook has none. At most `limit`
   * rows (keys, 1..100). Throws InputError (naming `limitField`), NotAllowedError.
   */
  async sampleChanges(request: {
    runbookId: string;
    scope: ScopeInput;
    actor: Actor;
    authorize?: Authorize;
    params?: Record<string, unknown>;
    input?: RawRunInput | null;
    limit: unknown;
    limitField?: string;
  }): Promise<{ scope: ResolvedScope; limit: number; diff: ChangeSampleRow[] | null }> {
    const limit = changeSampleLimit(request.limit, request.limitField);
    const def = this.runbook(request.runbookId);
    this.require(request, PREFLIGHT_CAPABILITY);
    const params = validateParams(def, request.params);
    const input = prepareRunInput(def, request.input);
    const scope = await this.resolve(def, request.scope);
    const sample = def.sampleChanges;
    if (!sample) return { scope, limit, diff: null };
    const read = pluginReader(this.deps.db.pool, def.id, params, this.log, input);
    const rows = await read('change sample', (ctx) => sample(ctx, scope, { limit }));
    return { scope, limit, diff: normaliseChangeSample(rows, limit) };
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
    this.require(request, RUN_CAPABILITY);
    this.require(request, def.capability);
    const scope = await this.resolve(def, request.scope);
    const reason = validateReason(scope.kind, request);
    const params = validateParams(def, request.params);
    // The whole file is checked before any lock or record: a bad file leaves nothing behind.
    const input = request.approval ? request.approval.input : prepareRunInput(def, request.input);
    if (scope.kind === 'all' && request.confirmation !== def.confirmationPhrase) {
      throw new InputError(
        'confirmation',
        `type the confirmation phrase ${def.confirmationPhrase} exactly to run on all tenants`,
      );
    }
    await this.reapInterrupted();

    const lockRequests = lockRequestsOf(def, scope);
    const locks = await RunLockSession.open(() => this.deps.db.dedicatedClient());
    let handedOver = false;
    try {
      if (!(await locks.tryAcquire(lockRequests)) || (await this.leasedConflicting(lockRequests)))
        throw await this.lockConflict(def, scope, lockRequests);
      const read = pluginReader(this.deps.db.pool, def.id, params, this.log, input);
      const confirmed =
        request.preflightAffectedCount === undefined
          ? undefined
          : confirmationOf(request.preflightAffectedCount, request.preflightMargin);
      const preflight = await checkWork(def, read, scope, confirmed);
      // A reversible runbook whose journal trigger is not in place runs unjournaled: said on the run.
      const journal = await journalStatusOf(this.deps.db.pool, def);
      const owner = { token: randomUUID(), host: os.hostname(), pid: process.pid };
      const run = await this.deps.runs.create(
        {
          type: def.id,
          runbookVersion: def.version,
          scope,
          actor: request.actor,
          breakGlass: request.breakGlass,
          ...reason,
          params,
          owner,
          context: {
            preflight,
            locks: lockRequests,
            ...(confirmed ? { confirmed } : {}),
            ...(input ? { input: inputSummaryOf(input) } : {}),
            ...(request.approval ? { approval: approvalSummaryOf(request.approval) } : {}),
            ...(journal ? { journal } : {}),
          },
        },
        input,
      );
      const lease = await RunLease.create(this.deps.db.pool, run.id, owner.token, this.deps.leaseMs);
      const affected = affectedOf(preflight);
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
          ...(affected.exact ? { affected_count: affected.count } : { affected_at_least: affected.count }),
          ...(confirmed ? { confirmed } : {}),
          ...(input ? { input: inputSummaryOf(input) } : {}),
          ...(journal ? { journal } : {}),
        },
      });
      if (!started.ok) await recordAuditFailure(this.deps.runs, run.id, started.error);
      handedOver = true;
      return {
        run,
        done: this.execute({ run, definition: def, scope, locks, lease, onProgress: request.onProgress }),
      };
    } finally {
      if (!handedOver) await locks.release();
    }
  }

  private execute(execution: Omit<Execution, 'shutdown'>): Promise<RunRecord> {
    const done = executeRun(
      {
        ...this.deps,
        pool: this.deps.db.pool,
        workerName: this.workerName,
        lockConnection: () => this.deps.db.dedicatedClient(),
        log: this.log,
        logger: this.logger,
      },
      { ...execution, shutdown: this.shutdownController.signal },
    )
      .then((run) => this.announceFinished(run))
      .finally(() => this.executing.delete(execution.run.id));
    this.executing.set(execution.run.id, done);
    return done;
  }

  private leasedConflicting(wanted: readonly LockRequest[]): Promise<RunRecord | null> {
    return leasedConflictingRun(this.deps.db.pool, this.deps.runs, wanted);
  }

  private lockConflict(def: RunbookDefinition, scope: ResolvedScope, wanted: LockRequest[]) {
    return lockConflictError(this.deps.runs, def, scope, wanted);
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
   * Ends runs whose owner provably stopped (lease run out) as interrupted, counts reconciled from
   * their committed work units: see run-reaper.ts.
   */
  reapInterrupted(): Promise<RunRecord[]> {
    return reapInterrupted({
      pool: this.deps.db.pool,
      runs: this.deps.runs,
      audit: this.deps.audit,
      registry: this.deps.registry,
      leaseMs: this.deps.leaseMs,
      reaperName: `reaper:${this.workerName}`,
    }).then((reaped) => {
      for (const run of reaped) {
        metrics.safely(() => metrics.ownershipEvents.inc({ event: 'reaped' }));
        runLogger(this.logger, run).warn(
          { event: 'run.reaped', status: run.status, outcome: run.outcome },
          'run taken over by the reaper: its process stopped (lease ran out); ended completed/failed',
        );
      }
      return reaped;
    });
  }

  /** True while the run's owner holds its lease. */
  private ownerAlive(runId: string): Promise<boolean> {
    return leaseHeld(this.deps.db.pool, runId);
  }

  private audited(run: RunRecord, action: AuditAction, extra: RunAuditExtra = {}): Promise<void> {
    return auditRunEvent(this.deps, run, action, extra);
  }

  /** Throws InputError (field `id`) when the run is not in a state the action applies to. */
  private expectStatus(run: RunRecord, action: string, allowed: readonly RunStatus[]): void {
    if (!allowed.includes(run.status)) {
      throw new InputError(
        'id',
        `cannot ${action} run ${run.id}: it is ${run.status}${run.status === 'completed' ? ` (${run.outcome})` : ''}`,
      );
    }
  }

  /** Stops the run after its current chunk and keeps its locks and checkpoint. */
  async pause(id: string, by: RunControlCaller): Promise<RunRecord> {
    const run = await this.deps.runs.get(id);
    this.require(by, RUN_CAPABILITY);
    this.expectStatus(run, 'pause', ['running', 'queued']);
    await this.deps.runs.requestAction(id, 'pause');
    await this.audited(run, 'run.pause_requested', { by: by.actor, ip: by.ip });
    return this.deps.runs.get(id);
  }

  /**
   * Continues a paused run from its checkpoint. If the process that paused it is alive it picks the
   * run up again; otherwise (a daemon shut down or died) this process takes the locks and continues.
   * Throws ConflictError when another run took the scope meanwhile.
   */
  async resume(id: string, by: RunControlCaller): Promise<RunRecord> {
    const run = await this.deps.runs.get(id);
    this.require(by, RUN_CAPABILITY);
    this.expectStatus(run, 'resume', ['paused', 'running', 'queued']);
    if (run.status !== 'paused' || (await this.ownerAlive(id))) {
      await this.deps.runs.requestAction(id, null);
    } else {
      await this.adopt(run);
    }
    await this.audited(run, 'run.resumed', { by: by.actor, ip: by.ip });
    return this.deps.runs.get(id);
  }

  private async adopt(run: RunRecord): Promise<void> {
    const def = definitionForRun(this.runbook(run.type), run, this.deps.db.pool);
    const lockRequests = (run.context.locks as LockRequest[] | undefined) ?? lockRequestsOf(def, run.scope);
    const locks = await RunLockSession.open(() => this.deps.db.dedicatedClient());
    let lease: RunLease | null = null;
    try {
      if (!(await locks.tryAcquire(lockRequests)) || (await this.leasedConflicting(lockRequests)))
        throw await this.lockConflict(def, run.scope, lockRequests);
      const owner = { token: randomUUID(), host: os.hostname(), pid: process.pid };
      await RunLease.adoptOrphan(this.deps.db.pool, run.id, 0);
      lease = await RunLease.takeOver(this.deps.db.pool, run.id, owner.token, this.deps.leaseMs);
      if (!lease || !(await this.deps.runs.adopt(run.id, owner))) {
        await lease?.release();
        throw new ConflictError(`run ${run.id} is no longer paused`);
      }
    } catch (error) {
      await locks.release();
      throw error;
    }
    await this.deps.runs.requestAction(run.id, null);
    if (!lease) throw new ConflictError(`run ${run.id} is no longer paused`); // unreachable: narrows the type
    void this.execute({
      run: await this.deps.runs.get(run.id),
      definition: def,
      scope: run.scope,
      locks,
      lease,
    });
  }

  /**
   * Reverts an ended run of a reversible runbook with a run of its own (runs/revert). Throws
   * InputError, NotAllowedError, NotFoundError, ConflictError, NothingToDoError.
   */
  revert(request: RevertRunRequest): Promise<StartedRun> {
    return startRevert(
      {
        ...this.deps,
        runCapability: RUN_CAPABILITY,
        require: (r, capability) => this.require(r, capability),
        reapInterrupted: () => this.reapInterrupted(),
        execute: (execution) => this.execute(execution),
      },
      request,
    );
  }

  /** Cancels after the current chunk; a paused run with no live owner is cancelled at once. */
  async cancel(id: string, by: RunControlCaller): Promise<RunRecord> {
    const run = await this.deps.runs.get(id);
    this.require(by, RUN_CAPABILITY);
    this.expectStatus(run, 'cancel', ['queued', 'running', 'paused']);
    if (run.status === 'paused' && !(await this.ownerAlive(id))) {
      await this.deps.runs.transition(run, 'completed', 'cancelled', {
        contextPatch: { cancelled_while: 'paused' },
      });
      await this.audited(run, endedAuditAction('cancelled'), {
        outcome: 'cancelled',
        by: by.actor,
        ip: by.ip,
      });
    } else {
      await this.deps.runs.requestAction(id, 'cancel');
      await this.audited(run, 'run.cancel_requested', { by: by.actor, ip: by.ip });
    }
    return this.deps.runs.get(id);
  }

  /** Daemon shutdown: every run of this process stops after its chunk and is left paused. */
  async shutdown(): Promise<void> {
    this.shutdownController.abort();
    await Promise.allSettled([...this.executing.values(), this.assistant.stop()]);
  }

  /**
   * Lends this process's workers to runs other processes own that still have open work units
   * (the daemon calls it on its sweep). Returns the ids of the runs it started helping.
   */
  assistRuns(): Promise<string[]> {
    return this.assistant.assistRuns();
  }

  get(id: string): Promise<RunRecord> {
    return this.deps.runs.get(id);
  }

  list(filter: RunListFilter) {
    return this.deps.runs.list(filter);
  }

  /** Ctrl-C in `exec`: stop after the current chunk. The CLI is the run's own actor. */
  requestCancel(id: string): Promise<void> {
    return this.deps.runs.requestAction(id, 'cancel');
  }
}

/** Throws InputError naming the parameter (`params.<name>`). */
export function validateParams(
  def: RunbookDefinition,
  raw: Record<string, unknown> | undefined,
): Record<string, unknown> {
  try {
    return parseParameters(def.parameters, raw ?? {});
  } catch (error) {
    if (error instanceof ParameterError) throw new InputError(`params.${error.parameter}`, error.message);
    throw error;
  }
}
