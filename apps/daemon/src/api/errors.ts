import { TRPCError } from '@trpc/server';
import {
  ApprovalRequiredError,
  BusyError,
  ConflictError,
  DatabaseUnavailableError,
  InputError,
  NotAllowedError,
  NotFoundError,
  NothingToDoError,
  type OpsError,
} from '../errors.ts';
import { PluginFaultError } from '../runs/plugin-faults.ts';
import { API_MAX_BATCH_SIZE } from './query-limits.ts';

/** The one translation of business errors to tRPC (and so HTTP) codes. */
export function toTRPCError(error: OpsError): TRPCError {
  const code: TRPCError['code'] =
    error instanceof InputError
      ? 'BAD_REQUEST'
      : error instanceof NotFoundError
        ? 'NOT_FOUND'
        : error instanceof NotAllowedError
          ? 'FORBIDDEN'
          : error instanceof ConflictError
            ? 'CONFLICT'
            : error instanceof NothingToDoError || error instanceof ApprovalRequiredError
              ? 'PRECONDITION_FAILED'
              : error instanceof DatabaseUnavailableError
                ? 'SERVICE_UNAVAILABLE'
                : error instanceof BusyError
                  ? 'TOO_MANY_REQUESTS'
                  : error instanceof PluginFaultError
                    ? 'BAD_GATEWAY' // the runbook's code failed (timed out, crashed): its words, not an error id
                    : 'INTERNAL_SERVER_ERROR';
  return new TRPCError({ code, message: error.message, cause: error });
}

interface Issue {
  path?: readonly PropertyKey[] | readonly { key: PropertyKey }[];
  message: string;
}

/** The field a client should point at: from an InputError, or the first failing input path. */
export function fieldOf(cause: unknown): { field: string; message: string } | null {
  if (cause instanceof InputError) return { field: cause.field, message: cause.message };
  const issues = (cause as { issues?: Issue[] } | null)?.issues;
  const first = Array.isArray(issues) ? issues[0] : undefined;
  if (!first) return null;
  const field = (first.path ?? [])
    .map((p) => (typeof p === 'object' && p !== null && 'key' in p ? String(p.key) : String(p)))
    .join('.');
  return { field: field || 'input', message: `${field || 'input'}: ${first.message}` };
}

// tRPC's own words when a batch exceeds maxBatchSize (resolveResponse); they name no limit.
const BATCH_TOO_LARGE = 'Batch call exceeds maximum size';

/** The refusal of an oversized batch, naming the limit, or null for any other error. */
export function batchLimitOf(error: { message: string }): { field: string; message: string } | null {
  return error.message === BATCH_TOO_LARGE
    ? {
        field: 'batch',
        message: `batch: at most ${API_MAX_BATCH_SIZE} calls in one request; send the others in another request`,
      }
    : null;
}
