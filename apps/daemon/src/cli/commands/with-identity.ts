import type { Identity } from '../../identity/index.ts';
import { openIdentity } from '../../open-identity.ts';
import type { Ops } from '../../ops.ts';

/** The identity store for commands that manage accounts (no HTTP involved); closed with the command. */
export async function withIdentity<T>(ops: Ops, fn: (identity: Identity) => Promise<T>): Promise<T> {
  const { config } = ops;
  const identity = await openIdentity(ops, config.publicUrl ?? `http://${config.host}:${config.port}`);
  try {
    return await fn(identity);
  } finally {
    await identity.close();
  }
}
