import { CSV_INPUT_CEILINGS } from '@ops/runbook-sdk';
import { z } from 'zod';
import { REASON_CODES, REASON_TEXT_MAX, RUN_STATUSES } from '../../runs/index.ts';

// Input schemas shared by several routers. Every procedure input is validated here or beside it,
// to what PostgreSQL accepts: ids within bigint, numbers bounded (limits) or safe integers, strings
// of bounded length. NUL characters, which no PostgreSQL text or jsonb value may hold, are refused
// for the whole input in one place before these schemas run (input-guard.ts).

/** The largest bigint (int8): every id column is one. */
export const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** Any row id: a decimal string within bigint, so it never overflows the column it is compared to. */
export const idSchema = z
  .string()
  .regex(/^\d{1,19}$/, 'must be an id (decimal digits)')
  // zod runs every check even after the pattern failed: only digits may reach BigInt, which throws
  // (a SyntaxError in library words, without the field) on anything else.
  .refine(
    (value) => !/^\d{1,19}$/.test(value) || BigInt(value) <= BIGINT_MAX,
    `must be an id of at most ${BIGINT_MAX}`,
  );

/** A runbook id as plugins declare them; the registry decides whether it exists. */
export const runbookIdSchema = z.string().min(1, 'is required').max(200);

export const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  // A safe integer is within bigint, the tenants' id column.
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

/** A sortable, pageable list: `cursor` (the page after) or `before` (the page before) a row's id. */
export function sortedPageSchema<const K extends readonly [string, ...string[]]>(sortKeys: K) {
  return {
    ...pageSchema,
    before: idSchema.optional(),
    sort: z.enum(sortKeys, { error: `must be one of ${sortKeys.join(', ')}` }).optional(),
    direction: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
  };
}

/** Part of an actor's label to filter by (any case). */
export const actorFilterSchema = z.string().max(200, 'must be at most 200 characters');

/** Runbook parameter values; each runbook's own schema validates them in the run service. */
/**
 * A run's uploaded file: its name and its text. Refused here above the largest file any runbook
 * may take, before the runbook's own byte limit (checked before parsing) and its CSV rules.
 */
export const runInputSchema = z.object({
  fileName: z.string().min(1, 'is required').max(255, 'must be at most 255 characters'),
  text: z
    .string()
    .max(CSV_INPUT_CEILINGS.maxBytes, `must be at most ${CSV_INPUT_CEILINGS.maxBytes / 1024 / 1024} MB`),
});

export const paramValuesSchema = z.record(z.string().max(64), z.unknown());
export const paramsSchema = paramValuesSchema.optional();

export const runStatusSchema = z.enum(RUN_STATUSES);

/**
 * What an operator confirms to start a run, the same whether it starts now (runbooks.run) or is
 * first sent for approval (approvals.request): one shape, so the two can never drift apart.
 */
export const runStartSchema = z.object({
  runbookId: runbookIdSchema,
  scope: scopeSchema,
  reasonCode: reasonCodeSchema.optional(),
  reasonText: reasonTextSchema.optional(),
  confirmation: z.string().max(100).optional(),
  preflightAffectedCount: z.number().int().min(0),
  /** Set when the operator confirmed the estimate: its 95% margin (0 or absent: an exact count). */
  preflightMargin: z.number().int().min(0).optional(),
  params: paramsSchema,
  /** A CSV-input runbook's file: validated before anything is recorded. */
  input: runInputSchema.optional(),
});
