import type { ChunkRange, KeysetWork, SqlExecutor } from '@ops/runbook-sdk';
import type pg from 'pg';
import { cancelBackendStatement, isConnectionError, sqlExecutor } from '../db/connection.ts';
import { checkFence, type Fence, LeaseLostError } from '../locks/index.ts';
import { asRunbookRole } from './plugin-executors.ts';
import {
  checkApplied,
  checkNextChunk,
  chunkTimeout,
  isStatementTimeout,
  PluginFaultError,
  withinChunkTimeout,
} from './plugin-faults.ts';
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
  /** Whose role the plugin's statements run under (its declared resources, nothing of ops.*). */
  runbookId: string;
  runId: string;
  /** Checked (and share-locked) in every chunk transaction: a writer that lost the run cannot commit. */
  fence: Fence;
  /** The unit this worker wrote last, claimed again when free (its pages are warm). */
  preferred: number | null;
  size: number;
  /** Who writes, kept on the unit it finishes. */
  worker: string;
  maxAttempts: number;
  /** A chunk (one transaction) that takes longer is a plugin fault: the run fails. */
  timeoutMs: number;
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
 * whole transaction with backoff. A chunk that fails for good is written again, in a transaction
 * of its own on the same unit, tenant by tenant (savepoints: only then, since a savepoint costs a
 * subtransaction on every chunk); a tenant that still fails is recorded and left out of the rest of
 * the run. Throws when the failure is no tenant's, or after the last attempt.
 */
export async function runChunkTransaction(input: ChunkTransactionInput): Promise<ChunkOutcome> {
  const { pool, units, runId } = input;
  let isolating: Isolating | null = null;
  for (let attempt = 1; ; attempt++) {
    const final = attempt >= input.maxAttempts;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // statement_timeout catches a hung statement; withinChunkTimeout a plugin hung in JavaScript.
      await client.query(`${BEGIN_CHUNK}; SET LOCAL statement_timeout = ${input.timeoutMs}`);
      await checkFence(client, input.fence);
      const unit = isolating
        ? await units.claim(client, runId, isolating.unitNo, { only: true })
        : await units.claim(client, runId, input.preferred);
      // Isolating, the unit must still be where the failure left it; else another worker has it.
      if (!unit || (isolating && unit.cursor !== isolating.cursor)) {
        await client.query('COMMIT');
        return { kind: 'none' };
      }
      const tx = sqlExecutor(client, `runbook ${input.runbookId}`);
      const excluded = unit.excludedTenantIds;
      // The next chunk and its write under one SET ROLE … RESET ROLE (two round trips less per
      // chunk). Isolating, the write goes tenant by tenant below, with savepoints outside the role.
      const step = await asRunbookRole(client, input.runbookId, async () => {
        const next = checkNextChunk(
          await withinChunkTimeout(
            nextChunkOf(input.work, tx, unit, input.size),
            input.timeoutMs,
            'nextChunk',
          ),
        );
        if (!next || isolating) return { next, updated: null };
        const range: ChunkRange = { afterId: unit.cursor, lastId: next.lastId };
        const updated = await withinChunkTimeout(
          writeWhole(input, tx, unit.unitNo, range, excluded, final),
          input.timeoutMs,
          `${range.afterId ?? 'start'}..${range.lastId}`,
        );
        return { next, updated };
      });
      const next = step.next;
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
      const written = isolating
        ? await isolateTenants({ client, tx, input, range, excluded, final, chunkError: isolating.error })
        : { updated: step.updated ?? 0, failures: [] };
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
      // A hung plugin may still own the connection: discard it rather than roll back on it, and
      // cancel what its backend still runs, so no statement of a stopped chunk outlives it.
      if (error instanceof PluginFaultError) {
        await cancelBackendStatement(pool, client);
        throw error;
      }
      await client.query('ROLLBACK').catch(() => {});
      if (error instanceof LeaseLostError) throw error;
      if (error instanceof ChunkFailed && !isolating) {
        isolating = error.isolating; // a tenant's rows, maybe: try them one tenant at a time
        continue;
      }
      if (final || !isTransientError(error)) throw error;
    } finally {
      client.release(
        broken && (isConnectionError(broken) || broken instanceof PluginFaultError) ? broken : undefined,
      );
    }
    await sleep(50 * 2 ** attempt);
  }
}

/** A chunk whose write failed for good, to be written again tenant by tenant. */
interface Isolating {
  unitNo: number;
  /** Where the unit stood: if it moved, another worker took the chunk over. */
  cursor: string | null;
  error: unknown;
}

/** A chunk's write failed for a reason that is not transient: isolate its tenants. */
class ChunkFailed extends Error {
  constructor(readonly isolating: Isolating) {
    super((isolating.error as Error).message, { cause: isolating.error });
  }
}

async function writeWhole(
  input: ChunkTransactionInput,
  tx: SqlExecutor,
  unitNo: number,
  range: ChunkRange,
  excluded: number[],
  final: boolean,
): Promise<number> {
  try {
    const selection = { ...range, onlyTenantId: null, excludeTenantIds: excluded };
    return checkApplied(await input.work.applyChunk(tx, selection)).updated;
  } catch (error) {
    if (error instanceof PluginFaultError) throw error;
    if (isStatementTimeout(error))
      throw chunkTimeout(input.timeoutMs, `${range.afterId ?? 'start'}..${range.lastId}`);
    // Transient: try the whole chunk again, until the last attempt; then the tenants one by one.
    if (isConnectionError(error) || (!final && isTransientError(error))) throw error;
    throw new ChunkFailed({ unitNo, cursor: range.afterId, error });
  }
}

function nextChunkOf(work: KeysetWork, tx: SqlExecutor, unit: ClaimedUnit, size: number) {
  // Only work that declares idBounds was split into bounded units, and promises to honour `until`.
  return unit.lastId === null
    ? work.nextChunk(tx, unit.cursor, size)
    : work.nextChunk(tx, unit.cursor, size, unit.lastId);
}

interface IsolateChunk {
  client: pg.PoolClient;
  tx: SqlExecutor;
  input: ChunkTransactionInput;
  range: ChunkRange;
  excluded: number[];
  /** On the last attempt a transient error counts as the tenant's failure, not a reason to retry. */
  final: boolean;
  /** Why the whole chunk failed: thrown again when no tenant is to blame. */
  chunkError: unknown;
}

/** One tenant's bad rows must not stop the others: each tenant of the range gets its own savepoint. */
async function isolateTenants(w: IsolateChunk): Promise<{ updated: number; failures: RunFailure[] }> {
  const tenants = (
    await asRunbookRole(w.client, w.input.runbookId, () => w.input.work.tenantsInRange(w.tx, w.range))
  ).filter((t) => !w.excluded.includes(t.tenantId));
  if (tenants.length === 0) throw w.chunkError; // nothing to isolate: the failure is not a tenant's
  let updated = 0;
  const failures: RunFailure[] = [];
  for (const tenant of tenants) {
    await w.client.query('SAVEPOINT tenant');
    try {
      const selection = { ...w.range, onlyTenantId: tenant.tenantId, excludeTenantIds: [] };
      // The savepoint is the daemon's, outside the role: rolling back to it must not undo the RESET.
      updated += checkApplied(
        await asRunbookRole(w.client, w.input.runbookId, () => w.input.work.applyChunk(w.tx, selection)),
      ).updated;
      await w.client.query('RELEASE SAVEPOINT tenant');
    } catch (error) {
      if (error instanceof PluginFaultError || isStatementTimeout(error)) throw error;
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
