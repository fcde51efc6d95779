import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { CHANGE_SAMPLE_LIMITS } from '../../runs/change-sample.ts';
import { requestKey } from '../shared-flights.ts';
import { authorizeFor, capabilityProcedure, router } from '../trpc.ts';
import { actorOf } from './actor.ts';
import { auditFailedRead } from './preflight-audit.ts';
import { paramsSchema, runbookIdSchema, runInputSchema, runStartSchema, scopeSchema } from './schemas.ts';

const preflightInput = z.object({
  runbookId: runbookIdSchema,
  scope: scopeSchema,
  params: paramsSchema,
  /** The CSV file of a runbook that declares an input (`runbooks.list` gives its columns and limits). */
  input: runInputSchema.optional(),
});

/** Requests with the same runbook, scope, parameters and file count the same rows. */
const preflightKey = (input: z.infer<typeof preflightInput>) =>
  requestKey([
    input.runbookId,
    input.scope,
    input.params ?? {},
    input.input ? createHash('sha256').update(input.input.text).digest('hex') : null,
  ]);

export const runbooksRouter = router({
  list: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView).query(async ({ ctx }) =>
    (await ctx.services.ops.service.catalogWithLastRuns()).map((r) => ({
      id: r.id,
      title: r.title,
      description: r.description,
      scopes: r.scopes,
      capability: r.capability,
      confirmationPhrase: r.confirmationPhrase,
      parameters: r.parameters,
      resources: r.resources,
      // A CSV input's columns and limits (null: the runbook takes no file), for the run dialog's check.
      input: r.input,
      // The figures this runbook adds to the core summary keys, so the console shows them too.
      summaryKeys: [...(ctx.services.ops.registry.runbooks.get(r.id)?.summaryKeys ?? [])],
      lastRun: r.lastRun,
      available: r.available,
      unavailableReason: r.unavailableReason,
    })),
  ),

  preflight: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView)
    .input(preflightInput)
    .mutation(async ({ ctx, input }) => {
      const { ops, limits } = ctx.services;
      const actor = actorOf(ctx.principal);
      // Identical concurrent preflights share one count (any caller here holds the capability the
      // service checks); each caller is still audited, succeeded or failed. BusyError past the limits.
      const {
        scope,
        result,
        input: file,
        notReversible,
      } = await auditFailedRead(ctx, input, 'preflight', () =>
        limits.preflights.run(preflightKey(input), () =>
          ops.service.preflight({
            runbookId: input.runbookId,
            scope: input.scope,
            params: input.params,
            input: input.input,
            actor,
            authorize: authorizeFor(ctx.principal),
          }),
        ),
      );
      await ops.audit.record({
        action: 'runbook.preflight',
        actorLabel: actor.email,
        actor,
        runbookId: input.runbookId,
        scope,
        ip: ctx.ip,
        details: { ...result, ...(file ? { input: file } : {}) },
      });
      // A reversible runbook whose journal is not in place here: the operator learns it before confirming.
      return {
        ...result,
        scope,
        ...(file ? { input: file } : {}),
        ...(notReversible ? { not_reversible: notReversible } : {}),
      };
    }),

  /**
   * A sampled estimate of the preflight's affected count with its 95% margin, in a fraction of the
   * exact count's time: the console shows it while `preflight` runs. Read-only; null when the
   * runbook has no estimate.
   */
  estimate: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView)
    .input(preflightInput)
    .query(async ({ ctx, input }) => {
      const { ops, limits } = ctx.services;
      const { scope, estimate } = await auditFailedRead(ctx, input, 'estimate', () =>
        limits.estimates.run(preflightKey(input), () =>
          ops.service.estimate({
            runbookId: input.runbookId,
            scope: input.scope,
            params: input.params,
            input: input.input,
            actor: actorOf(ctx.principal),
            authorize: authorizeFor(ctx.principal),
          }),
        ),
      );
      return {
        scope,
        estimate: estimate && {
          affected_count: estimate.affected_count,
          margin: estimate.margin,
          sampled: estimate.sampled,
          population: estimate.population,
          exact: estimate.exact,
        },
      };
    }),

  /**
   * Rehearse with a diff (issue 14): a sample of the rows a run would change, each changed field
   * before → after, spread over tenants and the same for the same data. Read-only like the
   * preflight (a mutation so it can carry a CSV file), audited as a preflight read; `diff` is null
   * when the runbook has no `sampleChanges`. `limit`: rows (keys), 1..100, default 20.
   */
  diff: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView)
    .input(
      preflightInput.extend({
        limit: z
          .number()
          .int()
          .min(CHANGE_SAMPLE_LIMITS.min)
          .max(CHANGE_SAMPLE_LIMITS.max)
          .default(CHANGE_SAMPLE_LIMITS.default),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { ops, limits } = ctx.services;
      const actor = actorOf(ctx.principal);
      const { scope, limit, diff } = await auditFailedRead(ctx, input, 'change sample', () =>
        limits.diffs.run(requestKey([input.limit, preflightKey(input)]), () =>
          ops.service.sampleChanges({
            runbookId: input.runbookId,
            scope: input.scope,
            params: input.params,
            input: input.input,
            limit: input.limit,
            actor,
            authorize: authorizeFor(ctx.principal),
          }),
        ),
      );
      // The operator saw customer values: recorded like a preflight, with how much was shown.
      await ops.audit.record({
        action: 'runbook.preflight',
        actorLabel: actor.email,
        actor,
        runbookId: input.runbookId,
        scope,
        ip: ctx.ip,
        details: {
          read: 'change sample',
          limit,
          rows: diff?.length ?? 0,
          keys: diff ? new Set(diff.map((r) => r.key)).size : 0,
        },
      });
      return { scope, limit, diff };
    }),

  run: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksRun)
    .input(runStartSchema)
    .mutation(async ({ ctx, input }) => {
      // Through the approval gate: a run its runbook's policy holds for approval is refused (412,
      // in words); the console then offers approvals.request instead.
      const { run } = await ctx.services.ops.approvals.start({
        ...input,
        actor: actorOf(ctx.principal),
        authorize: authorizeFor(ctx.principal),
        breakGlass: ctx.principal.breakGlass,
        ip: ctx.ip,
      });
      return { runId: run.id };
    }),
});
