/**
 * The kit's time limits on plugin calls, the daemon's OPS_CHUNK_TIMEOUT_MS and
 * OPS_PREFLIGHT_TIMEOUT_MS in small: a plugin call that hangs fails the check within its limit,
 * naming the call, instead of hanging the author's test.
 */
export interface KitTimeLimits {
  /** One nextChunk, applyChunk, tenantsInRange or idBounds call (the daemon's OPS_CHUNK_TIMEOUT_MS). */
  chunkTimeoutMs: number;
  /** One preflight, estimate, hasAffected or countItems call (the daemon's OPS_PREFLIGHT_TIMEOUT_MS). */
  preflightTimeoutMs: number;
  /** The whole of one `run` call, chunks included. The daemon has no such limit; a test needs one. */
  runTimeoutMs: number;
}

/** Shorter than the daemon's defaults (60 s, 120 s): a fixture's chunk takes milliseconds. */
export const DEFAULT_KIT_TIME_LIMITS: KitTimeLimits = {
  chunkTimeoutMs: 10_000,
  preflightTimeoutMs: 30_000,
  runTimeoutMs: 120_000,
};

const SETTING: Record<keyof KitTimeLimits, string> = {
  chunkTimeoutMs:
    "the kit's chunkTimeoutMs; the daemon fails the run the same way after OPS_CHUNK_TIMEOUT_MS",
  preflightTimeoutMs:
    "the kit's preflightTimeoutMs; the daemon fails the call the same way after OPS_PREFLIGHT_TIMEOUT_MS",
  runTimeoutMs: "the kit's runTimeoutMs",
};

/** A plugin call that did not finish within its limit: the message names the call and the limit. */
export class PluginCallTimeoutError extends Error {
  constructor(
    readonly call: string,
    readonly limitMs: number,
    limit: keyof KitTimeLimits,
  ) {
    super(`${call} did not finish within ${limitMs} ms (${SETTING[limit]})`);
    this.name = 'PluginCallTimeoutError';
  }
}

/**
 * Resolves with `call()`, or rejects with PluginCallTimeoutError after `limits[limit]` ms. The call
 * itself cannot be stopped (it is the plugin's promise); `onTimeout` frees what it holds.
 */
export async function withinTimeLimit<T>(
  call: () => Promise<T>,
  what: string,
  limits: KitTimeLimits,
  limit: keyof KitTimeLimits,
  onTimeout?: () => void,
): Promise<T> {
  const ms = limits[limit];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new PluginCallTimeoutError(what, ms, limit));
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(call), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
