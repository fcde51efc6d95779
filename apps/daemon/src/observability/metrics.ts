import type pg from 'pg';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric the daemon exports, in one place: the Grafana dashboard (docs/grafana) and its test
 * name these. Callers record through these objects at any time, but prom-client is loaded (about
 * 0.1–0.3 s on a busy machine) and the metrics exist only once `enableMetrics()` ran: in `serve` with
 * OPS_METRICS_PORT or OPS_METRICS_TOKEN set, and in tests that scrape. Until then a recording is a
 * no-op, so a CLI command (exec, runbooks, runs list) never pays for metrics nobody exports.
 * One registry per process; a process running several daemons (tests) sums them.
 * Recording goes through `safely`, so a metric can never fail or delay a run.
 */

type PromClient = typeof import('prom-client');
type LabelValues<L extends string> = Partial<Record<L, string | number>>;

interface Definition<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  buckets?: number[];
}

/** A metric as callers see it: records into its prom-client metric once metrics are enabled. */
abstract class Recorder<L extends string, M> {
  protected real: M | undefined;
  constructor(readonly definition: Definition<L>) {
    defined.push(this as Recorder<string, unknown>);
  }
  /** Creates the prom-client metric in `registry` (enableMetrics). */
  abstract create(prom: PromClient, registry: Registry): void;
}

const defined: Recorder<string, unknown>[] = [];

class CounterRecorder<L extends string> extends Recorder<L, Counter<L>> {
  inc(labels?: LabelValues<L>, value?: number): void {
    if (!this.real) return;
    if (labels === undefined) this.real.inc(value);
    else this.real.inc(labels, value);
  }
  create(prom: PromClient, registry: Registry): void {
    this.real = new prom.Counter<L>({
      ...this.definition,
      labelNames: this.definition.labelNames ?? [],
      registers: [registry],
    });
  }
}

class GaugeRecorder<L extends string> extends Recorder<L, Gauge<L>> {
  constructor(
    definition: Definition<L>,
    /** Called on every scrape (prom-client's collect), with the gauge to set. */
    private readonly collect?: (gauge: Gauge<L>) => void | Promise<void>,
  ) {
    super(definition);
  }
  inc(labels: LabelValues<L>, value?: number): void {
    this.real?.inc(labels, value as number);
  }
  dec(labels: LabelValues<L>, value?: number): void {
    this.real?.dec(labels, value as number);
  }
  set(labels: LabelValues<L>, value: number): void {
    this.real?.set(labels, value);
  }
  create(prom: PromClient, registry: Registry): void {
    const collect = this.collect;
    this.real = new prom.Gauge<L>({
      ...this.definition,
      labelNames: this.definition.labelNames ?? [],
      registers: [registry],
      ...(collect
        ? {
            collect(this: Gauge<L>) {
              return collect(this);
            },
          }
        : {}),
    });
  }
}

class HistogramRecorder<L extends string> extends Recorder<L, Histogram<L>> {
  observe(labels: LabelValues<L>, value: number): void {
    this.real?.observe(labels, value);
  }
  create(prom: PromClient, registry: Registry): void {
    this.real = new prom.Histogram<L>({
      ...this.definition,
      labelNames: this.definition.labelNames ?? [],
      registers: [registry],
    });
  }
}

const counter = <L extends string>(d: Definition<L>) => new CounterRecorder<L>(d);
const histogram = <L extends string>(d: Definition<L>) => new HistogramRecorder<L>(d);
function gauge<L extends string>(
  d: Definition<L> & { collect?: (gauge: Gauge<L>) => void | Promise<void> },
): GaugeRecorder<L> {
  const { collect, ...definition } = d;
  return new GaugeRecorder<L>(definition, collect);
}

let enabling: Promise<Registry> | undefined;

/**
 * Loads prom-client, creates the registry (with Node's default process metrics) and every metric
 * defined here; recordings count from then on. Idempotent: every caller gets the one registry.
 */
export function enableMetrics(): Promise<Registry> {
  enabling ??= (async () => {
    // A dynamic import: the CLI's build keeps prom-client out of every command's start.
    const prom = await import('prom-client');
    const registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: registry });
    for (const recorder of defined) recorder.create(prom, registry);
    return registry;
  })().catch((error: unknown) => {
    enabling = undefined;
    throw error;
  });
  return enabling;
}

/** Whether enableMetrics() was called in this process (recordings count). */
export function metricsEnabled(): boolean {
  return enabling !== undefined;
}

/** Runs whose execution started in this process (a resumed run counts again). */
export const runsStarted = counter({
  name: 'ops_runs_started_total',
  help: 'Runs this process started executing, by runbook',
  labelNames: ['runbook'] as const,
});

/** How runs this process executed ended: status completed (an outcome) or paused (no outcome yet). */
export const runsEnded = counter({
  name: 'ops_runs_ended_total',
  help: 'Runs this process stopped executing, by runbook, status and outcome',
  labelNames: ['runbook', 'status', 'outcome'] as const,
});

export const runsExecuting = gauge({
  name: 'ops_runs_executing',
  help: 'Runs executing in this process now, by runbook',
  labelNames: ['runbook'] as const,
});

export const rowsUpdated = counter({
  name: 'ops_rows_updated_total',
  help: 'Rows the committed chunks of this process updated, by runbook',
  labelNames: ['runbook'] as const,
});

export const chunkDuration = histogram({
  name: 'ops_chunk_duration_seconds',
  help: 'A committed chunk, claim to commit (how long its row locks are held), by runbook',
  labelNames: ['runbook'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60],
});

/** Why a run waits between chunks, as a small fixed set (the log line has the full reason). */
export const THROTTLE_REASONS = [
  'connections',
  'replication_lag',
  'autovacuum',
  'write_budget',
  'other',
] as const;
export type ThrottleReason = (typeof THROTTLE_REASONS)[number];

export const runsThrottled = gauge({
  name: 'ops_runs_throttled',
  help: 'Runs of this process waiting between chunks now, by reason',
  labelNames: ['reason'] as const,
});

export const throttleEvents = counter({
  name: 'ops_throttle_events_total',
  help: 'Times a run of this process started waiting between chunks, by reason',
  labelNames: ['reason'] as const,
});

export const preflightDuration = histogram({
  name: 'ops_preflight_duration_seconds',
  help: "A runbook's read-only call (preflight, estimate, existence check, change sample), by runbook, kind and result",
  labelNames: ['runbook', 'kind', 'result'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
});

export const alertDeliveries = counter({
  name: 'ops_alert_deliveries_total',
  help: 'Alert delivery attempts, by channel and state (delivered, retrying, failed)',
  labelNames: ['channel', 'state'] as const,
});

export const loginThrottled = counter({
  name: 'ops_login_throttled_total',
  help: 'Sign-in attempts refused by the login throttle',
});

export const pluginFaults = counter({
  name: 'ops_plugin_faults_total',
  help: 'Plugin faults (hung or malformed plugin code, refused SQL), by runbook and where',
  labelNames: ['runbook', 'where'] as const,
});

export const ownershipEvents = counter({
  name: 'ops_run_ownership_events_total',
  help: 'Runs that lost their locks or lease, were taken over, or were reaped, by event',
  labelNames: ['event'] as const,
});

/** The daemon's pools: main (runs, API), auth (sign-in), health (/healthz). */
const pools = new Map<string, Set<pg.Pool>>();

export const poolConnections = gauge({
  name: 'ops_db_pool_connections',
  help: 'Connections of the database pools (main, auth, health), by state: total, idle, waiting clients',
  labelNames: ['pool', 'state'] as const,
  collect(gauge) {
    gauge.reset();
    for (const [name, set] of pools) {
      let total = 0;
      let idle = 0;
      let waiting = 0;
      for (const pool of set) {
        total += pool.totalCount;
        idle += pool.idleCount;
        waiting += pool.waitingCount;
      }
      gauge.set({ pool: name, state: 'total' }, total);
      gauge.set({ pool: name, state: 'idle' }, idle);
      gauge.set({ pool: name, state: 'waiting' }, waiting);
    }
  },
});

export const poolMax = gauge({
  name: 'ops_db_pool_max_connections',
  help: 'The size limit of each database pool',
  labelNames: ['pool'] as const,
  collect(gauge) {
    gauge.reset();
    for (const [name, set] of pools) {
      let max = 0;
      for (const pool of set) max += pool.options.max ?? 10;
      gauge.set({ pool: name }, max);
    }
  },
});

/** Statuses a run waits or works in; completed runs are counted by ops_runs_ended_total. */
const OPEN_STATUSES = ['queued', 'running', 'paused'] as const;

export const runsByStatus = gauge({
  name: 'ops_runs',
  help: "Runs not yet completed in the database (every daemon's), by status: queued, running, paused",
  labelNames: ['status'] as const,
  async collect(gauge) {
    const pool = [...(pools.get('main') ?? [])][0];
    if (!pool) return;
    try {
      // Bounded: a scrape must not wait behind a busy database (the series then keep their last value).
      const { rows } = await pool.query<{ status: string; n: number }>({
        text: `SELECT status, count(*)::int AS n FROM ops.runs WHERE status = ANY($1) GROUP BY status`,
        values: [OPEN_STATUSES],
        query_timeout: 2000,
      } as pg.QueryConfig);
      for (const status of OPEN_STATUSES)
        gauge.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
    } catch {
      // the database is away: /healthz says so; metrics stay up
    }
  },
});

/** Reports a pool's usage on every scrape until the returned function is called (at close). */
export function watchPool(name: 'main' | 'auth' | 'health', pool: pg.Pool): () => void {
  const set = pools.get(name) ?? new Set();
  pools.set(name, set);
  set.add(pool);
  return () => set.delete(pool);
}

/** Runs a recording; a failing one is dropped, never the caller's problem. */
export function safely(record: () => void): void {
  try {
    record();
  } catch {
    // a metric is not worth a run
  }
}

/** A committed chunk: the chunk histogram and the rows counter; never throws. */
export function recordChunk(runbook: string, chunk: { ms: number; updated: number }): void {
  safely(() => {
    chunkDuration.observe({ runbook }, chunk.ms / 1000);
    if (chunk.updated > 0) rowsUpdated.inc({ runbook }, chunk.updated);
  });
}

/** The throttle reason's kind, from the text db-health.ts and the chunk driver give. */
export function throttleReasonOf(reason: string): ThrottleReason {
  if (reason.startsWith('connections')) return 'connections';
  if (reason.startsWith('replication lag')) return 'replication_lag';
  if (reason.startsWith('autovacuum')) return 'autovacuum';
  if (reason.startsWith('write budget')) return 'write_budget';
  return 'other';
}

/** The exposition text, and its content type. */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  const registry = await enableMetrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
