import os from 'node:os';
import type { ExecSample, PreflightSample } from './measurements.ts';
import { type Spread, showSpread, spreadOf } from './spread.ts';
import type { TrafficLatency } from './traffic.ts';
import type { WriteTransactions } from './write-transactions.ts';

/** Everything measured on one data shape (findings × tenants), run by run. */
export interface ShapeResults {
  findings: number;
  tenants: number;
  runs: number;
  /** The server settings set for the bench (none: PostgreSQL's defaults); absent in older results. */
  settings?: Readonly<Record<string, string>>;
  /** Seeding the template, when this invocation did it. */
  seedMs: number | null;
  /** The 1-minute load average before each run and at the end. */
  loadavg: number[];
  floor: { run: number; workMem: string; ms: number; rows: number; writes: WriteTransactions }[];
  exec: (ExecSample & { run: number; writes: WriteTransactions })[];
  traffic: {
    run: number;
    kind: 'floor' | 'exec';
    ms: number;
    idle: TrafficLatency;
    during: TrafficLatency;
  }[];
  preflight: PreflightSample[];
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const millis = (ms: number) => `${Math.round(ms)} ms`;
const times = (x: number) => `${x.toFixed(2)}×`;
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const pct = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(2)}%`;
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');

function serverSettings(r: ShapeResults): string {
  const set = Object.entries(r.settings ?? {});
  return set.length === 0 ? 'default settings' : set.map(([name, value]) => `${name} ${value}`).join(', ');
}

/** The best floor (default or 64MB work_mem) of each run, by run. */
function bestFloorByRun(r: ShapeResults): Map<number, number> {
  const best = new Map<number, number>();
  for (const f of r.floor) best.set(f.run, Math.min(best.get(f.run) ?? Number.POSITIVE_INFINITY, f.ms));
  return best;
}

/** exec ÷ the same run's best floor: a ratio on the same data in the same conditions. */
function ratios(r: ShapeResults): Spread {
  const floor = bestFloorByRun(r);
  return spreadOf(r.exec.map((e) => e.wallMs / (floor.get(e.run) ?? Number.NaN)));
}

function trafficRatios(r: ShapeResults): Spread {
  const floor = new Map(r.traffic.filter((t) => t.kind === 'floor').map((t) => [t.run, t.ms]));
  return spreadOf(
    r.traffic.filter((t) => t.kind === 'exec').map((t) => t.ms / (floor.get(t.run) ?? Number.NaN)),
  );
}

/** The shape's report as Markdown; `baseline` is the 1,000,000-finding shape, for a larger run. */
export function renderReport(r: ShapeResults, baseline: ShapeResults | null = null): string {
  const sp = (values: number[], format: (n: number) => string) => showSpread(spreadOf(values), format);
  const floorOf = (workMem: string) => r.floor.filter((f) => f.workMem === workMem);
  const execRatio = ratios(r);
  const writesP99 = spreadOf(r.exec.map((e) => e.writes.p99_ms));
  const writesMax = spreadOf(r.exec.map((e) => e.writes.max_ms));
  const productP99 = spreadOf(r.exec.map((e) => e.writes.product?.p99_ms ?? Number.NaN));
  const productMax = spreadOf(r.exec.map((e) => e.writes.product?.max_ms ?? Number.NaN));
  const longest = r.exec.flatMap((e) => e.writes.longest).sort((a, b) => b.ms - a.ms)[0];
  const traffic = (kind: 'floor' | 'exec', phase: 'idle' | 'during', key: keyof TrafficLatency) =>
    r.traffic.filter((t) => t.kind === kind).map((t) => t[phase][key]);
  const idle = (key: keyof TrafficLatency) => [
    ...traffic('floor', 'idle', key),
    ...traffic('exec', 'idle', key),
  ];
  const withTraffic = trafficRatios(r);
  const perFinding = (shape: ShapeResults) => spreadOf(shape.exec.map((e) => e.wallMs / shape.findings));

  const lines = [
    `### \`npm run bench\`: ${count(r.findings)} findings over ${count(r.tenants)} tenants, ${r.runs} runs (min / **median** / max)`,
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs, embedded PostgreSQL at ${serverSettings(r)}; every write measurement on a fresh copy of one template database. Load average (1 min) before each run and at the end: ${load(r.loadavg)}.${r.seedMs ? ` Seeding the template took ${seconds(r.seedMs)}.` : ''}`,
    '',
    '| measurement | min / **median** / max | detail |',
    '| --- | ---: | --- |',
  ];
  if (r.floor.length > 0) {
    lines.push(
      `| floor: one \`UPDATE … FROM (derivation)\`, default settings | ${sp(
        floorOf('default').map((f) => f.ms),
        seconds,
      )} | ${count(r.floor[0]?.rows ?? 0)} rows |`,
      `| floor, \`work_mem\` 64MB | ${sp(
        floorOf('64MB').map((f) => f.ms),
        seconds,
      )} | |`,
      `| floor's write transaction, seen from pg_stat_activity | ${sp(
        r.floor.map((f) => f.writes.max_ms),
        seconds,
      )} | one transaction holding every row lock it takes until it commits |`,
    );
  }
  if (r.exec.length > 0) {
    lines.push(
      `| **\`ops-daemon exec\`**, process start to exit | ${sp(
        r.exec.map((e) => e.wallMs),
        seconds,
      )} | run itself ${sp(
        r.exec.map((e) => e.runMs),
        seconds,
      )}; ${count(spreadOf(r.exec.map((e) => e.updated)).median)} rows updated |`,
      `| **exec ÷ the same run's better floor** | ${showSpread(execRatio, times)} | |`,
      `| exec time per finding | ${showSpread(perFinding(r), (ms) => `${(ms * 1000).toFixed(1)} µs`)} | |`,
      `| exec write transactions (pg_stat_activity, every 10 ms) p99 | ${showSpread(writesP99, millis)} | ${count(spreadOf(r.exec.map((e) => e.writes.count)).median)} seen a run |`,
      `| exec write transactions, longest | ${showSpread(writesMax, millis)} | longest: ${longest ? `${millis(longest.ms)}, \`${longest.query.replaceAll('|', '\\|').replaceAll('`', "'")}\`` : 'n/a'} |`,
      `| exec write transactions on the product's rows (all but the derivation into the run's own unlogged table) p99 / max | ${showSpread(productP99, millis)}; ${showSpread(productMax, millis)} | the derivation slices lock nothing the product uses |`,
      `| exec chunk duration p50 / p99 / max (medians) | ${millis(spreadOf(r.exec.map((e) => e.chunks.p50_ms)).median)} / ${millis(spreadOf(r.exec.map((e) => e.chunks.p99_ms)).median)} / ${millis(spreadOf(r.exec.map((e) => e.chunks.max_ms)).median)} | ${sp(
        r.exec.map((e) => e.chunks.chunks),
        count,
      )} chunks; last size ${sp(
        r.exec.map((e) => e.chunks.last_size),
        count,
      )} findings |`,
      `| exec peak RSS | ${sp(
        r.exec.map((e) => e.peakRssKb),
        mb,
      )} | |`,
    );
  }
  if (r.traffic.length > 0) {
    const row = (label: string, values: (key: keyof TrafficLatency) => number[]) =>
      `| product stand-in ${label}: p50 / p99 / max | ${sp(values('p50_ms'), millis)}; ${sp(values('p99_ms'), millis)}; ${sp(values('max_ms'), millis)} | ${count(spreadOf(values('transactions')).median)} transactions, ${count(spreadOf(values('errors')).median)} errors |`;
    lines.push(
      row('idle', idle),
      row('during the floor', (k) => traffic('floor', 'during', k)),
      row('during exec', (k) => traffic('exec', 'during', k)),
      `| with the product's traffic: floor / exec | ${sp(
        r.traffic.filter((t) => t.kind === 'floor').map((t) => t.ms),
        seconds,
      )}; ${sp(
        r.traffic.filter((t) => t.kind === 'exec').map((t) => t.ms),
        seconds,
      )} | exec ÷ floor ${showSpread(withTraffic, times)} |`,
    );
  }
  const p = r.preflight;
  if (p.length > 0) {
    // Above a million findings the exact count is not taken (minutes): the estimate stands alone.
    const counted = p.filter((s) => s.exact > 0);
    const estimateDetail =
      counted.length > 0
        ? `error ${counted.map((s) => `${pct((s.estimate.affected - s.exact) / s.exact)} (margin ±${pct(s.estimate.margin / s.exact).slice(1)}${Math.abs(s.estimate.affected - s.exact) <= s.estimate.margin ? '' : ', outside it'})`).join(', ')}`
        : `${count(p[0]?.estimate.affected ?? 0)} ± ${count(p[0]?.estimate.margin ?? 0)} affected (the exact count is not taken at this size)`;
    lines.push(
      `| all-tenants count, default / 64MB / run service preflight | ${sp(
        p.map((s) => s.countDefaultMs),
        seconds,
      )}; ${sp(
        p.map((s) => s.count64Ms),
        seconds,
      )}; ${sp(
        p.map((s) => s.preflightMs),
        seconds,
      )} | exact: ${count(p[0]?.exact ?? 0)} affected |`,
      `| sampled estimate | ${sp(
        p.map((s) => s.estimateMs),
        millis,
      )} | ${estimateDetail} |`,
      ...(p[0]?.tenants ?? []).map(
        (t, i) =>
          `| one tenant (${i === 0 ? 'median size' : 'largest'}, ${count(t.findings)} findings): first call (cold) / again | ${sp(
            p.map((s) => s.tenants[i]?.firstMs ?? Number.NaN),
            millis,
          )}; ${sp(
            p.map((s) => s.tenants[i]?.againMs ?? Number.NaN),
            millis,
          )} | |`,
      ),
    );
  }
  lines.push('', 'Targets (medians unless said):');
  if (r.exec.length > 0 && r.floor.length > 0) {
    lines.push(
      `- exec ≤ 0.8× the floor (median of runs) and ≤ 1.0× (worst): ${times(execRatio.median)}, ${verdict(execRatio.median <= 0.8)}; worst ${times(execRatio.max)}, ${verdict(execRatio.max <= 1)}`,
    );
  }
  if (r.exec.length > 0) {
    lines.push(
      `- write transactions ≤ 250 ms at p99 and ≤ 1 s at most (worst run), all: p99 ${millis(writesP99.max)}, ${verdict(writesP99.max <= 250)}; max ${millis(writesMax.max)}, ${verdict(writesMax.max <= 1000)}; on the product's rows: p99 ${millis(productP99.max)}, ${verdict(productP99.max <= 250)}; max ${millis(productMax.max)}, ${verdict(productMax.max <= 1000)}`,
    );
  }
  if (r.traffic.length > 0) {
    const p99 = spreadOf(traffic('exec', 'during', 'p99_ms'));
    const max = spreadOf(traffic('exec', 'during', 'max_ms'));
    lines.push(
      `- with traffic: product p99 ≤ 250 ms and max ≤ 1 s during exec (worst run): ${millis(p99.max)}, ${verdict(p99.max <= 250)}; ${millis(max.max)}, ${verdict(max.max <= 1000)}; exec ≤ 1.2× the floor: ${times(withTraffic.median)}, ${verdict(withTraffic.median <= 1.2)}`,
    );
  }
  if (p.length > 0) {
    const estimate = spreadOf(p.map((s) => s.estimateMs));
    const cold = spreadOf(p.map((s) => s.tenants[0]?.firstMs ?? Number.NaN));
    lines.push(
      `- estimate ≤ 300 ms: ${millis(estimate.median)}, ${verdict(estimate.median <= 300)}; single-tenant preflight ≤ 50 ms cold (median tenant): ${millis(cold.median)}, ${verdict(cold.median <= 50)}`,
    );
  }
  if (baseline && r.exec.length > 0 && baseline.exec.length > 0) {
    const ratio = perFinding(r).median / perFinding(baseline).median;
    const rss = spreadOf(r.exec.map((e) => e.peakRssKb)).median;
    const rssBase = spreadOf(baseline.exec.map((e) => e.peakRssKb)).median;
    lines.push(
      `- time per finding within 1.2× of ${count(baseline.findings)}: ${times(ratio)}, ${verdict(ratio <= 1.2)}; peak RSS within 10%: ${mb(rss)} vs ${mb(rssBase)} (${times(rss / rssBase)}), ${verdict(rss <= rssBase * 1.1)}`,
    );
  }
  return lines.join('\n');
}
