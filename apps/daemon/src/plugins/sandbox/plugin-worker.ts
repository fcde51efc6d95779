import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { LockRequest, SqlExecutor } from '@ops/runbook-sdk';
import { InputError } from '../../errors.ts';
import { PluginFaultError } from '../../runs/plugin-faults.ts';
import { formatMs, LIVENESS_EVERY_MS, LOAD_TIMEOUT_MS, type SandboxLimits, SYNC_CALL_MS } from './limits.ts';
import {
  asBuffers,
  fromWireError,
  type LoadReport,
  type Message,
  toWireError,
  type WireError,
} from './protocol.ts';
import { RpcEndpoint } from './rpc.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/**
 * The compiled worker-main, when the daemon runs from its compiled build: set by
 * bin/ops-daemon.mjs; its workers then start without tsx too (worker-entry.mjs).
 */
const compiledWorker = (): string | undefined =>
  (globalThis as Record<symbol, string | undefined>)[Symbol.for('ops-daemon.compiled-worker')];

/** What a call's context offers the plugin beyond SQL: its log, a read-only transaction, chunked work. */
export interface CallHooks {
  log(message: string): void;
  readOnly?<T>(read: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  runChunked?(workId: number, hasIdBounds: boolean): Promise<unknown>;
}

/** A time limit on one call: exceeded, the worker is stopped and the call fails with `what`. */
export interface CallLimit {
  ms: number;
  /** "its preflight", "its chunk (applyChunk)". */
  what: string;
  /** The setting that sets `ms`, named in the message. */
  variable?: string;
}

// Errors the daemon sent into the worker, by ref: a plugin that rethrows one gives the daemon its
// own object back (class, SQLSTATE and all), so retries and failure isolation decide as in-process.
const SENT_ERRORS_KEPT = 256;

/**
 * One worker thread running one plugin's code, seen from the daemon: calls with time limits,
 * the SQL it sends back, and what became of it (a fault names the plugin and what happened).
 */
export class PluginWorker {
  readonly rpc: RpcEndpoint;
  /** Why the worker is gone, when it ended for the plugin's fault (not when the daemon let it go). */
  fault: PluginFaultError | null = null;
  /** Top-level calls in flight (a preflight, a run, a chunk's work call). */
  busy = 0;
  /** The worker crashed or exited while idle: a module that fails on its own. */
  onIdleFault: ((fault: PluginFaultError) => void) | null = null;
  readonly hooks = new Map<number, CallHooks>();

  private readonly worker: Worker;
  private readonly executors = new Map<number, SqlExecutor>();
  private readonly sentErrors = new Map<number, unknown>();
  private readonly syncPort: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private nextHandle = 1;
  private ended = false;

  /** Resolves when the thread is gone, whichever way it ended. */
  readonly gone: Promise<void>;

  constructor(
    /** How messages name the plugin: `runbook x.y` once its id is known. */
    public label: string,
    entry: string,
    limits: SandboxLimits,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.syncPort = port1;
    this.worker = new Worker(ENTRY, {
      workerData: { entry, compiledWorker: compiledWorker(), syncPort: port2, flag: this.flag },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
      // The plugin sees none of the daemon's environment (DATABASE_URL, OPS_SECRET…).
      env: { NODE_ENV: process.env.NODE_ENV ?? '', TZ: process.env.TZ ?? '' },
      stdout: true,
      stderr: true,
    });
    // A plugin's console output goes to the daemon's log stream, never into `--json` stdout.
    const toLog = (chunk: Buffer) => process.stderr.write(chunk);
    this.worker.stdout.on('data', toLog);
    this.worker.stderr.on('data', toLog);
    this.rpc = new RpcEndpoint({
      post: (m) => this.worker.postMessage(m),
      encodeError: (error) => this.encodeError(error),
      decodeError: (wire) => this.decodeError(wire),
    });
    this.worker.on('message', (m: Message) => this.rpc.receive(m));
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.ended = true;
      this.fail(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `${this.label} ran out of memory (${limits.memoryMb} MB, OPS_PLUGIN_MEMORY_MB) and was stopped`
          : `${this.label} crashed: ${error.message}`,
      );
    });
    this.gone = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('exit', (code) => {
      const quiet = this.ended;
      this.ended = true;
      if (!quiet) this.fail(`${this.label} exited (process.exit(${code})) and was stopped`);
    });
    this.handleUpcalls();
    this.worker.unref();
  }

  get alive(): boolean {
    return !this.ended && this.fault === null;
  }

  /** Imports the plugin in the worker; a module that does not finish loading in time is stopped. */
  load(): Promise<LoadReport> {
    return this.call<LoadReport>('load', [], { ms: LOAD_TIMEOUT_MS, what: 'loading its module' });
  }

  /** Calls `method` in the worker; past `limit` the worker is stopped and the call fails with a PluginFaultError. */
  async call<T>(method: string, args: unknown[], limit?: CallLimit): Promise<T> {
    if (this.busy++ === 0) this.worker.ref();
    const timer = limit
      ? setTimeout(
          () =>
            this.stop(
              `${this.label}: ${limit.what} did not finish within ${formatMs(limit.ms)}${limit.variable ? ` (${limit.variable})` : ''} and was stopped`,
            ),
          limit.ms,
        )
      : undefined;
    try {
      return await this.rpc.request<T>(method, args);
    } finally {
      clearTimeout(timer);
      if (--this.busy === 0) this.worker.unref();
    }
  }

  /** Lends `executor` to the worker for one call; give it back with `unregister`. */
  register(executor: SqlExecutor): number {
    const handle = this.nextHandle++;
    this.executors.set(handle, executor);
    return handle;
  }

  unregister(handle: number): void {
    this.executors.delete(handle);
  }

  /**
   * Asks every second whether the worker's event loop still turns; stops it (a synchronous loop)
   * when an answer is overdue by `limit().ms`, or when `hung()` says it holds up the daemon.
   * Returns the function that ends the watch.
   */
  watch(limit: () => { ms: number; message: string }, hung: () => string | null): () => void {
    let askedAt: number | null = null;
    const timer = setInterval(() => {
      if (!this.alive) return;
      const stuck = hung();
      if (stuck) return this.stop(`${this.label} ${stuck}`);
      const now = Date.now();
      if (askedAt === null) {
        askedAt = now;
        this.rpc.request('ping', []).then(
          () => {
            askedAt = null;
          },
          () => {},
        );
      } else if (now - askedAt > limit().ms) {
        this.stop(`${this.label} ${limit().message}`);
      }
    }, LIVENESS_EVERY_MS);
    return () => clearInterval(timer);
  }

  /**
   * Asks the worker a question the contract makes synchronous (lockRequests, a parameter check):
   * the daemon blocks on the answer, at most SYNC_CALL_MS. Throws PluginFaultError when it does
   * not answer or throws.
   */
  askSync(
    question: { kind: 'lockRequests'; scope: unknown } | { kind: 'parameters'; values: unknown },
  ): unknown {
    if (this.fault) throw this.fault;
    Atomics.store(this.flag, 0, 0);
    this.syncPort.postMessage(question);
    if (Atomics.wait(this.flag, 0, 0, SYNC_CALL_MS) === 'timed-out') {
      this.stop(
        `${this.label}: ${question.kind} did not answer within ${formatMs(SYNC_CALL_MS)} and was stopped`,
      );
      throw this.fault!;
    }
    const answer = receiveMessageOnPort(this.syncPort)?.message as
      | { ok: true; value: unknown }
      | { ok: false; message: string }
      | undefined;
    if (!answer) throw new PluginFaultError(`${this.label}: ${question.kind} gave no answer`);
    if (!answer.ok) throw new PluginFaultError(`${this.label}: ${question.kind} threw: ${answer.message}`);
    return answer.value;
  }

  /** The plugin's lockRequests(scope), checked. Throws PluginFaultError. */
  lockRequests(scope: unknown): LockRequest[] {
    const requests = this.askSync({ kind: 'lockRequests', scope }) as LockRequest[];
    const valid =
      Array.isArray(requests) &&
      requests.every(
        (r) => typeof r?.key === 'string' && r.key !== '' && (r.mode === 'exclusive' || r.mode === 'shared'),
      );
    if (!valid) {
      throw new PluginFaultError(
        `${this.label}: lockRequests returned a malformed result (want [{ key: "…", mode: "exclusive" | "shared" }])`,
      );
    }
    return requests.map((r) => ({ key: r.key, mode: r.mode }));
  }

  /** The plugin's fault: the worker is stopped and every call waiting on it fails with `message`. */
  stop(message: string): void {
    this.fail(message);
    this.ended = true;
    void this.worker.terminate();
  }

  /** The daemon lets the worker go (pool shrink, shutdown): not a fault. */
  end(): Promise<unknown> {
    this.ended = true;
    this.rpc.close(new PluginFaultError(`${this.label}: its worker was closed`));
    this.syncPort.close();
    return this.worker.terminate();
  }

  private fail(message: string): void {
    if (this.fault) return;
    const wasIdle = this.busy === 0;
    this.fault = new PluginFaultError(message);
    this.rpc.close(this.fault);
    this.syncPort.close();
    if (wasIdle) this.onIdleFault?.(this.fault);
  }

  private handleUpcalls(): void {
    this.rpc.handle('sql', async (handle: number, text: string, values: unknown[]) => {
      const executor = this.executors.get(handle);
      if (!executor) {
        throw new Error(
          'this database handle belonged to a call that has ended; use the one each call is given',
        );
      }
      const result = await executor.query(text, asBuffers(values));
      return { rows: result.rows, rowCount: result.rowCount };
    });
    this.rpc.onNote('log', (token: number, message: string) => this.hooks.get(token)?.log(message));
    this.rpc.handle('readOnly', (token: number, readId: number) => {
      const hooks = this.hooks.get(token);
      if (!hooks?.readOnly) throw new Error('readOnly is not available to this call');
      return hooks.readOnly(async (tx) => {
        const handle = this.register(tx);
        try {
          return await this.rpc.request('readBody', [readId, handle]);
        } finally {
          this.unregister(handle);
        }
      });
    });
    this.rpc.handle('runChunked', (token: number, workId: number, hasIdBounds: boolean) => {
      const hooks = this.hooks.get(token);
      if (!hooks?.runChunked) throw new Error('runChunked is only available to a run, while it runs');
      return hooks.runChunked(workId, hasIdBounds);
    });
  }

  private encodeError(error: unknown): WireError {
    const ref = this.nextHandle++;
    this.sentErrors.set(ref, error);
    if (this.sentErrors.size > SENT_ERRORS_KEPT) this.sentErrors.delete(this.sentErrors.keys().next().value!);
    return toWireError(error, ref);
  }

  private decodeError(wire: WireError): Error {
    if (wire.ref !== undefined && this.sentErrors.has(wire.ref))
      return this.sentErrors.get(wire.ref) as Error;
    if (wire.name === 'ParameterError' && typeof wire.fields.parameter === 'string') {
      return new InputError(`params.${wire.fields.parameter}`, wire.message);
    }
    return fromWireError(wire);
  }
}
