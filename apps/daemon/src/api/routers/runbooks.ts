import { z } from 'zod';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { authorizeFor, capabilityProcedure, router } from '../trpc.ts';
import { actorOf } from './actor.ts';
import { auditFailedRead } from './preflight-audit.ts';
import { paramsSchema, reasonCodeSchema, reasonTextSchema, runbookIdSchema, scopeSchema } from './schemas.ts';

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
      lastRun: r.lastRun,
      available: r.available,
      unavailableReason: r.unavailableReason,
    })),
  ),

  preflight: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView)
    .input(z.object({ runbookId: runbookIdSchema, scope: scopeSchema, params: paramsSchema }))
    .mutation(async ({ ctx, input }) => {
      const { ops } = ctx.services;
      const actor = actorOf(ctx.principal);
      const { scope, result } = await auditFailedRead(ctx, input, 'preflight', () =>
        ops.service.preflight({
          runbookId: input.runbookId,
          scope: input.scope,
          params: input.params,
          actor,
          authorize: authorizeFor(ctx.principal),
        }),
      );
      await ops.audit.record({
        action: 'runbook.preflight',
        actorLabel: actor.email,
        actor,
        runbookId: input.runbookId,
        scope,
        ip: ctx.ip,
        details: { ...result },
      });
      return { ...result, scope };
    }),

  /**
   * A sampled estimate of the preflight's affected count with its 95% margin, in a fraction of the
   * exact count's time: the console shows it while `preflight` runs. Read-only; null when the
   * runbook has no estimate.
   */
  estimate: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView)
    .input(z.object({ runbookId: runbookIdSchema, scope: scopeSchema, params: paramsSchema }))
    .query(async ({ ctx, input }) => {
      const { scope, estimate } = await auditFailedRead(ctx, input, 'estimate', () =>
        ctx.services.ops.service.estimate({
          runbookId: input.runbookId,
          scope: input.scope,
          params: input.params,
          actor: actorOf(ctx.principal),
          authorize: authorizeFor(ctx.principal),
        }),
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

  run: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksRun)
    .input(
      z.object({
        runbookId: runbookIdSchema,
        scope: scopeSchema,
        reasonCode: reasonCodeSchema.optional(),
        reasonText: reasonTextSchema.optional(),
        confirmation: z.string().max(100).optional(),
        preflightAffectedCount: z.number().int().min(0),
        params: paramsSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { run } = await ctx.services.ops.service.start({
        ...input,
        actor: actorOf(ctx.principal),
        authorize: authorizeFor(ctx.principal),
        breakGlass: ctx.principal.breakGlass,
        ip: ctx.ip,
      });
      return { runId: run.id };
    }),
});
