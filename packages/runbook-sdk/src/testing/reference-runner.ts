import type pg from 'pg';
import type {
  ChunkedResult,
  ChunkRange,
  ChunkSelection,
  KeysetWork,
  PreflightContext,
  PreflightEstimate,
  PreflightResult,
  RunContext,
  SqlExecutor,
  TenantRef,
} from '../context.ts';
import type { RunbookDefinition } from '../define.ts';
import { parseParameters } from '../parameters.ts';
import type { ResolvedScope } from '../scope.ts';
import { queryOf, type SqlQuery } from '../sql.ts';
import { inputField, type KitInput, kitInputOf } from './kit-input.ts';
import {
  DEFAULT_KIT_TIME_LIMITS,
  type KitTimeLimits,
  PluginCallTimeoutError,
  withinTimeLimit,
} from './time-limit.ts';

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
  /** Parameter values as an operator gives them: parsed by the runbook's schema like the daemon does. */
  params?: Record<string, unknown>;
  /** The file of a CSV-input runbook, parsed by the SDK's parser as the daemon does (`ctx.input`). */
  input?: KitInput | null;
  chunkSize?: number;
  /** Continue from this checkpoint, as after an interruption. */
  resumeCursor?: string | null;
  /** Abort the run's signal after this many chunks have been written (cancellation, interruption). */
  abortAfterChunks?: number;
  /** Time limits of the plugin's calls (defaults: DEFAULT_KIT_TIME_LIMITS). */
  limits?: Partial<KitTimeLimits>;
  /** What the run's `ctx.log` is given. */
  log?: (message: string) => void;
}

/** A tenant whose rows failed in a chunk and were left out of the rest of the run, as the daemon does. */
export interface ReferenceFailure {
  tenantId: number;
  externalId: string;
  message: string;
  chunk: ChunkRange;
}

export interface ReferenceRunOutcome {
  result: Record<string, unknown>;
  /** The cursor after the last written chunk. */
  checkpoint: string | null;
  chunksWritten: number;
  /** Chunks the runbook wrote after its signal was aborted (cancellation must stop within one). */
  chunksAfterAbort: number;
  /** Tenants left out after their rows failed (the run's `error_count`). */
  failures: ReferenceFailure[];
}

const limitsOf = (limits: Partial<KitTimeLimits> | undefined): KitTimeLimits => ({
  ...DEFAULT_KIT_TIME_LIMITS,
  ...limits,
});

const show = (value: unknown) => JSON.stringify(value) ?? String(value);
const QUERY_CANCELED = '57014'; // our statement_timeout on the chunk transaction

function checkNextChunk(next: unknown): { lastId: string; items: number } | null {
  if (next === null) return null;
  const n = next as { lastId?: unknown; items?: unknown } | undefined;
  if (
    !n ||
    typeof n.lastId !== 'string' ||
    !/^-?\d+$/.test(n.lastId) ||
    !Number.isInteger(n.items) ||
    (n.items as number) < 1
  ) {
    throw new Error(
      `nextChunk returned a malformed result: ${show(next)} (want null or { lastId: "123", items: 100 })`,
    );
  }
  return n as { lastId: string; items: number };
}

function checkApplied(applied: unknown): number {
  const updated = (applied as { updated?: unknown } | undefined)?.updated;
  if (!Number.isInteger(updated) || (updated as number) < 0) {
    throw new Error(`applyChunk returned a malformed result: ${show(applied)} (want { updated: 0 })`);
  }
  return updated as number;
}

const rangeName = (range: ChunkRange) => `${range.afterId ?? 'start'}..${range.lastId}`;

/**
 * The calls of keyset work on a pool, each within its time limit and named in the error when it
 * hangs. A chunk is written in a transaction of its own with statement_timeout, like the daemon's.
 */
export class KeysetDriver {
  readonly limits: KitTimeLimits;

  constructor(
    readonly pool: pg.Pool,
    readonly work: KeysetWork,
    limits?: Partial<KitTimeLimits>,
  ) {
    this.limits = limitsOf(limits);
  }

  countItems(): Promise<number> {
    return withinTimeLimit(
      () => this.work.countItems(executorOf(this.pool)),
      'countItems',
      this.limits,
      'preflightTimeoutMs',
    );
  }

  idBounds() {
    const bounds = this.work.idBounds;
    if (typeof bounds !== 'function') return Promise.resolve(undefined);
    return withinTimeLimit(
      () => bounds.call(this.work, executorOf(this.pool)),
      'idBounds',
      this.limits,
      'chunkTimeoutMs',
    );
  }

  async nextChunk(afterId: string | null, size: number, until?: string | null) {
    const next = checkNextChunk(
      await withinTimeLimit(
        () =>
          until === undefined
            ? this.work.nextChunk(executorOf(this.pool), afterId, size)
            : this.work.nextChunk(executorOf(this.pool), afterId, size, until),
        `nextChunk after ${afterId ?? 'start'}`,
        this.limits,
        'chunkTimeoutMs',
      ),
    );
    if (next && until != null && BigInt(next.lastId) > BigInt(until)) {
      throw new Error(
        `nextChunk after ${afterId ?? 'start'} ended at ${next.lastId}, past its until ${until}: work with idBounds must honour until`,
      );
    }
    return next;
  }

  tenantsInRange(range: ChunkRange): Promise<TenantRef[]> {
    return withinTimeLimit(
      () => this.work.tenantsInRange(executorOf(this.pool), range),
      `tenantsInRange of chunk ${rangeName(range)}`,
      this.limits,
      'chunkTimeoutMs',
    );
  }

  /**
   * Writes `selections` in one transaction (one savepoint each when there are several, as the
   * daemon isolates tenants); resolves with each one's count, or its error when it failed alone.
   */
  async applyChunk(selections: ChunkSelection[]): Promise<(number | Error)[]> {
    const client = await this.pool.connect();
    let destroy: Error | undefined;
    try {
      await client.query(`BEGIN; SET LOCAL statement_timeout = ${this.limits.chunkTimeoutMs}`);
      const results: (number | Error)[] = [];
      const isolated = selections.length > 1 || selections[0]?.onlyTenantId != null;
      for (const selection of selections) {
        const what = `applyChunk of chunk ${rangeName(selection)}${selection.onlyTenantId == null ? '' : ` narrowed to tenant ${selection.onlyTenantId}`}`;
        if (isolated) await client.query('SAVEPOINT tenant');
        try {
          const applied = await withinTimeLimit(
            () => this.work.applyChunk(executorOf(client), selection),
            what,
            this.limits,
            'chunkTimeoutMs',
            () => {
              // The hung call still holds the connection: cancel what its backend runs.
              const pid = (client as unknown as { processID?: number }).processID;
              if (pid) this.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
            },
          );
          results.push(checkApplied(applied));
          if (isolated) await client.query('RELEASE SAVEPOINT tenant');
        } catch (error) {
          if (error instanceof PluginCallTimeoutError) throw error;
          if ((error as { code?: string }).code === QUERY_CANCELED) {
            throw new PluginCallTimeoutError(what, this.limits.chunkTimeoutMs, 'chunkTimeoutMs');
          }
          if (!isolated) throw error;
          await client.query('ROLLBACK TO SAVEPOINT tenant');
          results.push(error as Error);
        }
      }
      await client.query('COMMIT');
      return results;
    } catch (error) {
      if (error instanceof PluginCallTimeoutError) destroy = error;
      else await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release(destroy);
    }
  }
}

/**
 * Runs a runbook the way the daemon does, minus everything a plugin must not rely on: parameters
 * parsed by its schema (unknown ones refused), keyset chunks one after another, each in its own
 * transaction, honouring the abort signal between chunks; a chunk that fails is written again tenant
 * by tenant (narrowed with `onlyTenantId`), and a tenant that still fails is left out of the rest
 * of the run (`excludeTenantIds`). Every plugin call has a time limit.
 */
export async function runWithReferenceDriver(
  def: RunbookDefinition,
  pool: pg.Pool,
  scope: ResolvedScope,
  options: ReferenceRunOptions = {},
): Promise<ReferenceRunOutcome> {
  const params = parseParameters(def.parameters, options.params ?? {});
  const input = kitInputOf(def, options.input);
  const limits = limitsOf(options.limits);
  const controller = new AbortController();
  let checkpoint = options.resumeCursor ?? null;
  let chunksWritten = 0;
  let chunksAfterAbort = 0;
  const failures: ReferenceFailure[] = [];
  const runChunked = async (work: KeysetWork): Promise<ChunkedResult> => {
    const driver = new KeysetDriver(pool, work, limits);
    const size = options.chunkSize ?? 100;
    await driver.countItems();
    const bounds = await driver.idBounds();
    if (bounds === null) return { updated_count: 0, total_scanned: 0, error_count: 0 };
    // Work with idBounds promises to honour `until`: the kit passes the last id, as a unit's end.
    const until = bounds ? bounds.lastId : undefined;
    let updated = 0;
    let scanned = 0;
    while (!controller.signal.aborted) {
      const next = await driver.nextChunk(checkpoint, size, until);
      if (!next) break;
      const range: ChunkRange = { afterId: checkpoint, lastId: next.lastId };
      const excludeTenantIds = failures.map((f) => f.tenantId);
      try {
        const [whole] = await driver.applyChunk([{ ...range, onlyTenantId: null, excludeTenantIds }]);
        updated += whole as number;
      } catch (error) {
        if (error instanceof PluginCallTimeoutError) throw error;
        // Like the daemon: the chunk again, one tenant at a time; a tenant that fails is left out.
        const tenants = (await driver.tenantsInRange(range)).filter(
          (t) => !excludeTenantIds.includes(t.tenantId),
        );
        if (tenants.length === 0) throw error;
        const results = await driver.applyChunk(
          tenants.map((t) => ({ ...range, onlyTenantId: t.tenantId, excludeTenantIds: [] })),
        );
        results.forEach((r, i) => {
          if (typeof r === 'number') updated += r;
          else failures.push({ ...toRef(tenants[i]!), message: r.message, chunk: range });
        });
      }
      checkpoint = next.lastId;
      scanned += next.items;
      chunksWritten += 1;
      if (controller.signal.aborted) chunksAfterAbort += 1;
      if (options.abortAfterChunks !== undefined && chunksWritten >= options.abortAfterChunks)
        controller.abort('cancel');
    }
    return { updated_count: updated, total_scanned: scanned, error_count: failures.length };
  };
  const ctx: RunContext = {
    db: executorOf(pool),
    params,
    ...inputField(input),
    runId: '1',
    signal: controller.signal,
    resumeCursor: options.resumeCursor ?? null,
    preflightAffectedCount: 0,
    log: options.log ?? (() => {}),
    runChunked,
  };
  const result = (await withinTimeLimit(() => def.run(ctx, scope), 'run', limits, 'runTimeoutMs')) as unknown;
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new Error(`run must return an object of summary counts (got ${JSON.stringify(result)})`);
  }
  return {
    result: result as Record<string, unknown>,
    checkpoint,
    chunksWritten,
    chunksAfterAbort,
    failures,
  };
}

const toRef = (t: TenantRef) => ({ tenantId: t.tenantId, externalId: t.externalId });

/** The context of a read-only call as the daemon gives it: parameters and file parsed as it does. */
function preflightContext(
  def: RunbookDefinition,
  pool: pg.Pool,
  params: Record<string, unknown>,
  input: KitInput | null | undefined,
): PreflightContext {
  return {
    db: executorOf(pool),
    params: parseParameters(def.parameters, params),
    ...inputField(kitInputOf(def, input)),
    log: () => {},
  };
}

/**
 * A preflight as the daemon calls it: parameters parsed by the runbook's schema, a CSV-input
 * runbook's file by the SDK's parser (`ctx.input`), within its time limit.
 */
export function preflightWith(
  def: RunbookDefinition,
  pool: pg.Pool,
  scope: ResolvedScope,
  params: Record<string, unknown> = {},
  limits?: Partial<KitTimeLimits>,
  input?: KitInput | null,
): Promise<PreflightResult> {
  const ctx = preflightContext(def, pool, params, input);
  return withinTimeLimit(
    () => def.preflight(ctx, scope),
    'preflight',
    limitsOf(limits),
    'preflightTimeoutMs',
  );
}

/** `hasAffected` as the daemon calls it, or null when the runbook has none. */
export async function hasAffectedWith(
  def: RunbookDefinition,
  pool: pg.Pool,
  scope: ResolvedScope,
  params: Record<string, unknown> = {},
  limits?: Partial<KitTimeLimits>,
  input?: KitInput | null,
): Promise<boolean | null> {
  const hasAffected = def.hasAffected;
  if (typeof hasAffected !== 'function') return null;
  const ctx = preflightContext(def, pool, params, input);
  return withinTimeLimit(
    () => hasAffected.call(def, ctx, scope),
    'hasAffected',
    limitsOf(limits),
    'preflightTimeoutMs',
  );
}

/** `estimate` as the daemon calls it (parameters, `ctx.input`, time limit), or null when the runbook has none. */
export async function estimateWith(
  def: RunbookDefinition,
  pool: pg.Pool,
  scope: ResolvedScope,
  params: Record<string, unknown> = {},
  limits?: Partial<KitTimeLimits>,
  input?: KitInput | null,
): Promise<PreflightEstimate | null> {
  const estimate = def.estimate;
  if (typeof estimate !== 'function') return null;
  const ctx = preflightContext(def, pool, params, input);
  return withinTimeLimit(
    () => estimate.call(def, ctx, scope),
    'estimate',
    limitsOf(limits),
    'preflightTimeoutMs',
  );
}
