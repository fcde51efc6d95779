import { initTRPC, TRPCError } from '@trpc/server';
import { isConnectionError } from '../db/connection.ts';
import { DatabaseUnavailableError, NotAllowedError, OpsError } from '../errors.ts';
import { hasCapability, type Principal } from '../identity/principal.ts';
import { errorIdOf, INTERNAL_ERROR_MESSAGE } from '../internal-errors.ts';
import type { ApiContext } from './context.ts';
import { batchLimitOf, fieldOf, toTRPCError } from './errors.ts';
import { refuseNulBytes } from './input-guard.ts';

// The only tRPC instance. Procedures are built from the bases exported here, so access rules are
// enforced in one place, not per procedure by hand.
const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const named = error.code === 'BAD_REQUEST' ? (fieldOf(error.cause) ?? batchLimitOf(error)) : null;
    // An internal error says only its id; the HTTP layer logs the detail under the same id.
    const errorId = error.code === 'INTERNAL_SERVER_ERROR' ? errorIdOf(error) : null;
    return {
      ...shape,
      message:
        errorId !== null ? `${INTERNAL_ERROR_MESSAGE} (id ${errorId})` : (named?.message ?? shape.message),
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        errorId,
        field: named?.field ?? null,
        holder:
          error.cause instanceof OpsError && 'holder' in error.cause ? (error.cause.holder ?? null) : null,
        capability:
          error.cause instanceof OpsError && 'capability' in error.cause ? error.cause.capability : null,
      },
    };
  },
  sse: { ping: { enabled: true, intervalMs: 5_000 }, client: { reconnectAfterInactivityMs: 15_000 } },
});

export const router = t.router;

/** Business errors thrown anywhere below become their tRPC code here. */
const translateErrors = t.middleware(async function translateErrors({ next }) {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') {
    if (result.error.cause instanceof OpsError) throw toTRPCError(result.error.cause);
    // A dropped or refused database connection is the database's state, not a bug: 503, in words.
    if (isConnectionError(result.error.cause)) {
      throw toTRPCError(
        new DatabaseUnavailableError('the database connection was lost; try again in a moment', {
          cause: result.error.cause,
        }),
      );
    }
  }
  return result;
});

/** No string of any input may hold a NUL character (400 naming the field), checked before zod. */
const refuseNulInput = t.middleware(async function refuseNulInput({ getRawInput, next }) {
  refuseNulBytes(await getRawInput());
  return next();
});

export const publicProcedure = t.procedure.use(translateErrors).use(refuseNulInput);

/**
 * A platform operator's call. Anonymous → UNAUTHORIZED; a tenant-plane account → NOT_FOUND, as if
 * nothing were here (the HTTP guard answers these before tRPC; this covers direct calls too).
 */
export const platformProcedure = publicProcedure.use(function requirePlatformPrincipal({ ctx, next }) {
  if (!ctx.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  if (ctx.principal.plane !== 'platform') throw new TRPCError({ code: 'NOT_FOUND', message: 'Not Found' });
  return next({ ctx: { ...ctx, principal: ctx.principal as Principal } });
});

/** A platform call that needs `capability`; without it → FORBIDDEN naming the capability. */
export function capabilityProcedure(capability: string) {
  return platformProcedure.use(function requireCapability({ ctx, next }) {
    if (!hasCapability(ctx.principal, capability)) throw new NotAllowedError(capability);
    return next();
  });
}

/** The principal's capability check, handed to the run service as its hook. */
export const authorizeFor = (principal: Principal) => (capability: string) =>
  hasCapability(principal, capability);
