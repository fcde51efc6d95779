import type { ChunkedResult, ChunkRange, ChunkSelection, KeysetWork, TenantRef } from '@ops/runbook-sdk';
import type pg from 'pg';
import { isConnectionError, sqlExecutor } from '../db/connection.ts';
import type { RunFailure, RunProgress } from './run-record.ts';
import { errorClassOf, isTransientError } from './transient-errors.ts';

export interface ChunkDriverOptions {
  pool: pg.Pool;
  chunkSize: number;
  signal: AbortSignal;
  /** Where a resumed run starts, and how far it had got. */
  resume: { cursor: string | null; processed: number; updated: number; failedTenantIds: number[] };
  /** Called after every chunk; the run's checkpoint is `progress.cursor`. */
  onChunk(progress: RunProgress): Promise<void>;
  onFailure(failure: RunFailure): Promise<void>;
  maxAttempts?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `write` in one short transaction, retrying transient errors (deadlock, serialization,
 * lock timeout, connection reset) with backoff. A broken connection is discarded, not reused.
 */
async function inTransaction(
  pool: pg.Pool,
  maxAttempts: number,
  write: (tx: pg.PoolClient) => Promise<number>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // Never queue for long behind an application's row lock: time out and retry instead.
      await client.query("SET LOCAL lock_timeout = '5s'");
      const result = await write(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => {});
      if (attempt >= maxAttempts || !isTransientError(error)) throw error;
    } finally {
      client.release(broken && isConnectionError(broken) ? broken : undefined);
    }
    await sleep(50 * 2 ** attempt);
  }
}

async function withRetry<T>(maxAttempts: number, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= maxAttempts || !isTransientError(error)) throw error;
      await sleep(50 * 2 ** attempt);
    }
  }
}

/**
 * Drives keyset chunks to the end, or until `signal` aborts (after the current chunk). A chunk
 * that fails for good is retried tenant by tenant, so one tenant's bad rows cannot stop the others;
 * a failed tenant is left out of the rest of the run and reported once.
 */
export async function driveKeysetWork(work: KeysetWork, options: ChunkDriverOptions): Promise<ChunkedResult> {
  const { pool, signal, chunkSize } = options;
  const maxAttempts = options.maxAttempts ?? 4;
  const db = sqlExecutor(pool);
  const failed = new Set<number>(options.resume.failedTenantIds);
  const total = await withRetry(maxAttempts, () => work.countItems(db));
  let cursor = options.resume.cursor;
  let processed = options.resume.processed;
  let updated = options.resume.updated;
  const startedAt = Date.now();
  const processedAtStart = processed;

  const apply = (selection: ChunkSelection) =>
    inTransaction(
      pool,
      maxAttempts,
      async (tx) => (await work.applyChunk(sqlExecutor(tx), selection)).updated,
    );

  const isolate = async (range: ChunkRange, chunkError: unknown) => {
    const tenants: TenantRef[] = await withRetry(maxAttempts, () => work.tenantsInRange(db, range));
    const candidates = tenants.filter((t) => !failed.has(t.tenantId));
    if (candidates.length === 0) throw chunkError; // nothing to isolate: the failure is not a tenant's
    for (const tenant of candidates) {
      try {
        updated += await apply({ ...range, onlyTenantId: tenant.tenantId, excludeTenantIds: [] });
      } catch (error) {
        failed.add(tenant.tenantId);
        await options.onFailure({
          tenantId: tenant.tenantId,
          tenantExternalId: tenant.externalId,
          errorClass: errorClassOf(error),
          message: (error as Error).message,
          chunk: { afterId: range.afterId, lastId: range.lastId },
          at: new Date().toISOString(),
        });
      }
    }
  };

  while (!signal.aborted) {
    const next = await withRetry(maxAttempts, () => work.nextChunk(db, cursor, chunkSize));
    if (!next) break;
    const range: ChunkRange = { afterId: cursor, lastId: next.lastId };
    try {
      updated += await apply({ ...range, onlyTenantId: null, excludeTenantIds: [...failed] });
    } catch (error) {
      await isolate(range, error);
    }
    processed += next.items;
    cursor = next.lastId;
    const elapsedS = (Date.now() - startedAt) / 1000;
    const rate = elapsedS > 0 ? (processed - processedAtStart) / elapsedS : 0;
    await options.onChunk({
      processed,
      total: Math.max(total, processed),
      updated,
      rowsPerSecond: Math.round(rate),
      etaSeconds: rate > 0 ? Math.max(0, Math.round((total - processed) / rate)) : null,
      cursor,
    });
  }
  return { updated_count: updated, total_scanned: processed, error_count: failed.size };
}
