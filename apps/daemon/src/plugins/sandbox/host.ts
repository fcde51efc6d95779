import type { LockRequest } from '@ops/runbook-sdk';
import { PluginFaultError } from '../../runs/plugin-faults.ts';
import { IDLE_WORKERS, type SandboxLimits } from './limits.ts';
import { PluginWorker } from './plugin-worker.ts';
import type { DefinitionStatics, LoadReport } from './protocol.ts';

/**
 * One plugin's workers. Each call (a preflight, an estimate, a run) has a worker to itself, so a
 * plugin that spins or crashes takes only that call down. A worker that ends its call cleanly goes
 * back to a pool of one idle, loaded worker: starting one costs about 0.2 s (tsx and the plugin's
 * imports), more than the sampled estimate it would serve. A worker that faulted is never reused.
 * A plugin with `lockRequests` or parameters keeps one resident worker for the questions the
 * contract makes synchronous: its lock requests, and its own verdict on parameter values.
 */
export class PluginHost {
  readonly label: string;
  private readonly idle: PluginWorker[] = [];
  private readonly all = new Set<PluginWorker>();
  private resident: PluginWorker | null = null;
  private closed = false;
  /** The plugin failed on its own (a late unhandled rejection, an exit while idle). */
  onFault: ((reason: string) => void) | null = null;
  private faultReason: string | null = null;

  private constructor(
    readonly source: string,
    private readonly entry: string,
    readonly limits: SandboxLimits,
    readonly statics: DefinitionStatics,
  ) {
    this.label = `runbook ${statics.id}`;
  }

  /** Loads the plugin in a first worker; resolves with the host, or with why the plugin is refused. */
  static async load(
    source: string,
    entry: string,
    limits: SandboxLimits,
  ): Promise<{ host: PluginHost } | { refused: { id: string | null; reason: string } }> {
    const first = new PluginWorker(`plugin ${source}`, entry, limits);
    let report: LoadReport;
    try {
      report = await first.load();
    } catch (error) {
      await first.end();
      return { refused: { id: null, reason: `failed to load: ${(error as Error).message}` } };
    }
    if (!report.ok) {
      await first.end();
      return { refused: { id: report.id, reason: report.reason } };
    }
    const host = new PluginHost(source, entry, limits, report.statics);
    host.adopt(first);
    if (report.statics.has.lockRequests || report.statics.parameters) host.resident = first;
    else host.idle.push(first);
    return { host };
  }

  /** Why the plugin failed on its own, if it did. */
  get fault(): string | null {
    return this.faultReason;
  }

  /** Runs `use` on a worker of its own; the worker goes back to the pool unless it faulted. */
  async withWorker<T>(use: (worker: PluginWorker) => Promise<T>): Promise<T> {
    const worker = await this.acquire();
    try {
      return await use(worker);
    } finally {
      this.release(worker);
    }
  }

  /** The resident worker, for synchronous questions. Throws PluginFaultError when it is gone. */
  private residentWorker(): PluginWorker {
    if (!this.resident?.alive) {
      throw new PluginFaultError(`${this.label}: its worker is gone (${this.faultReason ?? 'closed'})`);
    }
    return this.resident;
  }

  lockRequests(scope: unknown): LockRequest[] {
    return this.residentWorker().lockRequests(scope);
  }

  /** The plugin's own schema's verdict on parameter values, as zod's safeParse gives it. */
  checkParameters(values: unknown): unknown {
    return this.residentWorker().askSync({ kind: 'parameters', values });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.allSettled([...this.all].map((w) => w.end()));
  }

  private async acquire(): Promise<PluginWorker> {
    if (this.closed) throw new PluginFaultError(`${this.label}: the daemon is shutting down`);
    for (let worker = this.idle.pop(); worker; worker = this.idle.pop()) {
      if (worker.alive) return worker;
    }
    const worker = this.adopt(new PluginWorker(this.label, this.entry, this.limits));
    try {
      const report = await worker.load();
      if (!report.ok) throw new PluginFaultError(`${this.label} no longer loads: ${report.reason}`);
    } catch (error) {
      await worker.end();
      throw error;
    }
    return worker;
  }

  private release(worker: PluginWorker): void {
    if (worker.alive && !this.closed && this.idle.length < IDLE_WORKERS) this.idle.push(worker);
    else if (worker.alive) void worker.end();
  }

  private adopt(worker: PluginWorker): PluginWorker {
    this.all.add(worker);
    worker.onIdleFault = (fault) => {
      this.faultReason ??= fault.message;
      this.onFault?.(fault.message);
    };
    worker.label = this.label;
    void worker.gone.then(() => this.all.delete(worker));
    return worker;
  }
}
