import { z } from 'zod';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { capabilityProcedure, router } from '../trpc.ts';
import { idSchema, pageSchema } from './schemas.ts';

export const auditRouter = router({
  list: capabilityProcedure(PLATFORM_CAPABILITIES.opsView)
    .input(
      z
        .object({ ...pageSchema, action: z.string().max(100).optional(), runId: idSchema.optional() })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => ctx.services.ops.audit.list(input)),
});
