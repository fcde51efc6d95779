import { z } from 'zod';
import { REASON_CODES, REASON_TEXT_MAX, RUN_STATUSES } from '../../runs/index.ts';

// Input schemas shared by several routers. Every procedure input is validated here or beside it.
export const idSchema = z.string().regex(/^\d{1,19}$/, 'must be a run id (digits)');

export const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('tenant'), tenantId: z.number().int().positive() }),
]);

export const reasonCodeSchema = z.enum(REASON_CODES);
export const reasonTextSchema = z
  .string()
  .max(REASON_TEXT_MAX, `must be at most ${REASON_TEXT_MAX} characters`);

export const pageSchema = {
  cursor: idSchema.optional(),
  limit: z.number().int().min(1).max(200).default(50),
};

/** Runbook parameter values; each runbook's own schema validates them in the run service. */
export const paramsSchema = z.record(z.string().max(64), z.unknown()).optional();

export const runStatusSchema = z.enum(RUN_STATUSES);
