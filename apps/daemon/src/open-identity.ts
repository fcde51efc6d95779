import { createIdentity, type Identity } from './identity/index.ts';
import type { LineLog } from './observability/index.ts';
import type { Ops } from './ops.ts';
import { sessionSecret } from './secret.ts';

/**
 * The identity store on this daemon's database, configured once for `serve` and for the account
 * commands. Kept out of ops.ts so `exec` never loads the auth code.
 */
export function openIdentity(ops: Ops, baseUrl: string, log?: LineLog): Promise<Identity> {
  const { config } = ops;
  return createIdentity({
    db: ops.db,
    audit: ops.audit,
    baseUrl,
    secret: sessionSecret(config.secret, config.dataDir),
    runbookCapabilities: () => ops.service.catalog().map((r) => r.capability),
    breakGlassMinutes: config.breakGlassMinutes,
    secureCookies: baseUrl.startsWith('https://'),
    log,
  });
}
