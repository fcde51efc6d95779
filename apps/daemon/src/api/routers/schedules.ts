import { z } from 'zod';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import type { Principal } from '../../identity/principal.ts';
import { cronSchema, SCHEDULE_MODES, timeZoneSchema } from '../../schedules/index.ts';
import { authorizeFor, capabilityProcedure, router } from '../trpc.ts';
import { actorOf } from './actor.ts';
import {
  idSchema,
  paramValuesSchema,
  reasonCodeSchema,
  reasonTextSchema,
  runbookIdSchema,
  scopeSchema,
} from './schemas.ts';

const manage = capabilityProcedure(PLATFORM_CAPABILITIES.schedulesManage);
const view = capabilityProcedure(PLATFORM_CAPABILITIES.opsView);
const scheduleId = z.object({ id: idSchema });

const fields = {
  name: z.string().trim().min(1, 'must not be empty').max(100),
  cron: cronSchema,
  timezone: timeZoneSchema,
  runbookId: runbookIdSchema,
  scope: scopeSchema,
  params: paramValuesSchema,
  mode: z.enum(SCHEDULE_MODES),
  reasonCode: reasonCodeSchema.nullable().optional(),
  reasonText: reasonTextSchema.nullable().optional(),
  enabled: z.boolean(),
  confirmation: z.string().max(100).optional(),
};

const createInput = z.object({
  ...fields,
  timezone: fields.timezone.default('UTC'),
  params: fields.params.default({}),
  enabled: fields.enabled.default(true),
});

const updateInput = scheduleId.extend({
  name: fields.name.optional(),
  cron: fields.cron.optional(),
  timezone: fields.timezone.optional(),
  runbookId: fields.runbookId.optional(),
  scope: fields.scope.optional(),
  params: fields.params.optional(),
  mode: fields.mode.optional(),
  reasonCode: fields.reasonCode,
  reasonText: fields.reasonText,
  enabled: fields.enabled.optional(),
  confirmation: fields.confirmation,
});

const caller = (ctx: { principal: Principal; ip: string | null }) => ({
  actor: actorOf(ctx.principal),
  authorize: authorizeFor(ctx.principal),
  ip: ctx.ip,
});

/** Cron schedules (ops → schedules): preflight checks that alert on drift, or unattended runs. */
export const schedulesRouter = router({
  list: view.query(({ ctx }) => ctx.services.schedules.list()),
  occurrences: view
    .input(scheduleId.extend({ limit: z.number().int().min(1).max(200).default(20) }))
    .query(({ ctx, input }) => ctx.services.schedules.occurrences(input.id, input.limit)),
  create: manage
    .input(createInput)
    .mutation(({ ctx, input }) => ctx.services.schedules.create(input, caller(ctx))),
  update: manage
    .input(updateInput)
    .mutation(({ ctx, input }) => ctx.services.schedules.update(input, caller(ctx))),
  delete: manage
    .input(scheduleId)
    .mutation(({ ctx, input }) => ctx.services.schedules.delete(input.id, caller(ctx))),
  /** The next fire times of an expression in a zone, for the form as the operator types. */
  preview: manage
    .input(
      z.object({
        cron: cronSchema,
        timezone: timeZoneSchema.default('UTC'),
        count: z.number().int().min(1).max(20).default(5),
      }),
    )
    .query(({ ctx, input }) => ({
      nextFireTimes: ctx.services.schedules.preview(input.cron, input.timezone, input.count),
    })),
});
