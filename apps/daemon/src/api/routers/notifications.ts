import { z } from 'zod';
import { platformProcedure, router } from '../trpc.ts';
import { idSchema } from './schemas.ts';

export const notificationsRouter = router({
  list: platformProcedure
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(100).default(20),
          unreadOnly: z.boolean().default(false),
        })
        .default({ limit: 20, unreadOnly: false }),
    )
    .query(({ ctx, input }) => ctx.services.notifications.list(ctx.principal.userId, input)),
  markRead: platformProcedure
    .input(z.object({ ids: z.array(idSchema).max(500).optional() }))
    .mutation(async ({ ctx, input }) => ({
      marked: await ctx.services.notifications.markRead(ctx.principal.userId, input.ids ?? null),
    })),
});
