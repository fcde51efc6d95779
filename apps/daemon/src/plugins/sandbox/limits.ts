/** What a plugin's code may use, from OPS_CHUNK_TIMEOUT_MS, OPS_PREFLIGHT_TIMEOUT_MS, OPS_PLUGIN_MEMORY_MB. */
export interface SandboxLimits {
  /** One call of the chunked work (nextChunk, applyChunk, tenantsInRange, idBounds). */
  chunkTimeoutMs: number;
  /** One preflight, estimate, existence check or item count, and loading the module. */
  preflightTimeoutMs: number;
  /** The old-generation heap of each plugin worker. */
  memoryMb: number;
  /** One lifecycle hook (afterComplete, afterError); OPS_HOOK_TIMEOUT_MS. */
  hookTimeoutMs?: number;
}

/** A lifecycle hook's time limit when OPS_HOOK_TIMEOUT_MS is not set. */
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  chunkTimeoutMs: 60_000,
  preflightTimeoutMs: 120_000,
  memoryMb: 256,
};

/**
 * After a run is asked to stop (pause, cancel, daemon shutdown), how long its worker may go without
 * answering, or without ending its run while it waits on nothing of the daemon's, before it is
 * stopped. Short, so SIGTERM ends a daemon whose plugin spins within seconds.
 */
export const STOP_GRACE_MS = 3_000;

/**
 * How long importing a plugin may take. Not the preflight limit: a daemon starts all its plugins'
 * workers at once, and on a busy machine that takes seconds; a module that spins at import is
 * still stopped.
 */
export const LOAD_TIMEOUT_MS = 60_000;

/** How often a busy run's worker is asked whether its event loop still turns. */
export const LIVENESS_EVERY_MS = 1_000;

/** How long `lockRequests` (synchronous in the contract) may block the daemon before it is a fault. */
export const SYNC_CALL_MS = 2_000;

/** Idle workers kept loaded per plugin, so a preflight or run does not wait for a worker to start. */
export const IDLE_WORKERS = 1;

/** "1500 ms", "30 s": how a limit reads in a message. */
export function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
