import type { SqlExecutor, SqlQuery } from '@ops/runbook-sdk';
import type pg from 'pg';
import { isConnectionError, sqlExecutor } from '../db/connection.ts';
import { withPluginRole } from '../plugins/containment/index.ts';
import { PluginFaultError } from './plugin-faults.ts';

/**
 * The runbook's role around plugin calls inside a transaction the daemon opened (a chunk): call
 * right after BEGIN and the daemon's own ops.* statements, e.g.
 *
 *   const next = await asRunbookRole(client, def.id, () => work.nextChunk(tx, …));
 *
 * It sets `SET LOCAL ROLE ops_rb_…` before `fn` and `RESET ROLE` after it, so the daemon's next
 * statements (the unit's cursor, failures) run as the daemon again. A RESET that fails (the
 * transaction is aborted) is ignored: the caller rolls back, and anything else it sent would run
 * as the plugin's role and be denied ops.*, never the other way round. A SAVEPOINT taken after this
 * call and rolled back to undoes the role: take savepoints outside it.
 */
export async function asRunbookRole<T>(
  client: pg.PoolClient | pg.Client,
  runbookId: string,
  fn: () => Promise<T>,
): Promise<T> {
  await withPluginRole(client, runbookId);
  try {
    return await fn();
  } finally {
    await client.query('RESET ROLE').catch(() => {});
  }
}

/**
 * A SqlExecutor on the pool for a plugin's statements outside any transaction of the daemon's (the
 * run's `ctx.db`, `countItems`, `idBounds`): each statement gets a short transaction of its own
 * under the runbook's role, committed when it succeeds. One more round trip per statement than
 * autocommit; these are a run's few setup statements, not its chunks.
 */
export function runbookPoolExecutor(pool: pg.Pool, runbookId: string, owner: string): SqlExecutor {
  return {
    async query<Row>(query: string | SqlQuery, params?: readonly unknown[]) {
      const client = await pool.connect();
      const onError = () => {}; // the pool stops listening once checked out; the statement reports it
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        await withPluginRole(client, runbookId);
        const result = await sqlExecutor(client, owner).query<Row>(query, params);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = error as Error;
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', onError);
        client.release(
          broken && (isConnectionError(broken) || broken instanceof PluginFaultError) ? broken : undefined,
        );
      }
    },
  };
}
