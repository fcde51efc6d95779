import { z } from 'zod';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { capabilityProcedure, router } from '../trpc.ts';
import { reasonCodeSchema, reasonTextSchema } from './schemas.ts';

const breakGlassProcedure = capabilityProcedure(PLATFORM_CAPABILITIES.breakGlass);

export const breakGlassRouter = router({
  activate: breakGlassProcedure
    .input(z.object({ reasonCode: reasonCodeSchema, reasonText: reasonTextSchema.min(1, 'is required') }))
    .mutation(async ({ ctx, input }) => {
      const state = await ctx.services.identity.activateBreakGlass(ctx.principal, input, ctx.ip);
      return { reasonCode: state.reasonCode, reasonText: state.reasonText, expiresAt: state.expiresAt };
    }),
  deactivate: breakGlassProcedure.input(z.object({}).optional()).mutation(async ({ ctx }) => {
    await ctx.services.identity.deactivateBreakGlass(ctx.principal, ctx.ip);
    return null;
  }),
});
