import type {
  ChunkedResult,
  HookContext,
  KeysetWork,
  LifecycleHook,
  PreflightContext,
  ResolvedScope,
  RunbookDefinition,
  RunContext,
  ScopeKind,
  SqlExecutor,
} from '@ops/runbook-sdk';
import type { PluginHost } from './host.ts';
import { DEFAULT_HOOK_TIMEOUT_MS, formatMs, STOP_GRACE_MS } from './limits.ts';
import { parameterSchemaFromJson } from './parameters.ts';
import type { CallLimit, PluginWorker } from './plugin-worker.ts';
import type { HookCallContext, KeysetMethod, PreflightCallContext, RunCallContext } from './protocol.ts';

type ReadMethod = 'preflight' | 'estimate' | 'hasAffected' | 'sampleChanges';

const READ_WHAT: Record<ReadMethod, string> = {
  preflight: 'its preflight',
  estimate: 'its estimate',
  hasAffected: 'its existence check (hasAffected)',
  sampleChanges: 'its change sample (sampleChanges)',
};

let nextToken = 1;

/**
 * The daemon's view of a sandboxed plugin: a RunbookDefinition of the same shape as the plugin's,
 * whose data was copied out of the worker at load and whose functions run in a worker of their
 * own, within the limits. The run service, executor and chunk driver use it as they would the
 * plugin itself.
 */
export function sandboxedDefinition(host: PluginHost): RunbookDefinition {
  const s = host.statics;
  const { limits } = host;

  const read = <T>(
    method: ReadMethod,
    ctx: PreflightContext,
    scope: ResolvedScope,
    ...more: unknown[]
  ): Promise<T> =>
    host.withWorker(async (worker) => {
      const token = nextToken++;
      const db = worker.register(ctx.db);
      worker.hooks.set(token, { log: ctx.log, ...(ctx.readOnly ? { readOnly: ctx.readOnly } : {}) });
      const call: PreflightCallContext = {
        token,
        db,
        params: ctx.params,
        input: ctx.input ?? null,
        readOnly: Boolean(ctx.readOnly),
      };
      try {
        return await worker.call<T>(method, [call, scope, ...more], {
          ms: limits.preflightTimeoutMs,
          what: READ_WHAT[method],
          variable: 'OPS_PREFLIGHT_TIMEOUT_MS',
        });
      } finally {
        worker.hooks.delete(token);
        worker.unregister(db);
      }
    });

  const definition: RunbookDefinition = {
    id: s.id,
    version: s.version,
    title: s.title,
    description: s.description,
    sdk: s.sdk,
    capability: s.capability,
    scopes: s.scopes as ScopeKind[],
    confirmationPhrase: s.confirmationPhrase,
    summaryKeys: s.summaryKeys,
    resources: s.resources,
    ...(s.reversible ? { reversible: s.reversible } : {}),
    ...(s.input ? { input: s.input } : {}),
    ...(s.parameters
      ? { parameters: parameterSchemaFromJson(s.parameters, (v) => host.checkParameters(v)) }
      : {}),
    preflight: (ctx, scope) => read('preflight', ctx, scope),
    run: (ctx, scope) => host.withWorker((worker) => runIn(host, worker, ctx, scope)),
  };
  if (s.has.estimate) definition.estimate = (ctx, scope) => read('estimate', ctx, scope);
  if (s.has.hasAffected) definition.hasAffected = (ctx, scope) => read('hasAffected', ctx, scope);
  if (s.has.sampleChanges)
    definition.sampleChanges = (ctx, scope, options) => read('sampleChanges', ctx, scope, options);
  if (s.has.lockRequests) definition.lockRequests = (scope) => host.lockRequests(scope);
  if (s.has.afterComplete)
    definition.afterComplete = (ctx, result) => hookIn(host, 'afterComplete', ctx, result);
  if (s.has.afterError) definition.afterError = (ctx, error) => hookIn(host, 'afterError', ctx, error);
  return Object.freeze(definition);
}

/**
 * A run in its worker. The plugin's `ctx.runChunked(work)` comes back here and drives the daemon's
 * chunk driver with a KeysetWork whose functions run in the worker, each within the chunk limit.
 * A worker that spins is stopped: at once when its run is asked to stop, else when it has not
 * answered for as long as a chunk may take.
 */
async function runIn(
  host: PluginHost,
  worker: PluginWorker,
  ctx: RunContext,
  scope: ResolvedScope,
): Promise<Record<string, number>> {
  const token = nextToken++;
  const db = worker.register(ctx.db);
  const driving = new Set<Promise<unknown>>();
  worker.hooks.set(token, {
    log: ctx.log,
    runChunked: (workId, hasIdBounds) => {
      const driven: Promise<ChunkedResult> = ctx.runChunked(keysetWorkIn(host, worker, workId, hasIdBounds));
      driving.add(driven);
      driven.then(
        () => driving.delete(driven),
        () => driving.delete(driven),
      );
      return driven;
    },
  });
  let abortedAt: number | null = null;
  let waitingSince: number | null = null;
  const onAbort = () => {
    abortedAt = Date.now();
    worker.rpc.notify('abort', [token]);
  };
  ctx.signal.addEventListener('abort', onAbort);
  if (ctx.signal.aborted) abortedAt = Date.now();
  const endWatch = worker.watch(
    () =>
      abortedAt === null
        ? {
            ms: host.limits.chunkTimeoutMs,
            message: `stopped answering for ${formatMs(host.limits.chunkTimeoutMs)} (OPS_CHUNK_TIMEOUT_MS; a synchronous loop?) and was stopped`,
          }
        : {
            ms: STOP_GRACE_MS,
            message: `did not answer within ${formatMs(STOP_GRACE_MS)} of its run being asked to stop (a synchronous loop?) and was stopped`,
          },
    () => {
      // Asked to stop, the run must end; it may wait on the daemon (a chunk, a statement), not on itself.
      if (abortedAt === null || worker.busy > 1 || worker.rpc.handling > 0) {
        waitingSince = null;
        return null;
      }
      waitingSince ??= Date.now();
      return Date.now() - waitingSince > STOP_GRACE_MS
        ? `did not end its run within ${formatMs(STOP_GRACE_MS)} of being asked to stop and was stopped`
        : null;
    },
  );
  const call: RunCallContext = {
    token,
    db,
    params: ctx.params,
    runId: ctx.runId,
    input: ctx.input ?? null,
    resumeCursor: ctx.resumeCursor,
    preflightAffectedCount: ctx.preflightAffectedCount,
    aborted: ctx.signal.aborted,
  };
  try {
    return await worker.call<Record<string, number>>('run', [call, scope]);
  } catch (error) {
    // The daemon's chunk driver winds down (its calls into the dead worker fail at once) before
    // the executor records the run as failed and lets its locks go.
    if (worker.fault) await Promise.allSettled([...driving]);
    throw error;
  } finally {
    endWatch();
    ctx.signal.removeEventListener('abort', onAbort);
    worker.hooks.delete(token);
    worker.unregister(db);
  }
}

/** A lifecycle hook in a worker of its own, stopped past OPS_HOOK_TIMEOUT_MS. */
function hookIn(host: PluginHost, hook: LifecycleHook, ctx: HookContext, payload: unknown): Promise<void> {
  return host.withWorker(async (worker) => {
    const token = nextToken++;
    const db = worker.register(ctx.db);
    worker.hooks.set(token, { log: ctx.log });
    const onAbort = () => worker.rpc.notify('abort', [token]);
    ctx.signal.addEventListener('abort', onAbort);
    const call: HookCallContext = { token, db, params: ctx.params, runId: ctx.runId };
    try {
      await worker.call<void>('hook', [call, hook, payload], {
        ms: host.limits.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
        what: `its ${hook} hook`,
        variable: 'OPS_HOOK_TIMEOUT_MS',
      });
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      worker.hooks.delete(token);
      worker.unregister(db);
    }
  });
}

/** The plugin's chunked work as the chunk driver sees it; each function runs in the run's worker. */
function keysetWorkIn(
  host: PluginHost,
  worker: PluginWorker,
  workId: number,
  hasIdBounds: boolean,
): KeysetWork {
  const chunk = (method: KeysetMethod): CallLimit => ({
    ms: host.limits.chunkTimeoutMs,
    what: `its chunk (${method})`,
    variable: 'OPS_CHUNK_TIMEOUT_MS',
  });
  const call = async <T>(method: KeysetMethod, db: SqlExecutor, args: unknown[], limit: CallLimit) => {
    const handle = worker.register(db);
    try {
      return await worker.call<T>('work', [workId, method, handle, args], limit);
    } finally {
      worker.unregister(handle);
    }
  };
  const work: KeysetWork = {
    // A count may take as long as a preflight: it is one.
    countItems: (db) =>
      call('countItems', db, [], {
        ms: host.limits.preflightTimeoutMs,
        what: 'its item count (countItems)',
        variable: 'OPS_PREFLIGHT_TIMEOUT_MS',
      }),
    nextChunk: (db, ...rest) => call('nextChunk', db, rest, chunk('nextChunk')),
    tenantsInRange: (db, range) => call('tenantsInRange', db, [range], chunk('tenantsInRange')),
    applyChunk: (tx, selection) => call('applyChunk', tx, [selection], chunk('applyChunk')),
  };
  if (hasIdBounds) work.idBounds = (db) => call('idBounds', db, [], chunk('idBounds'));
  return work;
}
