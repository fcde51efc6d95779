import { createAuthMiddleware, isAPIError } from 'better-auth/api';
import type { AuditLog } from '../audit/index.ts';
import { type LineLog, metrics } from '../observability/index.ts';
import { clientIpOf } from './client-ip.ts';
import { emailKey, type LoginThrottle } from './login-throttle.ts';
import { OncePerWindow } from './once-per-window.ts';

const SIGN_IN_PATH = '/sign-in/email';

// What a sign-in body may hold: an e-mail within RFC 5321's 254 characters and a password within
// better-auth's 128 (accounts.ts makes no account outside them), neither with a NUL character.
const EMAIL_MAX = 254;
const PASSWORD_MAX = 128;

/** What the guard needs: the shared throttle, the audit log and the daemon's log. */
export interface SignInGuardDeps {
  throttle: LoginThrottle;
  audit: AuditLog;
  log?: LineLog;
}

export interface InputProblem {
  field: string;
  message: string;
}

/** Why a parsed sign-in body cannot be a sign-in, or null when better-auth may check it. */
export function signInInputProblem(body: unknown): InputProblem | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { field: 'body', message: 'body: must be a JSON object with email and password' };
  }
  const fields = body as Record<string, unknown>;
  for (const [field, max] of [
    ['email', EMAIL_MAX],
    ['password', PASSWORD_MAX],
  ] as const) {
    const value = fields[field];
    if (typeof value !== 'string') return { field, message: `${field}: is required (a string)` };
    if (value.length > max) return { field, message: `${field}: must be at most ${max} characters` };
    if (value.includes('\u0000')) return { field, message: `${field}: must not contain NUL characters` };
  }
  return null;
}

/** The body as better-auth would read it (JSON or a form); undefined when it is neither. */
export function parseSignInBody(raw: Uint8Array | null, contentType: string | null): unknown {
  const text = raw === null ? '' : new TextDecoder().decode(raw);
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function attemptedEmail(body: unknown): string {
  const email = (body as { email?: unknown } | null | undefined)?.email;
  return typeof email === 'string' ? emailKey(email) : '';
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

/**
 * Every `POST /sign-in/email`, before better-auth sees it. Each attempt counts per (client IP,
 * e-mail), whatever its body: the 11th within the window is refused with 429 (audited
 * `auth.sign_in_throttled`; logged once per key and window, not per attempt). A body that cannot be
 * a sign-in (not JSON, no e-mail, too long, a NUL character) is refused with 400 naming the field
 * and audited `auth.sign_in_failed`, like a wrong password: better-auth's own parser would refuse
 * it before any hook could count or audit it. The password is never read into a log or an audit.
 */
export class SignInGate {
  private readonly throttleLogged = new OncePerWindow();

  constructor(private readonly deps: SignInGuardDeps) {}

  /** A response refusing the attempt, or null to let better-auth check the password. */
  async screen(raw: Uint8Array | null, headers: Headers): Promise<Response | null> {
    const ip = clientIpOf(headers);
    const body = parseSignInBody(raw, headers.get('content-type'));
    const email = attemptedEmail(body);
    const decision = await this.deps.throttle.attempt(ip, email);
    if (!decision.allowed) {
      metrics.safely(() => metrics.loginThrottled.inc());
      if (this.throttleLogged.take(`${ip}\n${email}`, decision.retryAfterSeconds * 1000)) {
        this.deps.log?.(
          `sign-in throttled for ${JSON.stringify(email)} from ${ip ?? 'an unknown address'}: ` +
            `further attempts are refused for ${decision.retryAfterSeconds} s, and not logged`,
          {
            event: 'auth.sign_in_throttled',
            level: 'warn',
            ip: ip ?? null,
            retry_after_seconds: decision.retryAfterSeconds,
          },
        );
      }
      await this.deps.audit.record({
        action: 'auth.sign_in_throttled',
        actorLabel: 'anonymous',
        ip,
        outcome: 'refused',
        details: { email, retryAfterSeconds: decision.retryAfterSeconds },
      });
      return jsonResponse(
        429,
        { code: 'TOO_MANY_SIGN_IN_ATTEMPTS', message: 'too many sign-in attempts; try again later' },
        { 'retry-after': String(decision.retryAfterSeconds) },
      );
    }
    const problem = signInInputProblem(body);
    if (problem === null) return null;
    await this.deps.audit.record({
      action: 'auth.sign_in_failed',
      actorLabel: 'anonymous',
      ip,
      outcome: 'refused',
      details: { email, status: 400, code: 'INVALID_INPUT', field: problem.field },
    });
    return jsonResponse(400, { code: 'BAD_REQUEST', message: problem.message, field: problem.field });
  }
}

/**
 * better-auth's after hook on `POST /sign-in/email`: every refusal of the endpoint itself (401 for a
 * wrong password or unknown e-mail, 400 for what it validates) is audited `auth.sign_in_failed`
 * with the e-mail and IP.
 */
export function signInHooks(deps: Pick<SignInGuardDeps, 'audit'>) {
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
  return { after };
}
