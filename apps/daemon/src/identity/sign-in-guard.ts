import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import type { AuditLog } from '../audit/index.ts';
import { clientIpOf } from './client-ip.ts';
import { emailKey, type LoginThrottle } from './login-throttle.ts';

const SIGN_IN_PATH = '/sign-in/email';

/** What the guard needs: the shared throttle and the audit log. */
export interface SignInGuardDeps {
  throttle: LoginThrottle;
  audit: AuditLog;
}

function attemptedEmail(body: unknown): string {
  const email = (body as { email?: unknown } | null | undefined)?.email;
  return typeof email === 'string' ? emailKey(email) : '';
}

/**
 * better-auth hooks around `POST /sign-in/email`:
 * - before: counts the attempt per (client IP, e-mail) and refuses the 11th within the window with
 *   429 TOO_MANY_REQUESTS (audited `auth.sign_in_throttled`); a refused request never reaches the
 *   password check, and after-hooks do not run for it.
 * - after: every refusal of the endpoint (401 for a wrong password or unknown e-mail, 400 for a
 *   malformed body) is audited `auth.sign_in_failed` with the e-mail and IP. The body's password is
 *   never read here, so it cannot reach the log.
 */
export function signInHooks(deps: SignInGuardDeps) {
  const before = createAuthMiddleware(async (ctx) => {
    if (ctx.path !== SIGN_IN_PATH) return;
    const ip = clientIpOf(ctx.headers);
    const email = attemptedEmail(ctx.body);
    const decision = await deps.throttle.attempt(ip, email);
    if (decision.allowed) return;
    await deps.audit.record({
      action: 'auth.sign_in_throttled',
      actorLabel: 'anonymous',
      ip,
      outcome: 'refused',
      details: { email, retryAfterSeconds: decision.retryAfterSeconds },
    });
    throw new APIError(
      'TOO_MANY_REQUESTS',
      { code: 'TOO_MANY_SIGN_IN_ATTEMPTS', message: 'too many sign-in attempts; try again later' },
      { 'Retry-After': String(decision.retryAfterSeconds) },
    );
  });

  const after = createAuthMiddleware(async (ctx) => {
    if (ctx.path !== SIGN_IN_PATH) return;
    const returned: unknown = ctx.context.returned;
    if (!isAPIError(returned)) return;
    await deps.audit.record({
      action: 'auth.sign_in_failed',
      actorLabel: 'anonymous',
      ip: clientIpOf(ctx.headers),
      outcome: 'refused',
      details: {
        email: attemptedEmail(ctx.body),
        status: returned.statusCode,
        code: returned.body?.code ?? null,
      },
    });
  });

  return { before, after };
}
