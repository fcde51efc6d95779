import type { ChunkRange, KeysetWork, SqlExecutor } from '@ops/runbook-sdk';
import type pg from 'pg';
import { isConnectionError, sqlExecutor } from '../db/connection.ts';
import type { RunFailure } from './run-record.ts';
import { errorClassOf, isTransientError } from './transient-errors.ts';
import type { ClaimedUnit, WorkUnits } from './work-units.ts';

/** What one chunk transaction did. */
export type ChunkOutcome =
  | { kind: 'none' } // no open unit was free to claim
  | { kind: 'drained'; unitNo: number } // the claimed unit had nothing left: now done
  | { kind: 'chunk'; unitNo: number; items: number; updated: number; failures: RunFailure[] };

export interface ChunkTransactionInput {
  pool: pg.Pool;
  units: WorkUnits;
  work: KeysetWork;
  runId: string;
  /** The unit this worker wrote last, claimed again when free (its pages are warm). */
  preferred: number | null;
  size: number;
  /** Who writes, kept on the unit it finishes. */
  worker: string;
  maxAttempts: number;
}

// One round trip. Never queue for long behind an application's row lock: time out and retry.
// synchronous_commit off only drops the wait for this commit's WAL flush: a crash can lose the
// last chunks, but never half of one (the unit's cursor commits with its writes, so a lost chunk
// is simply done again), and the next synchronous commit (the run's progress) flushes them anyway.
const BEGIN_CHUNK = "BEGIN; SET LOCAL lock_timeout = '5s'; SET LOCAL synchronous_commit = off";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Claims a unit and writes its next chunk in one transaction, moving the unit's cursor with the
 * writes. Transient errors (deadlock, serialization, lock timeout, connection reset) retry the
 * whole transaction with backoff; a chunk that fails for good is written again tenant by tenant
 * (savepoints), and a tenant that still fails is recorded and left out of the rest of the run.
 * Throws when the failure is no tenant's, or after the last attempt.
 */
export async function runChunkTransaction(input: ChunkTransactionInput): Promise<ChunkOutcome> {
  const { pool, units, runId } = input;
  for (let attempt = 1; ; attempt++) {
    const final = attempt >= input.maxAttempts;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(BEGIN_CHUNK);
      const unit = await units.claim(client, runId, input.preferred);
      if (!unit) {
        await client.query('COMMIT');
        return { kind: 'none' };
      }
      const tx = sqlExecutor(client);
      const next = await nextChunkOf(input.work, tx, unit, input.size);
      if (!next) {
        await units.advance(client, runId, unit.unitNo, {
          cursor: null,
          items: 0,
          updated: 0,
          done: true,
          worker: input.worker,
        });
        await client.query('COMMIT');
        return { kind: 'drained', unitNo: unit.unitNo };
      }
      const range: ChunkRange = { afterId: unit.cursor, lastId: next.lastId };
      const written = await writeChunk({ client, tx, input, range, excluded: unit.excludedTenantIds, final });
      // Fewer items than asked means none are left up to the unit's end.
      const done = next.items < input.size || (unit.lastId !== null && next.lastId === unit.lastId);
      await units.advance(client, runId, unit.unitNo, {
        cursor: next.lastId,
        items: next.items,
        updated: written.updated,
        done,
        worker: input.worker,
      });
      await client.query('COMMIT');
      return { kind: 'chunk', unitNo: unit.unitNo, items: next.items, ...written };
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => {});
      if (final || !isTransientError(error)) throw error;
    } finally {
      client.release(broken && isConnectionError(broken) ? broken : undefined);
    }
    await sleep(50 * 2 ** attempt);
  }
}

function nextChunkOf(work: KeysetWork, tx: SqlExecutor, unit: ClaimedUnit, size: number) {
  // Only work that declares idBounds was split into bounded units, and promises to honour `until`.
  return unit.lastId === null
    ? work.nextChunk(tx, unit.cursor, size)
    : work.nextChunk(tx, unit.cursor, size, unit.lastId);
}

interface WriteChunk {
  client: pg.PoolClient;
  tx: SqlExecutor;
  input: ChunkTransactionInput;
  range: ChunkRange;
  excluded: number[];
  /** On the last attempt a transient error counts as the tenant's failure, not a reason to retry. */
  final: boolean;
}

async function writeChunk(w: WriteChunk): Promise<{ updated: number; failures: RunFailure[] }> {
  await w.client.query('SAVEPOINT chunk');
  try {
    const { updated } = await w.input.work.applyChunk(w.tx, {
      ...w.range,
      onlyTenantId: null,
      excludeTenantIds: w.excluded,
    });
    await w.client.query('RELEASE SAVEPOINT chunk');
    return { updated, failures: [] };
  } catch (error) {
    if (isConnectionError(error) || (!w.final && isTransientError(error))) throw error;
    await w.client.query('ROLLBACK TO SAVEPOINT chunk');
    return isolateTenants(w, error);
  }
}

/** One tenant's bad rows must not stop the others: each tenant of the range gets its own savepoint. */
async function isolateTenants(
  w: WriteChunk,
  chunkError: unknown,
): Promise<{ updated: number; failures: RunFailure[] }> {
  const tenants = (await w.input.work.tenantsInRange(w.tx, w.range)).filter(
    (t) => !w.excluded.includes(t.tenantId),
  );
  if (tenants.length === 0) throw chunkError; // nothing to isolate: the failure is not a tenant's
  let updated = 0;
  const failures: RunFailure[] = [];
  for (const tenant of tenants) {
    await w.client.query('SAVEPOINT tenant');
    try {
      const selection = { ...w.range, onlyTenantId: tenant.tenantId, excludeTenantIds: [] };
      updated += (await w.input.work.applyChunk(w.tx, selection)).updated;
      await w.client.query('RELEASE SAVEPOINT tenant');
    } catch (error) {
      if (isConnectionError(error) || (!w.final && isTransientError(error))) throw error;
      await w.client.query('ROLLBACK TO SAVEPOINT tenant');
      const failure: RunFailure = {
        tenantId: tenant.tenantId,
        tenantExternalId: tenant.externalId,
        errorClass: errorClassOf(error),
        message: (error as Error).message,
        chunk: { afterId: w.range.afterId, lastId: w.range.lastId },
        at: new Date().toISOString(),
      };
      if (await w.input.units.addFailure(w.client, w.input.runId, failure)) failures.push(failure);
    }
  }
  return { updated, failures };
}
