import { z } from 'zod';
import {
  destinationNameSchema,
  recipientsSchema,
  smtpUrlSchema,
  webhookUrlSchema,
} from '../../alerts/index.ts';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import type { Principal } from '../../identity/principal.ts';
import { capabilityProcedure, router } from '../trpc.ts';
import { actorOf } from './actor.ts';
import { idSchema } from './schemas.ts';

const manage = capabilityProcedure(PLATFORM_CAPABILITIES.alertsManage);
const destinationId = z.object({ id: idSchema });

const flags = {
  enabled: z.boolean().default(true),
  /** Success notifications are off unless a destination asks for them. */
  notifyOnSuccess: z.boolean().default(false),
};

const createInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('email'),
    name: destinationNameSchema,
    recipients: recipientsSchema,
    smtpUrl: smtpUrlSchema.optional(),
    ...flags,
  }),
  z.object({ kind: z.literal('teams'), name: destinationNameSchema, webhookUrl: webhookUrlSchema, ...flags }),
]);

const updateInput = destinationId.extend({
  name: destinationNameSchema.optional(),
  enabled: z.boolean().optional(),
  notifyOnSuccess: z.boolean().optional(),
  recipients: recipientsSchema.optional(),
  smtpUrl: smtpUrlSchema.nullable().optional(),
  webhookUrl: webhookUrlSchema.optional(),
});

const caller = (ctx: { principal: Principal; ip: string | null }) => ({
  actor: actorOf(ctx.principal),
  ip: ctx.ip,
});

/** Alert destinations (settings → alerts) and the deliveries of a run (run detail). */
export const alertsRouter = router({
  list: manage.query(({ ctx }) => ctx.services.alerts.list()),
  create: manage
    .input(createInput)
    .mutation(({ ctx, input }) => ctx.services.alerts.create(input, caller(ctx))),
  update: manage
    .input(updateInput)
    .mutation(({ ctx, input }) => ctx.services.alerts.update(input, caller(ctx))),
  delete: manage
    .input(destinationId)
    .mutation(({ ctx, input }) => ctx.services.alerts.delete(input.id, caller(ctx))),
  /** "Send test": one attempt now; answers whether the destination accepted it. */
  test: manage
    .input(destinationId)
    .mutation(({ ctx, input }) => ctx.services.alerts.test(input.id, caller(ctx))),
  deliveries: capabilityProcedure(PLATFORM_CAPABILITIES.opsView)
    .input(z.object({ runId: idSchema }))
    .query(({ ctx, input }) => ctx.services.alerts.deliveriesForRun(input.runId)),
});
