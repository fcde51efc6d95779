import { z } from 'zod';
import { AUDIT_SORT_KEY_NAMES, type AuditSortKey } from '../../audit/index.ts';
import { PLATFORM_CAPABILITIES } from '../../identity/capabilities.ts';
import { capabilityProcedure, router } from '../trpc.ts';
import { actorFilterSchema, idSchema, runbookIdSchema, sortedPageSchema } from './schemas.ts';

export const auditRouter = router({
  list: capabilityProcedure(PLATFORM_CAPABILITIES.opsView)
    .input(
      z
        .object({
          ...sortedPageSchema(AUDIT_SORT_KEY_NAMES as [AuditSortKey, ...AuditSortKey[]]),
          action: z.string().max(100).optional(),
          runId: idSchema.optional(),
          runbookId: runbookIdSchema.optional(),
          actor: actorFilterSchema.optional(),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => ctx.services.ops.audit.list(input)),
});
