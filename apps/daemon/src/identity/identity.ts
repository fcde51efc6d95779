import type { IncomingMessage, ServerResponse } from 'node:http';
import { betterAuth } from 'better-auth';
import { isAPIError } from 'better-auth/api';
import { AuditLog } from '../audit/index.ts';
import type { Database } from '../db/connection.ts';
import { type LineLog, metrics } from '../observability/index.ts';
import { type AccountSummary, demoAccounts, upsertAccount } from './accounts.ts';
import { authHttpHandler } from './auth-http.ts';
import { buildAuthOptions } from './auth-options.ts';
import { openAuthPool } from './auth-pool.ts';
import { BreakGlassStore } from './break-glass.ts';
import { ALL_PLATFORM_CAPABILITIES, type Plane } from './capabilities.ts';
import { LoginThrottle } from './login-throttle.ts';
import type { BreakGlassState, Principal } from './principal.ts';
import { toPrincipal } from './session-principal.ts';
import { SignInGate, signInHooks } from './sign-in-guard.ts';

export interface IdentityOptions {
  db: Database;
  audit: AuditLog;
  /** The daemon's public base URL; its origin is the one trusted for sign-in. */
  baseUrl: string;
  /** Session signing secret (OPS_SECRET). */
  secret: string;
  /** The runbook capabilities known now (the registry may grow as plugins load). */
  runbookCapabilities: () => string[];
  /** How long break-glass lasts; default 30 minutes. */
  breakGlassMinutes?: number;
  /** Secure cookies; default: when `baseUrl` is https. */
  secureCookies?: boolean;
  /** The daemon's log: internal errors (with their id), throttled sign-ins once per window. */
  log?: LineLog;
}

export interface Identity {
  /** Node (req,res) handler for everything under /system/api/auth/* (better-auth, basePath '/system/api/auth'). */
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * The caller of a request, from the session cookie or an `Authorization: Bearer` token; null if
   * anonymous or expired. Effective capabilities include break-glass grants while active. An expired
   * break-glass is closed (audited `breakglass.expired`) when noticed.
   */
  principalFor(headers: Headers): Promise<Principal | null>;
  /**
   * Enters break-glass. Throws NotAllowedError without `platform.breakglass`, InputError naming
   * reasonCode / reasonText, ConflictError while one is already active.
   */
  activateBreakGlass(
    principal: Principal,
    input: { reasonCode: string; reasonText: string },
    ip: string | null,
  ): Promise<BreakGlassState>;
  /** Leaves break-glass; a no-op when none is active. */
  deactivateBreakGlass(principal: Principal, ip: string | null): Promise<void>;
  /**
   * Creates or updates an account (password re-set on update). Throws InputError naming 'email',
   * 'password', 'plane' or 'capability'.
   */
  upsertAccount(input: {
    email: string;
    password: string;
    name?: string;
    plane: Plane;
    capabilities: string[];
  }): Promise<{ id: string; created: boolean }>;
  /** The demo accounts (interfaces.md plus `responder@ops.local`); idempotent. */
  ensureDemoAccounts(password: string): Promise<AccountSummary[]>;
  /** Closes break-glass sessions past expiry (audited `breakglass.expired`); returns how many. */
  expireBreakGlass(): Promise<number>;
  /** Ends better-auth's pool; the daemon's own `db` stays open. */
  close(): Promise<void>;
}

const DEFAULT_BREAK_GLASS_MINUTES = 30;

/** Platform identity: better-auth on the daemon's database, plus throttling and break-glass. */
export async function createIdentity(options: IdentityOptions): Promise<Identity> {
  const minutes = options.breakGlassMinutes ?? DEFAULT_BREAK_GLASS_MINUTES;
  if (!(minutes > 0)) throw new RangeError(`breakGlassMinutes must be positive (got ${minutes})`);
  const pool = openAuthPool(options.db.url);
  const unwatchPool = metrics.watchPool('auth', pool);
  // Sign-in (throttle, its audit) and every request's session lookup (break-glass state) use only
  // this pool, so they never wait behind preflights and runs holding the daemon's pool.
  const throttle = new LoginThrottle(pool);
  const breakGlass = new BreakGlassStore(pool, options.audit, minutes);
  const authAudit = new AuditLog(pool);
  const log = options.log ?? (() => {});
  const auth = betterAuth(
    buildAuthOptions({
      pool,
      baseUrl: options.baseUrl,
      secret: options.secret,
      secureCookies: options.secureCookies,
      hooks: signInHooks({ audit: authAudit }),
      log,
    }),
  );
  await auth.$context; // builds better-auth's context now, so a bad configuration stops start-up
  const handler = authHttpHandler({
    handle: (request) => auth.handler(request),
    signIn: new SignInGate({ throttle, audit: authAudit, log }),
    baseUrl: options.baseUrl,
    log,
  });
  const knownCapabilities = () => [...ALL_PLATFORM_CAPABILITIES, ...options.runbookCapabilities()];

  return {
    handler,

    async principalFor(headers) {
      let session: Awaited<ReturnType<typeof auth.api.getSession>>;
      try {
        session = await auth.api.getSession({ headers });
      } catch (error) {
        if (isAPIError(error)) return null; // a malformed or revoked credential is simply anonymous
        throw error;
      }
      if (session === null) return null;
      const { user } = session;
      const active = user.plane === 'platform' ? await breakGlass.current(user.id, user.email) : null;
      return toPrincipal(user, active, options.runbookCapabilities());
    },

    activateBreakGlass: (principal, input, ip) => breakGlass.activate(principal, input, ip),
    deactivateBreakGlass: (principal, ip) => breakGlass.deactivate(principal, ip),
    expireBreakGlass: () => breakGlass.expireAll(),

    async upsertAccount(input) {
      return upsertAccount(await auth.$context, input, knownCapabilities());
    },

    async ensureDemoAccounts(password) {
      const accounts = demoAccounts(options.runbookCapabilities());
      const ctx = await auth.$context;
      for (const account of accounts) {
        await upsertAccount(ctx, { ...account, password }, knownCapabilities());
      }
      return accounts;
    },

    async close() {
      unwatchPool();
      await pool.end();
    },
  };
}
