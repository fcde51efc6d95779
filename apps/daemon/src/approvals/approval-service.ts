import { isDeepStrictEqual } from 'node:util';
import type { ResolvedScope, Scope } from '@ops/runbook-sdk';
import type pg from 'pg';
import type { AuditAction, AuditLog } from '../audit/index.ts';
import {
  ApprovalRequiredError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '../errors.ts';
import { PLATFORM_CAPABILITIES } from '../identity/capabilities.ts';
import {
  type Actor,
  type Authorize,
  actorLabel,
  RUN_CAPABILITY,
  type RunService,
  type ScopeInput,
  type StartedRun,
  type StartRunRequest,
  validateParams,
  validateReason,
} from '../runs/index.ts';
import { prepareRunInput, type RawRunInput } from '../runs/run-input.ts';
import { resolveScope, resolveScopeByExternalId } from '../tenants/index.ts';
import { RequestChangeFeed } from './approval-change-feed.ts';
import { ApprovalStore, type RunRequest } from './approval-store.ts';
import { approvalRequiredMessage, whyNotDecidable, whyNotStartable, whyNotWithdrawable } from './messages.ts';
import { type ApprovalMode, type ApprovalPolicy, EVERY_RUNBOOK, needsApproval } from './policy.ts';
import type { RequestStatus } from './request-state.ts';

export const APPROVE_CAPABILITY = PLATFORM_CAPABILITIES.runbooksApprove;
export const DECISION_COMMENT_MAX = 500;

/** Who acts: the API passes the principal's capability check; the CLI passes none (a system actor). */
export interface ApprovalCaller {
  actor: Actor;
  authorize?: Authorize;
  ip?: string | null;
  breakGlass?: unknown;
}

type UserActor = Actor & { kind: 'user' };

export interface NewRequestInput {
  runbookId: string;
  scope: Scope;
  params?: Record<string, unknown>;
  reasonCode?: string | null;
  reasonText?: string | null;
  confirmation?: string | null;
  /** The CSV file of a runbook that takes one: validated now and stored with the request. */
  input?: RawRunInput | null;
  /** The preflight the request is based on: its exact count, or an estimate with its 95% margin. */
  preflightAffectedCount: number;
  preflightMargin?: number;
}

export interface ApprovalServiceDeps {
  pool: pg.Pool;
  service: RunService;
  audit: AuditLog;
  /** OPS_APPROVAL_TTL in milliseconds. */
  ttlMs: number;
  log?: (message: string) => void;
}

/**
 * Four-eyes approval: policies, run requests and the one gate every interactive and deploy start
 * goes through (`start`). Schedules start through the run service directly: a schedule is itself
 * a standing, audited decision of a holder of platform.schedules.manage.
 */
export class ApprovalService {
  readonly store: ApprovalStore;
  /** Request changes for `approvals.onChange`: one poll per daemon, shared by every subscriber. */
  readonly changes: RequestChangeFeed;
  private readonly log: (message: string) => void;
  private readonly listeners = new Set<(event: 'requested' | 'decided', request: RunRequest) => unknown>();

  constructor(private readonly deps: ApprovalServiceDeps) {
    this.store = new ApprovalStore(deps.pool);
    this.changes = new RequestChangeFeed(deps.pool, () => this.expireDue());
    this.log = deps.log ?? ((m) => process.stderr.write(`${m}\n`));
  }

  /** Hears of new requests (to notify approvers) and decisions (to tell the requester); never awaited. */
  onChange(listener: (event: 'requested' | 'decided', request: RunRequest) => unknown): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(event: 'requested' | 'decided', request: RunRequest): void {
    for (const listener of this.listeners) {
      Promise.resolve()
        .then(() => listener(event, request))
        .catch((e) =>
          this.log(`run request ${request.id} ${event}, but a listener failed: ${(e as Error).message}`),
        );
    }
  }

  private require(caller: ApprovalCaller, capability: string): void {
    const allowed = caller.authorize ? caller.authorize(capability) : caller.actor.kind === 'system';
    if (!allowed) throw new NotAllowedError(capability);
  }

  private async audit(
    action: AuditAction,
    caller: { actor: Actor; ip?: string | null } | null,
    r: { runbookId: string; scope?: unknown; runId?: string | null },
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.audit.record({
      action,
      actorLabel: caller ? actorLabel(caller.actor) : 'system:approvals',
      actor: caller?.actor,
      runbookId: r.runbookId,
      runId: r.runId ?? null,
      scope: r.scope,
      ip: caller?.ip ?? null,
      details,
    });
  }

  /** Throws InputError for an unknown runbook. */
  policyOf(runbookId: string): Promise<ApprovalPolicy> {
    if (runbookId !== EVERY_RUNBOOK) this.deps.service.runbook(runbookId);
    return this.store.policyOf(runbookId);
  }

  async policies(): Promise<ApprovalPolicy[]> {
    return Promise.all(this.deps.service.catalog().map((r) => this.store.policyOf(r.id)));
  }

  /** Changes a runbook's policy (audited with before and after). Throws NotAllowedError, InputError. */
  async setPolicy(
    runbookId: string,
    policy: { mode: ApprovalMode; exemptIdentities: string[] },
    caller: ApprovalCaller,
  ): Promise<ApprovalPolicy> {
    this.require(caller, APPROVE_CAPABILITY);
    const before = await this.policyOf(runbookId);
    const exemptIdentities = [...new Set(policy.exemptIdentities)].sort();
    await this.store.setPolicy(
      runbookId,
      { mode: policy.mode, exemptIdentities },
      { label: actorLabel(caller.actor), actor: caller.actor },
    );
    await this.audit(
      'approval.policy_changed',
      caller,
      { runbookId },
      {
        before: { mode: before.mode, exemptIdentities: before.exemptIdentities, source: before.source },
        after: { mode: policy.mode, exemptIdentities },
      },
    );
    return this.store.policyOf(runbookId);
  }

  /** Records a run request and tells the approvers. Throws InputError, NotAllowedError. */
  async request(input: NewRequestInput, caller: ApprovalCaller): Promise<RunRequest> {
    if (caller.actor.kind !== 'user')
      throw new InputError('requester', 'a run request is made by a signed-in operator');
    const def = this.deps.service.runbook(input.runbookId);
    this.require(caller, RUN_CAPABILITY);
    this.require(caller, def.capability);
    const scope = await resolveScope(this.deps.pool, input.scope);
    if (!def.scopes.includes(scope.kind)) {
      throw new InputError(
        'scope',
        `runbook ${def.id} does not support scope ${scope.kind} (supports ${def.scopes.join(', ')})`,
      );
    }
    const reason = validateReason(scope.kind, input);
    const params = validateParams(def, input.params);
    const file = prepareRunInput(def, input.input);
    if (scope.kind === 'all' && input.confirmation !== def.confirmationPhrase) {
      throw new InputError(
        'confirmation',
        `type the confirmation phrase ${def.confirmationPhrase} exactly to request a run on all tenants`,
      );
    }
    const created = await this.store.create({
      runbookId: def.id,
      scope,
      params,
      ...reason,
      preflight: { affected_count: input.preflightAffectedCount, margin: input.preflightMargin || null },
      input: file,
      requester: caller.actor,
      ttlMs: this.deps.ttlMs,
    });
    await this.audit(
      'approval.requested',
      caller,
      { runbookId: def.id, scope },
      {
        requestId: created.id,
        reasonCode: created.reasonCode,
        reasonText: created.reasonText,
        params,
        preflight: created.preflight,
        ...(created.input ? { input: created.input } : {}),
        expiresAt: created.expiresAt,
      },
    );
    this.announce('requested', created);
    return created;
  }

  /**
   * Approves or rejects another operator's pending request, with a comment. Of concurrent
   * decisions (any daemon) exactly one wins; the others get ConflictError naming the outcome.
   * Throws NotAllowedError (no capability, or the caller's own request), NotFoundError, InputError.
   */
  async decide(
    id: string,
    decision: 'approve' | 'reject',
    comment: string,
    caller: ApprovalCaller,
  ): Promise<RunRequest> {
    this.require(caller, APPROVE_CAPABILITY);
    if (caller.actor.kind !== 'user')
      throw new NotAllowedError(APPROVE_CAPABILITY, 'a run request is decided by a signed-in operator');
    const text = comment.trim();
    if (!text) throw new InputError('comment', `a comment is required to ${decision} a run request`);
    if (text.length > DECISION_COMMENT_MAX)
      throw new InputError(
        'comment',
        `comment must be at most ${DECISION_COMMENT_MAX} characters (got ${text.length})`,
      );
    await this.expireDue();
    const current = await this.get(id);
    if (current.requester.id === caller.actor.id) throw ownRequestError();
    const to = decision === 'approve' ? 'approved' : 'rejected';
    const decided = await this.store.decide(id, to, caller.actor as UserActor, text, this.deps.ttlMs);
    if (!decided) {
      const now = await this.get(id);
      throw new ConflictError(whyNotDecidable(now));
    }
    await this.audit(to === 'approved' ? 'approval.approved' : 'approval.rejected', caller, decided, {
      requestId: id,
      requester: decided.requester.email,
      comment: text,
      ...(to === 'approved' ? { expiresAt: decided.expiresAt } : {}),
    });
    this.announce('decided', decided);
    return decided;
  }

  /**
   * The requester takes back their own pending request (an optional comment says why); audited.
   * Throws NotAllowedError (someone else's request), NotFoundError, InputError, ConflictError (it
   * was decided or lapsed first).
   */
  async withdraw(id: string, comment: string | null, caller: ApprovalCaller): Promise<RunRequest> {
    if (caller.actor.kind !== 'user')
      throw new InputError('requester', 'a run request is withdrawn by the operator who made it');
    const text = comment?.trim() || null;
    if (text && text.length > DECISION_COMMENT_MAX)
      throw new InputError(
        'comment',
        `comment must be at most ${DECISION_COMMENT_MAX} characters (got ${text.length})`,
      );
    await this.expireDue();
    const current = await this.get(id);
    if (current.requester.id !== caller.actor.id)
      throw new NotAllowedError(RUN_CAPABILITY, 'only the operator who requested this run can withdraw it');
    const withdrawn = await this.store.withdraw(id, caller.actor.id, text);
    if (!withdrawn) throw new ConflictError(whyNotWithdrawable(await this.get(id)));
    await this.audit('approval.withdrawn', caller, withdrawn, {
      requestId: id,
      ...(text ? { comment: text } : {}),
    });
    // Not announced as a decision: nobody decided, and the requester needs no note of their own
    // act; the approvers' views follow through approvals.onChange.
    return withdrawn;
  }

  /** Throws NotFoundError. */
  async get(id: string): Promise<RunRequest> {
    const r = await this.store.get(id);
    if (!r) throw new NotFoundError(`run request ${id} does not exist`, 'id');
    return r;
  }

  async list(filter: { status?: RequestStatus; limit: number }): Promise<RunRequest[]> {
    await this.expireDue();
    return this.store.list(filter);
  }

  /** Moves requests past their expiry to `expired`, one audit event each; returns how many. */
  async expireDue(): Promise<number> {
    const expired = await this.store.expireDue();
    for (const r of expired) {
      await this.audit('approval.expired', null, r, {
        requestId: r.id,
        requester: r.requester.email,
        was: r.decidedAt ? 'approved' : 'pending',
        expiresAt: r.expiresAt,
      });
    }
    return expired.length;
  }

  /**
   * The gate of every interactive and deploy start. A run the runbook's policy holds for approval
   * starts only from an approved request (`approvalRequestId`, whose runbook, scope and parameters
   * must be the ones asked for), or, for `exec`, when the policy exempts `deployIdentity` (audited).
   * Throws ApprovalRequiredError, and whatever RunService.start throws.
   */
  async start(
    request: StartRunRequest,
    options: { approvalRequestId?: string; deployIdentity?: string } = {},
  ): Promise<StartedRun> {
    const def = this.deps.service.runbook(request.runbookId);
    if (options.approvalRequestId !== undefined) {
      const approved = await this.get(options.approvalRequestId);
      await this.requireSameRun(approved, request);
      return this.startRequest(approved.id, request);
    }
    const scopeKind = scopeKindOf(request.scope);
    const policy = await this.store.policyOf(def.id);
    if (!needsApproval(policy.mode, scopeKind)) return this.deps.service.start(request);
    const identity = request.actor.kind === 'system' ? (options.deployIdentity ?? null) : null;
    if (identity !== null && policy.exemptIdentities.includes(identity)) {
      await this.audit(
        'approval.exemption_used',
        request,
        { runbookId: def.id, scope: request.scope },
        {
          deployIdentity: identity,
          policy: { mode: policy.mode, source: policy.source },
        },
      );
      return this.deps.service.start(request);
    }
    const error = new ApprovalRequiredError(
      approvalRequiredMessage({
        runbookId: def.id,
        scope: { kind: scopeKind },
        mode: policy.mode,
        deployIdentity: request.actor.kind === 'system' ? (options.deployIdentity ?? 'unknown') : null,
      }),
      def.id,
    );
    await this.audit(
      'run.refused',
      request,
      { runbookId: def.id, scope: request.scope },
      {
        reason: 'approval_required',
        message: error.message,
        ...(identity !== null ? { deployIdentity: identity } : {}),
      },
    );
    throw error;
  }

  /**
   * Starts the run an approved request asked for, with its exact runbook, scope, parameters, reason
   * and preflight count (the run refuses to write when the data changed beyond it). One start per
   * approval: the request is claimed first, and handed back only when no run was recorded.
   */
  async startRequest(
    id: string,
    caller: ApprovalCaller & Pick<StartRunRequest, 'onProgress'>,
  ): Promise<StartedRun> {
    await this.expireDue();
    const r = await this.get(id);
    if (r.status !== 'approved') throw new InputError('approval', whyNotStartable(r));
    const def = this.deps.service.runbook(r.runbookId);
    const input = await this.store.inputOf(id);
    if (Boolean(def.input) !== Boolean(input))
      throw new InputError(
        'approval',
        `runbook ${def.id} ${def.input ? 'now takes' : 'no longer takes'} a CSV file, unlike when run request ${id} was made; request approval again`,
      );
    const claimed = await this.store.claim(id);
    if (!claimed) throw new InputError('approval', whyNotStartable(await this.get(id)));
    let started: StartedRun;
    try {
      started = await this.deps.service.start({
        runbookId: r.runbookId,
        scope: r.scope.kind === 'all' ? { kind: 'all' } : { kind: 'tenant', tenantId: r.scope.tenantId },
        params: r.params,
        reasonCode: r.reasonCode,
        reasonText: r.reasonText,
        confirmation: def.confirmationPhrase,
        preflightAffectedCount: r.preflight.affected_count,
        ...(r.preflight.margin ? { preflightMargin: r.preflight.margin } : {}),
        actor: caller.actor,
        authorize: caller.authorize,
        breakGlass: caller.breakGlass,
        ip: caller.ip,
        onProgress: caller.onProgress,
        approval: {
          requestId: id,
          requestedBy: r.requester.email,
          approvedBy: r.decidedBy?.email ?? null,
          input,
        },
      });
    } catch (error) {
      await this.store.unclaim(id);
      throw error;
    }
    await this.store.linkRun(id, started.run.id);
    await this.audit(
      'approval.started',
      caller,
      { ...r, runId: started.run.id },
      {
        requestId: id,
        requester: r.requester.email,
        approvedBy: r.decidedBy?.email ?? null,
      },
    );
    return started;
  }

  /** `--approval` must name a request for the very run the command line asks for. Throws InputError. */
  private async requireSameRun(r: RunRequest, request: StartRunRequest): Promise<void> {
    const differs = (what: string) =>
      new InputError(
        'approval',
        `run request ${r.id} was approved for ${what}; the command asks for another run — repeat the request's exact runbook, scope and parameters`,
      );
    if (r.runbookId !== request.runbookId) throw differs(`runbook ${r.runbookId}`);
    const scope = await this.resolve(request.scope);
    if (!sameScope(scope, r.scope))
      throw differs(r.scope.kind === 'all' ? 'all tenants' : `tenant ${r.scope.externalId}`);
    const params = validateParams(this.deps.service.runbook(r.runbookId), request.params);
    if (!isDeepStrictEqual(params, r.params)) throw differs(`parameters ${JSON.stringify(r.params)}`);
    // The approval is bound to the request's file: a command that names a file must name that one
    // (checked by content); without --input the start uses the stored file.
    if (request.input) {
      const file = prepareRunInput(this.deps.service.runbook(r.runbookId), request.input);
      if (file?.sha256 !== r.input?.sha256)
        throw differs(
          r.input
            ? `input file ${r.input.file_name} (sha256 ${r.input.sha256})`
            : `runbook ${r.runbookId} without an input file`,
        );
    }
  }

  private resolve(scope: ScopeInput): Promise<ResolvedScope> {
    return scope.kind === 'externalId'
      ? resolveScopeByExternalId(this.deps.pool, scope.externalId)
      : resolveScope(this.deps.pool, scope);
  }
}

function ownRequestError(): NotAllowedError {
  return new NotAllowedError(
    APPROVE_CAPABILITY,
    'you requested this run: another operator must approve or reject it (four eyes, break-glass included)',
  );
}

function scopeKindOf(scope: ScopeInput): 'all' | 'tenant' {
  if (scope.kind === 'externalId') return scope.externalId === undefined ? 'all' : 'tenant';
  return scope.kind;
}

function sameScope(a: ResolvedScope, b: ResolvedScope): boolean {
  return a.kind === 'all' ? b.kind === 'all' : b.kind === 'tenant' && a.tenantId === b.tenantId;
}
