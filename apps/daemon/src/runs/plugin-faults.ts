import { OpsError } from '../errors.ts';

/**
 * A plugin broke the contract while running: it hung, or returned something malformed. The run
 * ends `failed` with this as the reason; it is never retried or isolated per tenant, because the
 * plugin, not a tenant's data, is at fault.
 */
export class PluginFaultError extends OpsError {}

/**
 * Rejects with PluginFaultError when `work` takes longer than `ms`: a plugin hung in JavaScript.
 * It waits a grace second more, so a hung statement is reported by statement_timeout first.
 */
export async function withinChunkTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(chunkTimeout(ms, what)), ms + GRACE_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const GRACE_MS = 1000;

export function chunkTimeout(ms: number, what: string): PluginFaultError {
  return new PluginFaultError(`chunk ${what} did not finish within ${ms} ms (OPS_CHUNK_TIMEOUT_MS)`);
}

const QUERY_CANCELED = '57014'; // raised by our statement_timeout on the chunk transaction

export function isStatementTimeout(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === QUERY_CANCELED;
}

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

/** nextChunk must answer null or `{ lastId: bigint string, items: positive integer }`. */
export function checkNextChunk<T>(next: T): T {
  if (next === null) return next;
  const n = next as { lastId?: unknown; items?: unknown } | undefined;
  if (
    !n ||
    typeof n.lastId !== 'string' ||
    !/^-?\d+$/.test(n.lastId) ||
    !Number.isInteger(n.items) ||
    (n.items as number) < 1
  ) {
    throw new PluginFaultError(
      `nextChunk returned a malformed result: ${show(next)} (want null or { lastId: "123", items: 100 })`,
    );
  }
  return next;
}

/** applyChunk must answer `{ updated: non-negative integer }`. */
export function checkApplied<T extends { updated: number }>(applied: T): T {
  const updated = (applied as { updated?: unknown } | undefined)?.updated;
  if (!Number.isInteger(updated) || (updated as number) < 0) {
    throw new PluginFaultError(
      `applyChunk returned a malformed result: ${show(applied)} (want { updated: 0 })`,
    );
  }
  return applied;
}

/** run must answer an object of summary counts. */
export function checkRunResult(result: unknown): Record<string, unknown> {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new PluginFaultError(
      `run returned a malformed result: ${show(result)} (want an object of summary counts)`,
    );
  }
  return result as Record<string, unknown>;
}
