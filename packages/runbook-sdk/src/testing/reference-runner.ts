import type pg from 'pg';
import type { ChunkedResult, KeysetWork, PreflightResult, RunContext, SqlExecutor } from '../context.ts';
import type { RunbookDefinition } from '../define.ts';
import type { ResolvedScope } from '../scope.ts';
import { queryOf, type SqlQuery } from '../sql.ts';

/** Like the daemon's: one statement per call on the extended protocol, text or a sql`…` query. */
export function executorOf(target: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row>(query: string | SqlQuery, params?: readonly unknown[]) {
      // queryMode is pg 8.23's (lib/query.js), missing from @types/pg.
      const config: pg.QueryConfig & { queryMode: 'extended' } = {
        ...queryOf(query, params),
        queryMode: 'extended',
      };
      const result = await target.query(config);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

export interface ReferenceRunOptions {
  params?: Record<string, unknown>;
  chunkSize?: number;
  /** Continue from this checkpoint, as after an interruption. */
  resumeCursor?: string | null;
  /** Abort the run's signal after this many chunks have been written (cancellation, interruption). */
  abortAfterChunks?: number;
}

export interface ReferenceRunOutcome {
  result: Record<string, unknown>;
  /** The cursor after the last written chunk. */
  checkpoint: string | null;
  chunksWritten: number;
  /** Chunks the runbook wrote after its signal was aborted (cancellation must stop within one). */
  chunksAfterAbort: number;
}

/**
 * Runs a runbook the way the daemon does, minus everything a plugin must not rely on: keyset
 * chunks one after another, each in its own transaction, honouring the abort signal between chunks.
 */
export async function runWithReferenceDriver(
  def: RunbookDefinition,
  pool: pg.Pool,
  scope: ResolvedScope,
  options: ReferenceRunOptions = {},
): Promise<ReferenceRunOutcome> {
  const controller = new AbortController();
  let checkpoint = options.resumeCursor ?? null;
  let chunksWritten = 0;
  let chunksAfterAbort = 0;
  const runChunked = async (work: KeysetWork): Promise<ChunkedResult> => {
    const db = executorOf(pool);
    let updated = 0;
    let scanned = 0;
    while (!controller.signal.aborted) {
      const next = await work.nextChunk(db, checkpoint, options.chunkSize ?? 100);
      if (!next) break;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const applied = await work.applyChunk(executorOf(client), {
          afterId: checkpoint,
          lastId: next.lastId,
          onlyTenantId: null,
          excludeTenantIds: [],
        });
        await client.query('COMMIT');
        updated += applied.updated;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
      checkpoint = next.lastId;
      scanned += next.items;
      chunksWritten += 1;
      if (controller.signal.aborted) chunksAfterAbort += 1;
      if (options.abortAfterChunks !== undefined && chunksWritten >= options.abortAfterChunks)
        controller.abort('cancel');
    }
    return { updated_count: updated, total_scanned: scanned, error_count: 0 };
  };
  const ctx: RunContext = {
    db: executorOf(pool),
    params: options.params ?? {},
    runId: '1',
    signal: controller.signal,
    resumeCursor: options.resumeCursor ?? null,
    preflightAffectedCount: 0,
    log: () => {},
    runChunked,
  };
  const result = (await def.run(ctx, scope)) as unknown;
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new Error(`run must return an object of summary counts (got ${JSON.stringify(result)})`);
  }
  return { result: result as Record<string, unknown>, checkpoint, chunksWritten, chunksAfterAbort };
}

export function preflightWith(
  def: RunbookDefinition,
  pool: pg.Pool,
  scope: ResolvedScope,
  params: Record<string, unknown> = {},
): Promise<PreflightResult> {
  return def.preflight({ db: executorOf(pool), params, log: () => {} }, scope);
}
