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
  /** How far the audit hash chain is verified (bounded work per call; docs/audit-chain.md). */
  chain: capabilityProcedure(PLATFORM_CAPABILITIES.opsView).query(async ({ ctx }) => {
    const s = await ctx.services.ops.audit.chainStatus();
    return {
      state: s.state,
      verifiedThrough: s.verifiedThrough,
      headSeq: s.headSeq,
      pending: s.pending,
      broken: s.broken && { seq: s.broken.seq, id: s.broken.id, reason: s.broken.reason },
      checkedAt: s.checkedAt,
    };
  }),
});
