import { platformProcedure, router } from '../trpc.ts';

export const meRouter = router({
  get: platformProcedure.query(({ ctx }) => {
    const p = ctx.principal;
    return {
      user: { id: p.userId, email: p.email, name: p.name },
      capabilities: p.capabilities,
      breakGlass: p.breakGlass
        ? {
            reasonCode: p.breakGlass.reasonCode,
            reasonText: p.breakGlass.reasonText,
            expiresAt: p.breakGlass.expiresAt,
          }
        : null,
    };
  }),
});
