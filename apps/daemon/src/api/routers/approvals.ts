import { z } from 'zod';
import {
  APPROVAL_MODES,
  type ApprovalPolicy,
  DECISION_COMMENT_MAX,
  EVERY_RUNBOOK,
  exemptIdentitiesSchema,
  needsApproval,
  REQUEST_STATUSES,
  type RunRequest,
} from '../../approvals/index.ts';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { authorizeFor, capabilityProcedure, router } from '../trpc.ts';
import { actorOf } from './actor.ts';
import { idSchema, runbookIdSchema, runStartSchema } from './schemas.ts';

const viewProcedure = capabilityProcedure(PLATFORM_CAPABILITIES.opsView);
const approveProcedure = capabilityProcedure(PLATFORM_CAPABILITIES.runbooksApprove);
const runProcedure = capabilityProcedure(PLATFORM_CAPABILITIES.runbooksRun);

function caller(ctx: { principal: Parameters<typeof actorOf>[0]; ip: string | null }) {
  return {
    actor: actorOf(ctx.principal),
    authorize: authorizeFor(ctx.principal),
    ip: ctx.ip,
    breakGlass: ctx.principal.breakGlass,
  };
}

/** A request as the API shows it: fields chosen explicitly, plus whether this caller may decide it. */
function requestView(r: RunRequest, viewer: { userId: string; capabilities: string[] }) {
  const own = r.requester.id === viewer.userId;
  const canApprove = viewer.capabilities.includes(PLATFORM_CAPABILITIES.runbooksApprove);
  return {
    id: r.id,
    runbookId: r.runbookId,
    scope: r.scope,
    params: r.params,
    reasonCode: r.reasonCode,
    reasonText: r.reasonText,
    preflight: r.preflight,
    /** The file the run was asked for (file_name, sha256, row_count, byte_count), or null. */
    input: r.input,
    requester: { id: r.requester.id, email: r.requester.email },
    status: r.status,
    decidedBy: r.decidedBy ? { id: r.decidedBy.id, email: r.decidedBy.email } : null,
    decisionComment: r.decisionComment,
    decidedAt: r.decidedAt,
    expiresAt: r.expiresAt,
    runId: r.runId,
    createdAt: r.createdAt,
    /** Why this caller may not approve or reject it, or null when they may (and it is pending). */
    decideBlockedBecause:
      r.status !== 'pending'
        ? `it is ${r.status}`
        : own
          ? 'you requested this run: another operator must approve or reject it'
          : !canApprove
            ? 'approving needs the capability platform.runbooks.approve'
            : null,
    /** Whether this caller may withdraw it: their own request, still pending. */
    canWithdraw: own && r.status === 'pending',
  };
}

function policyView(p: ApprovalPolicy) {
  return {
    runbookId: p.runbookId,
    mode: p.mode,
    exemptIdentities: p.exemptIdentities,
    source: p.source,
    updatedBy: p.updatedBy,
    updatedAt: p.updatedAt,
    /** Which scopes' runs need approval under it. */
    requiredFor: { all: needsApproval(p.mode, 'all'), tenant: needsApproval(p.mode, 'tenant') },
  };
}

export const approvalsRouter = router({
  /** Every runbook's approval policy (its own, the `*` one, or the product default). */
  policies: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView).query(async ({ ctx }) =>
    (await ctx.services.ops.approvals.policies()).map(policyView),
  ),

  setPolicy: approveProcedure
    .input(
      z.object({
        runbookId: z.union([runbookIdSchema, z.literal(EVERY_RUNBOOK)]),
        mode: z.enum(APPROVAL_MODES),
        exemptIdentities: exemptIdentitiesSchema.default([]),
      }),
    )
    .mutation(async ({ ctx, input }) =>
      policyView(
        await ctx.services.ops.approvals.setPolicy(
          input.runbookId,
          { mode: input.mode, exemptIdentities: input.exemptIdentities },
          caller(ctx),
        ),
      ),
    ),

  /** Asks another operator to approve a run instead of starting it. */
  request: runProcedure
    .input(runStartSchema)
    .mutation(async ({ ctx, input }) =>
      requestView(await ctx.services.ops.approvals.request(input, caller(ctx)), ctx.principal),
    ),

  list: viewProcedure
    .input(
      z
        .object({
          status: z.enum(REQUEST_STATUSES).optional(),
          limit: z.number().int().min(1).max(200).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => ({
      items: (await ctx.services.ops.approvals.list(input)).map((r) => requestView(r, ctx.principal)),
    })),

  get: viewProcedure.input(z.object({ id: idSchema })).query(async ({ ctx, input }) => {
    await ctx.services.ops.approvals.expireDue();
    return requestView(await ctx.services.ops.approvals.get(input.id), ctx.principal);
  }),

  approve: approveProcedure
    .input(z.object({ id: idSchema, comment: z.string().max(DECISION_COMMENT_MAX) }))
    .mutation(async ({ ctx, input }) =>
      requestView(
        await ctx.services.ops.approvals.decide(input.id, 'approve', input.comment, caller(ctx)),
        ctx.principal,
      ),
    ),

  reject: approveProcedure
    .input(z.object({ id: idSchema, comment: z.string().max(DECISION_COMMENT_MAX) }))
    .mutation(async ({ ctx, input }) =>
      requestView(
        await ctx.services.ops.approvals.decide(input.id, 'reject', input.comment, caller(ctx)),
        ctx.principal,
      ),
    ),

  /** The requester takes back their own pending request (optional comment); audited. */
  withdraw: runProcedure
    .input(z.object({ id: idSchema, comment: z.string().max(DECISION_COMMENT_MAX).optional() }))
    .mutation(async ({ ctx, input }) =>
      requestView(
        await ctx.services.ops.approvals.withdraw(input.id, input.comment ?? null, caller(ctx)),
        ctx.principal,
      ),
    ),

  /** Starts the run an approved request asked for, exactly as asked; one start per approval. */
  start: runProcedure.input(z.object({ id: idSchema })).mutation(async ({ ctx, input }) => {
    const { run } = await ctx.services.ops.approvals.startRequest(input.id, caller(ctx));
    return { runId: run.id };
  }),

  /**
   * The run requests that change (requested, decided, withdrawn, expired, started), from any daemon,
   * in batches: the console refetches its approvals views on them. One shared poll per daemon
   * (approvals/approval-change-feed.ts), which also expires lapsed requests.
   */
  onChange: viewProcedure.subscription(async function* ({ ctx, signal }) {
    for await (const changes of ctx.services.ops.approvals.changes.stream(signal)) yield { changes };
  }),
});
