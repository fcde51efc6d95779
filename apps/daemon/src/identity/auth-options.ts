import type { BetterAuthOptions } from 'better-auth';
import type { AuthMiddleware } from 'better-auth/api';
import { bearer } from 'better-auth/plugins';
import type pg from 'pg';

/** Where better-auth is mounted; the HTTP server routes everything under it to `Identity.handler`. */
export const AUTH_BASE_PATH = '/system/api/auth';
/** The `/system` plane's own cookie names: `ops_system.session_token` (interfaces.md). */
export const COOKIE_PREFIX = 'ops_system';
/** The only header better-auth reads the client IP from; `withClientIpHeader` owns it. */
export const CLIENT_IP_HEADER = 'x-ops-client-ip';
/** better-auth's tables live beside ours, so one backup and one migration history cover both. */
export const AUTH_SCHEMA = 'ops';

// Sessions of a privileged console should not outlive a working day.
const SESSION_SECONDS = 12 * 60 * 60;
const SESSION_REFRESH_SECONDS = 60 * 60;

// Accounts are made server-side (`upsertAccount`), so every self-service endpoint that could create,
// rename or delete one is switched off; they answer 404.
const DISABLED_PATHS = [
  '/sign-up/email',
  '/update-user',
  '/delete-user',
  '/change-email',
  '/request-password-reset',
  '/reset-password',
  '/send-verification-email',
  '/verify-email',
];

export interface AuthOptionsInput {
  /** A pool whose connections use `search_path=ops` (see `openAuthPool`). */
  pool: pg.Pool;
  baseUrl: string;
  secret: string;
  secureCookies?: boolean;
  hooks?: { before?: AuthMiddleware; after?: AuthMiddleware };
  /** Where better-auth's own error lines go (the daemon's log); default: nowhere. */
  log?: (message: string) => void;
}

/**
 * better-auth's options, built without side effects so the schema test (and anything else that only
 * needs the table layout) can call it. `input: false` keeps plane and capabilities out of every
 * client-supplied body.
 */
export function buildAuthOptions(input: AuthOptionsInput) {
  const secure = input.secureCookies ?? input.baseUrl.startsWith('https:');
  return {
    appName: 'ops-runbooks',
    baseURL: input.baseUrl,
    basePath: AUTH_BASE_PATH,
    secret: input.secret,
    database: input.pool,
    trustedOrigins: [new URL(input.baseUrl).origin],
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 8 },
    disabledPaths: DISABLED_PATHS,
    user: {
      additionalFields: {
        plane: { type: 'string', required: true, defaultValue: 'platform', input: false },
        capabilities: { type: 'string[]', required: true, defaultValue: [], input: false },
      },
    },
    session: { expiresIn: SESSION_SECONDS, updateAge: SESSION_REFRESH_SECONDS },
    // Its limiter keys by IP and path only; ours (login-throttle.ts) keys by IP and e-mail in PostgreSQL.
    rateLimit: { enabled: false },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', path: '/system', secure },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // Left unset, both checks are skipped whenever NODE_ENV=test or TEST is set: explicit, so the
      // Origin/CSRF checks tests exercise are the ones production runs.
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
    hooks: input.hooks ?? {},
    plugins: [bearer()],
    // Failed sign-ins are audited by us; its own warnings would only repeat them. Its error lines
    // (a refused origin, …) go to the daemon's log, never to stderr at request rate.
    logger: {
      level: 'error',
      log: (level: string, message: string) => input.log?.(`auth ${level}: ${message}`),
    },
    // What it cannot answer is thrown to our HTTP adapter (auth-http.ts), which answers with an error
    // id and logs the detail: no PostgreSQL text reaches a client, nothing is printed per request.
    onAPIError: { throw: true },
    telemetry: { enabled: false },
  } satisfies BetterAuthOptions;
}

export type AuthOptions = ReturnType<typeof buildAuthOptions>;
