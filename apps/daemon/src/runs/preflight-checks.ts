import type {
  PreflightContext,
  PreflightResult,
  ResolvedScope,
  RunbookDefinition,
  SqlExecutor,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import { isConnectionError, sqlExecutor } from '../db/connection.ts';
import { ConflictError, NothingToDoError } from '../errors.ts';

/**
 * What the run service keeps on a run as `context.preflight`: the exact preflight when it counted,
 * or only that work exists (`affected_at_least`), which is all a deploy run needs to start.
 */
export type RecordedPreflight = PreflightResult | { affected_at_least: number };

/** The context a plugin's preflight, estimate and existence check get. */
export function preflightContext(
  pool: pg.Pool,
  params: Record<string, unknown>,
  log: (message: string) => void,
): PreflightContext {
  return {
    db: sqlExecutor(pool),
    params,
    log,
    readOnly: (read) => readOnlyTransaction(pool, read),
  };
}

/** One connection, one READ ONLY transaction: `SET LOCAL` in it tunes only this statement. */
async function readOnlyTransaction<T>(pool: pg.Pool, read: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN READ ONLY');
    const result = await read(sqlExecutor(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = error as Error;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release(broken && isConnectionError(broken) ? broken : undefined);
  }
}

/**
 * Is there work for a run? With the operator's count (the console shows a preflight before the
 * run), the exact count must still match it; without one (`exec`, schedules), one affected row is
 * enough to start, which on a big table is far cheaper than counting them all. Runbooks without
 * `hasAffected` are counted. Throws NothingToDoError, and ConflictError when the data changed.
 */
export async function checkWork(
  def: RunbookDefinition,
  ctx: PreflightContext,
  scope: ResolvedScope,
  operatorCount: number | undefined,
): Promise<RecordedPreflight> {
  if (operatorCount === undefined && def.hasAffected) {
    if (!(await def.hasAffected(ctx, scope))) throw new NothingToDoError(def.id, scope);
    return { affected_at_least: 1 };
  }
  const preflight = await def.preflight(ctx, scope);
  if (preflight.affected_count === 0) throw new NothingToDoError(def.id, scope);
  if (operatorCount !== undefined && operatorCount !== preflight.affected_count) {
    throw new ConflictError(
      `the data changed since your preflight: it showed ${operatorCount} affected, now ${preflight.affected_count}; run preflight again`,
    );
  }
  return preflight;
}

/** The affected count to show for a recorded preflight: exact, or "at least". */
export function affectedOf(preflight: RecordedPreflight): { count: number; exact: boolean } {
  return 'affected_count' in preflight
    ? { count: preflight.affected_count, exact: true }
    : { count: preflight.affected_at_least, exact: false };
}
