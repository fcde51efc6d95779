import type {
  CsvInputRows,
  PreflightContext,
  PreflightResult,
  ResolvedScope,
  RunbookDefinition,
  SqlExecutor,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import { cancelBackendStatement, isConnectionError, sqlExecutor } from '../db/connection.ts';
import { ConflictError, NothingToDoError } from '../errors.ts';
import { metrics } from '../observability/index.ts';
import { withPluginRole } from '../plugins/containment/index.ts';
import { PluginFaultError } from './plugin-faults.ts';
import { type Confirmation, refusalOf } from './run-confirmation.ts';

/**
 * What the run service keeps on a run as `context.preflight`: the exact preflight when it counted,
 * or only that work exists (`affected_at_least`), which is all a deploy run needs to start.
 */
export type RecordedPreflight = PreflightResult | { affected_at_least: number };

/** What of a runbook reads: named in messages ("runbook x's preflight tried to write"). */
export type PluginRead = 'preflight' | 'estimate' | 'existence check' | 'change sample';

/**
 * Runs one read of a runbook (its preflight, estimate or existence check) with a PreflightContext
 * whose statements all go to one borrowed connection, in a READ ONLY transaction under the
 * runbook's role (withPluginRole), rolled back at the end: a plugin's write, or its access to
 * anything it was not granted (ops.*), fails, and nothing it did outlives the call. Throws what
 * `read` throws; the database's refusals come as PluginSqlRefusedError naming the runbook.
 */
export type PluginReader = <T>(what: PluginRead, read: (ctx: PreflightContext) => Promise<T>) => Promise<T>;

export function pluginReader(
  pool: pg.Pool,
  runbookId: string,
  params: Record<string, unknown>,
  log: (message: string) => void,
  /** The run's file, for a runbook that declares a CSV input (`ctx.input`). */
  input: CsvInputRows | null = null,
): PluginReader {
  return (what, read) =>
    observedRead(runbookId, what, () => readOnlyCall(pool, runbookId, what, { params, input }, log, read));
}

async function readOnlyCall<T>(
  pool: pg.Pool,
  runbookId: string,
  what: PluginRead,
  { params, input }: { params: Record<string, unknown>; input: CsvInputRows | null },
  log: (message: string) => void,
  read: (ctx: PreflightContext) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // node-pg's pool stops listening to a checked-out client: without this an 'error' event (the
  // backend terminated) would be unhandled and end the process. The statement reports the error.
  const onError = () => {};
  client.on('error', onError);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN READ ONLY');
    await withPluginRole(client, runbookId);
    const db = sqlExecutor(client, `runbook ${runbookId}'s ${what}`);
    const ctx: PreflightContext = {
      db,
      params,
      ...(input ? { input } : {}),
      log,
      readOnly: (inner) => withinSavepoint(client, db, inner),
    };
    return await read(ctx);
  } catch (error) {
    broken = error as Error;
    // Stopped for its time limit: its statement may still run on the server. Cancel it first, or
    // the ROLLBACK below waits behind it.
    if (error instanceof PluginFaultError) await cancelBackendStatement(pool, client);
    throw error;
  } finally {
    // Always rolled back: a read has nothing to keep, and SET LOCAL tuning ends with it.
    await client.query('ROLLBACK').catch((e: Error) => {
      broken ??= e;
    });
    client.off('error', onError);
    client.release(
      broken && (isConnectionError(broken) || broken instanceof PluginFaultError) ? broken : undefined,
    );
  }
}

/**
 * `ctx.readOnly` inside the read's transaction: a savepoint, always rolled back to, so the SET LOCAL
 * tuning of `inner` ends with it, and a statement that fails in it (a timeout the plugin catches)
 * leaves the read's transaction usable.
 */
async function withinSavepoint<T>(
  client: pg.PoolClient,
  db: SqlExecutor,
  inner: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  await client.query('SAVEPOINT plugin_read');
  try {
    return await inner(db);
  } finally {
    await client.query('ROLLBACK TO SAVEPOINT plugin_read; RELEASE SAVEPOINT plugin_read').catch(() => {});
  }
}

/**
 * Is there work for a run? Under the start's lock, one affected row is enough (`hasAffected`, far
 * cheaper than counting on a big table): exec and schedules need no more, and a console run
 * (`confirmed`, what the operator's preflight showed) counts exactly itself before its first write
 * (start-check.ts), so the operator reaches the run page in seconds. Runbooks without
 * `hasAffected` are counted here, and then the count must be what the operator confirmed.
 * Throws NothingToDoError, and ConflictError when the data changed.
 */
export async function checkWork(
  def: RunbookDefinition,
  read: PluginReader,
  scope: ResolvedScope,
  confirmed: Confirmation | undefined,
): Promise<RecordedPreflight> {
  const hasAffected = def.hasAffected;
  if (hasAffected) {
    if (!(await read('existence check', (ctx) => hasAffected(ctx, scope))))
      throw new NothingToDoError(def.id, scope);
    return { affected_at_least: 1 };
  }
  const preflight = await read('preflight', (ctx) => def.preflight(ctx, scope));
  if (preflight.affected_count === 0) throw new NothingToDoError(def.id, scope);
  const refusal = confirmed && refusalOf(confirmed, preflight);
  if (refusal) throw new ConflictError(refusal);
  return preflight;
}

/** The affected count to show for a recorded preflight: exact, or "at least". */
export function affectedOf(preflight: RecordedPreflight): { count: number; exact: boolean } {
  return 'affected_count' in preflight
    ? { count: preflight.affected_count, exact: true }
    : { count: preflight.affected_at_least, exact: false };
}

/** A plugin read's duration by runbook, kind and result, and its faults: metrics only, never a throw. */
async function observedRead<T>(runbook: string, kind: PluginRead, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let result = 'ok';
  try {
    return await call();
  } catch (error) {
    result = error instanceof PluginFaultError ? 'fault' : 'error';
    if (result === 'fault') metrics.safely(() => metrics.pluginFaults.inc({ runbook, where: kind }));
    throw error;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    metrics.safely(() => metrics.preflightDuration.observe({ runbook, kind, result }, seconds));
  }
}
