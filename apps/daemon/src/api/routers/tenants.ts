import { z } from 'zod';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { searchTenants } from '../../tenants/index.ts';
import { capabilityProcedure, router } from '../trpc.ts';

export const tenantsRouter = router({
  search: capabilityProcedure(PLATFORM_CAPABILITIES.runbooksView)
    .input(z.object({ q: z.string().max(200), limit: z.number().int().min(1).max(50).default(20) }))
    .query(({ ctx, input }) => searchTenants(ctx.services.ops.db.pool, input.q, input.limit)),
});
