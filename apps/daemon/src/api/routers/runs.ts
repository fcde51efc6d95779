import { z } from 'zod';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { RUN_SORT_KEY_NAMES, type RunRecord, type RunSortKey } from '../../runs/index.ts';
import { revertInfoOf } from '../../runs/revert/index.ts';
import { authorizeFor, capabilityProcedure, router } from '../trpc.ts';
import { actorOf } from './actor.ts';
import {
  actorFilterSchema,
  idSchema,
  reasonCodeSchema,
  reasonTextSchema,
  runbookIdSchema,
  runStatusSchema,
  sortedPageSchema,
} from './schemas.ts';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** How often runs.onUpdate sends a snapshot: twice a second, so progress is never older than 1 s. */
const UPDATE_INTERVAL_MS = 500;

const viewProcedure = capabilityProcedure(PLATFORM_CAPABILITIES.opsView);
const controlProcedure = capabilityProcedure(PLATFORM_CAPABILITIES.runbooksRun).input(
  z.object({ id: idSchema }),
);

export const runsRouter = router({
  list: viewProcedure
    .input(
      z
        .object({
          ...sortedPageSchema(RUN_SORT_KEY_NAMES as [RunSortKey, ...RunSortKey[]]),
          runbookId: runbookIdSchema.optional(),
          status: runStatusSchema.optional(),
          actor: actorFilterSchema.optional(),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => ctx.services.ops.service.list(input)),

  get: viewProcedure
    .input(z.object({ id: idSchema }))
    .query(({ ctx, input }) => ctx.services.ops.service.get(input.id)),

  cancel: controlProcedure.mutation(({ ctx, input }) =>
    ctx.services.ops.service.cancel(input.id, caller(ctx)),
  ),
  pause: controlProcedure.mutation(({ ctx, input }) => ctx.services.ops.service.pause(input.id, caller(ctx))),
  resume: controlProcedure.mutation(({ ctx, input }) =>
    ctx.services.ops.service.resume(input.id, caller(ctx)),
  ),

  /**
   * How the run stands towards reverting (its journal, the reverts of it, whether one may start
   * and why not) and, for a revert run, the rows it skipped because they changed since.
   */
  revertInfo: viewProcedure.input(z.object({ id: idSchema })).query(async ({ ctx, input }) => {
    const ops = ctx.services.ops;
    return revertInfoOf(ops.db.pool, ops.registry, await ops.service.get(input.id));
  }),

  /** Starts a revert of an ended run: a run of its own (reason and the phrase REVERT required). */
  revert: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksRevert)
    .input(
      z.object({
        id: idSchema,
        reasonCode: reasonCodeSchema.optional(),
        reasonText: reasonTextSchema.optional(),
        confirmation: z.string().max(100).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { run } = await ctx.services.ops.service.revert({
        runId: input.id,
        reasonCode: input.reasonCode,
        reasonText: input.reasonText,
        confirmation: input.confirmation,
        actor: actorOf(ctx.principal),
        authorize: authorizeFor(ctx.principal),
        breakGlass: ctx.principal.breakGlass,
        ip: ctx.ip,
      });
      return { runId: run.id };
    }),

  /**
   * Every run that changes (id, runbook, status, outcome, processed, updatedAt), in batches, for as
   * long as the caller listens: the console refreshes its catalog, runs table and run pages from
   * it. One poll of ops.runs per daemon feeds every subscriber (runs/run-change-feed.ts).
   */
  onChange: viewProcedure.subscription(async function* ({ ctx, signal }) {
    for await (const changes of ctx.services.ops.service.changes.stream(signal)) yield { changes };
  }),

  /** Snapshots of the run with its progress (processed, total, rate, ETA) until it ends. */
  onUpdate: viewProcedure.input(z.object({ id: idSchema })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    for (;;) {
      const run: RunRecord = await ctx.services.ops.service.get(input.id);
      yield run;
      if (run.status === 'completed' || signal?.aborted) return;
      await sleep(UPDATE_INTERVAL_MS, signal);
    }
  }),
});

function caller(ctx: { principal: Parameters<typeof actorOf>[0]; ip: string | null }) {
  return { actor: actorOf(ctx.principal), authorize: authorizeFor(ctx.principal), ip: ctx.ip };
}
