/**
 * The plugin's side of the sandbox: imports the plugin module in this worker thread, reports its
 * definition's data, and runs its functions when the daemon asks. Its database access goes back to
 * the daemon: the SqlExecutor a function gets posts each statement to the daemon, which runs it on
 * the connection or transaction the daemon chose for that call. This thread holds no connection.
 */

import { pathToFileURL } from 'node:url';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import {
  definitionProblems,
  type HookContext,
  type KeysetWork,
  type LifecycleHook,
  type PreflightContext,
  parseParameters,
  type RunbookDefinition,
  type RunContext,
  type SqlExecutor,
} from '@ops/runbook-sdk';
import { z } from 'zod';
import {
  type DefinitionStatics,
  type HookCallContext,
  type KeysetMethod,
  type LoadReport,
  type Message,
  type PreflightCallContext,
  type RunCallContext,
  rowsWithBuffers,
} from './protocol.ts';
import { RpcEndpoint } from './rpc.ts';

interface WorkerStart {
  entry: string;
  /** The plugin compiled to JavaScript (worker-entry.mjs), imported instead of `entry` when set. */
  compiledEntry?: string;
  /** Answers synchronous questions (lockRequests) while the daemon waits on `flag`. */
  syncPort: MessagePort;
  flag: Int32Array;
}

const start = workerData as WorkerStart;
const port = parentPort!;
const rpc = new RpcEndpoint({ post: (m) => port.postMessage(m) });
port.on('message', (m: Message) => rpc.receive(m));

// A rejection nobody handles, or an exception thrown from a timer, ends this thread (and only
// this thread); the daemon reports it as the plugin's fault with this message.
process.on('unhandledRejection', (reason) => {
  const why = reason instanceof Error ? reason.message : String(reason);
  throw new Error(`unhandled promise rejection: ${why}`);
});

let definition: RunbookDefinition | null = null;

/** A SqlExecutor whose statements the daemon runs on the executor it registered as `handle`. */
function executorFor(handle: number): SqlExecutor {
  return {
    async query(query: unknown, params?: readonly unknown[]) {
      const { text, values } =
        typeof query === 'object' && query !== null && typeof (query as { text?: unknown }).text === 'string'
          ? {
              text: (query as { text: string }).text,
              values: [...((query as { values?: readonly unknown[] }).values ?? [])],
            }
          : { text: query as string, values: [...(params ?? [])] };
      const result = await rpc.request<{ rows: Record<string, unknown>[]; rowCount: number }>('sql', [
        handle,
        text,
        values,
      ]);
      return { rows: rowsWithBuffers(result.rows), rowCount: result.rowCount };
    },
  } as SqlExecutor;
}

const readCallbacks = new Map<number, (tx: SqlExecutor) => Promise<unknown>>();
const works = new Map<number, KeysetWork>();
const runSignals = new Map<number, AbortController>();
let nextLocalId = 1;

const logTo = (token: number) => (message: string) => rpc.notify('log', [token, String(message)]);

/** The parameters as the plugin's own schema reads them (refinements and transforms included). */
const ownParams = (params: Record<string, unknown>) => parseParameters(definition!.parameters, params);

function preflightContext(call: PreflightCallContext): PreflightContext {
  const ctx: PreflightContext = {
    db: executorFor(call.db),
    params: ownParams(call.params),
    input: call.input,
    log: logTo(call.token),
  };
  if (call.readOnly) {
    ctx.readOnly = async <T>(read: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
      const id = nextLocalId++;
      readCallbacks.set(id, read as (tx: SqlExecutor) => Promise<unknown>);
      try {
        return (await rpc.request('readOnly', [call.token, id])) as T;
      } finally {
        readCallbacks.delete(id);
      }
    };
  }
  return ctx;
}

rpc.handle('preflight', (call: PreflightCallContext, scope) =>
  definition!.preflight(preflightContext(call), scope as never),
);
rpc.handle('estimate', (call: PreflightCallContext, scope) =>
  definition!.estimate!(preflightContext(call), scope as never),
);
rpc.handle('hasAffected', (call: PreflightCallContext, scope) =>
  definition!.hasAffected!(preflightContext(call), scope as never),
);
rpc.handle('sampleChanges', (call: PreflightCallContext, scope, options) =>
  definition!.sampleChanges!(preflightContext(call), scope as never, options as never),
);
rpc.handle('readBody', (id: number, tx: number) => {
  const read = readCallbacks.get(id);
  if (!read) throw new Error('readOnly: the read already ended');
  return read(executorFor(tx));
});

rpc.handle('run', async (call: RunCallContext, scope) => {
  const controller = new AbortController();
  if (call.aborted) controller.abort();
  runSignals.set(call.token, controller);
  const ctx: RunContext = {
    db: executorFor(call.db),
    params: ownParams(call.params),
    runId: call.runId,
    input: call.input,
    signal: controller.signal,
    resumeCursor: call.resumeCursor,
    preflightAffectedCount: call.preflightAffectedCount,
    log: logTo(call.token),
    async runChunked(work: KeysetWork) {
      const id = nextLocalId++;
      works.set(id, work);
      try {
        return await rpc.request('runChunked', [call.token, id, typeof work?.idBounds === 'function']);
      } finally {
        works.delete(id);
      }
    },
  };
  try {
    return await definition!.run(ctx, scope as never);
  } finally {
    runSignals.delete(call.token);
  }
});
rpc.onNote('abort', (token: number) => runSignals.get(token)?.abort());

// A lifecycle hook (afterComplete, afterError): its context as a run's, without chunks.
rpc.handle('hook', async (call: HookCallContext, hook: LifecycleHook, payload: unknown) => {
  const controller = new AbortController();
  runSignals.set(call.token, controller);
  const ctx: HookContext = {
    db: executorFor(call.db),
    params: call.params,
    runId: call.runId,
    log: logTo(call.token),
    signal: controller.signal,
  };
  try {
    await (definition![hook] as (ctx: HookContext, payload: unknown) => Promise<void>)(ctx, payload);
  } finally {
    runSignals.delete(call.token);
  }
});

rpc.handle('work', (id: number, method: KeysetMethod, db: number, args: unknown[]) => {
  const work = works.get(id);
  if (!work) throw new Error(`${method}: the run's chunked work already ended`);
  const fn = work[method] as ((db: SqlExecutor, ...rest: unknown[]) => Promise<unknown>) | undefined;
  if (typeof fn !== 'function') throw new TypeError(`the chunked work has no ${method} function`);
  return fn.call(work, executorFor(db), ...args);
});

rpc.handle('ping', () => 'pong');

// Synchronous questions (lockRequests, a parameter check): the daemon blocks on `flag` (with a
// time limit) until this answer is posted, then reads it from the port without its event loop.
type SyncQuestion = { kind: 'lockRequests'; scope: unknown } | { kind: 'parameters'; values: unknown };

function answerSync(question: SyncQuestion): unknown {
  if (question.kind === 'lockRequests') return definition!.lockRequests!(question.scope as never);
  // What parseParameters asks of a schema: the plugin's own, so its messages and refinements hold.
  const result = definition!.parameters!.strict().safeParse(question.values);
  return result.success
    ? { success: true, data: result.data }
    : {
        success: false,
        error: {
          issues: result.error.issues.map((i) => ({
            code: i.code,
            path: i.path.map(String),
            message: i.message,
            ...('keys' in i ? { keys: i.keys.map(String) } : {}),
          })),
        },
      };
}

start.syncPort.on('message', (question: SyncQuestion) => {
  let answer: { ok: true; value: unknown } | { ok: false; message: string };
  try {
    answer = { ok: true, value: answerSync(question) };
  } catch (error) {
    answer = { ok: false, message: (error as Error).message };
  }
  try {
    start.syncPort.postMessage(answer);
  } catch (error) {
    start.syncPort.postMessage({ ok: false, message: (error as Error).message });
  }
  Atomics.store(start.flag, 0, 1);
  Atomics.notify(start.flag, 0);
});

function staticsOf(def: RunbookDefinition): DefinitionStatics {
  const strings = (list: readonly unknown[] | undefined) => Array.from(list ?? [], String);
  return {
    id: def.id,
    version: def.version,
    title: def.title,
    description: def.description,
    sdk: def.sdk,
    capability: def.capability,
    scopes: strings(def.scopes),
    confirmationPhrase: def.confirmationPhrase,
    summaryKeys: strings(def.summaryKeys),
    resources: strings(def.resources),
    reversible: def.reversible
      ? {
          writes: Object.fromEntries(
            Object.entries(def.reversible.writes ?? {}).map(([table, columns]) => [table, strings(columns)]),
          ),
        }
      : null,
    parameters: def.parameters
      ? (z.toJSONSchema(def.parameters, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>)
      : null,
    input: def.input ?? null,
    has: {
      estimate: typeof def.estimate === 'function',
      hasAffected: typeof def.hasAffected === 'function',
      sampleChanges: typeof def.sampleChanges === 'function',
      lockRequests: typeof def.lockRequests === 'function',
      afterComplete: typeof def.afterComplete === 'function',
      afterError: typeof def.afterError === 'function',
    },
  };
}

async function load(): Promise<LoadReport> {
  let def: Partial<RunbookDefinition>;
  try {
    const mod = (await import(start.compiledEntry ?? pathToFileURL(start.entry).href)) as {
      default?: Partial<RunbookDefinition>;
    };
    if (!mod.default || typeof mod.default !== 'object')
      throw new Error('its default export is not a runbook definition');
    def = mod.default;
  } catch (error) {
    return { ok: false, id: null, reason: `failed to load: ${(error as Error)?.message ?? String(error)}` };
  }
  const id = typeof def.id === 'string' ? def.id : null;
  const problems = definitionProblems(def);
  if (problems.length > 0) return { ok: false, id, reason: problems.join('; ') };
  definition = def as RunbookDefinition;
  return { ok: true, statics: staticsOf(definition) };
}

rpc.handle('load', load);
