import type { OpsConfig } from '../../config.ts';
import { createIdentity, type Identity } from '../../identity/index.ts';
import type { Ops } from '../../ops.ts';
import { sessionSecret } from '../../secret.ts';

/** The identity store for commands that manage accounts (no HTTP involved); closed with the command. */
export async function withIdentity<T>(ops: Ops, fn: (identity: Identity) => Promise<T>): Promise<T> {
  const identity = await identityFor(ops, ops.config);
  try {
    return await fn(identity);
  } finally {
    await identity.close();
  }
}

function identityFor(ops: Ops, config: OpsConfig, baseUrl?: string): Promise<Identity> {
  return createIdentity({
    db: ops.db,
    audit: ops.audit,
    baseUrl: baseUrl ?? config.publicUrl ?? `http://${config.host}:${config.port}`,
    secret: sessionSecret(config.secret, config.dataDir),
    runbookCapabilities: () => ops.service.catalog().map((r) => r.capability),
    breakGlassMinutes: config.breakGlassMinutes,
  });
}
