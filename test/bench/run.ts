/**
 * `npm run bench`: the runbook at scale, side by side with what a DBA would run by hand (issue 16).
 * For each data shape (`--tenants`, one template database each, seeded once and kept in the bench
 * data dir) and each of `--runs` runs, every write measurement on a fresh copy of the template:
 * - floor: the single `UPDATE … FROM (derivation)`, at default settings and with work_mem 64MB;
 * - exec: `ops-daemon exec` through the real CLI (wall time, run time, chunks, peak RSS);
 *   both with write transactions sampled from pg_stat_activity;
 * - traffic: the product stand-in (4 clients × 20 tx/s) idle, during the floor and during exec;
 * - preflight: the all-tenants count, the sampled estimate and single-tenant preflights.
 * Prints Markdown with min / median / max of every figure and the machine's load, and keeps the
 * results as JSON in the data dir (a 10,000,000-finding run compares itself with the 1,000,000 one).
 * Figures, not assertions: `npm test` times nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBenchCluster } from './cluster.ts';
import { measureExec, measureFloor, measurePreflights, pickTenants } from './measurements.ts';
import { type BenchPart, PG_SETTINGS, type PgSettingsName, parseBenchOptions } from './options.ts';
import { renderReport, type ShapeResults } from './report.ts';
import { startTraffic } from './traffic.ts';
import { sampleWriteTransactions } from './write-transactions.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Run r measures in a rotated order, so no kind always goes first (cold) or last (warm). */
function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]!);
}

const IDLE_MS = 5000;

/** Results are kept per shape and server settings: a larger run compares itself with its like. */
function resultsFile(findings: number, tenants: number, pgSettings: PgSettingsName): string {
  return `${findings}_${tenants}${pgSettings === 'default' ? '' : `_${pgSettings}`}.json`;
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const settings = PG_SETTINGS[options.pgSettings];
  const cluster = await openBenchCluster(options.dataDir, log, settings);
  const has = (part: BenchPart) => options.parts.includes(part);
  const huge = options.findings > 1_000_000;
  const shapes: ShapeResults[] = [];
  try {
    for (const tenants of options.tenants) {
      const seedStarted = performance.now();
      const template = await cluster.template({
        drift: options.drift,
        seed: options.seed,
        findings: options.findings,
        tenants,
      });
      const seedMs = performance.now() - seedStarted;
      const r: ShapeResults = {
        findings: options.findings,
        tenants,
        runs: options.runs,
        settings,
        seedMs: seedMs > 2000 ? seedMs : null,
        loadavg: [],
        floor: [],
        exec: [],
        traffic: [],
        preflight: [],
      };
      const onCopy = async <T>(name: string, measure: (url: string) => Promise<T>) => {
        const db = `bench_run_${name}`;
        const url = await cluster.copy(template, db);
        try {
          return await measure(url);
        } finally {
          await cluster.drop(db);
        }
      };
      const sampled = async <T>(url: string, measure: () => Promise<T>) => {
        const sampler = await sampleWriteTransactions(url);
        try {
          return { value: await measure(), writes: await sampler.stop() };
        } catch (error) {
          await sampler.stop().catch(() => {});
          throw error;
        }
      };

      for (let run = 1; run <= options.runs; run++) {
        r.loadavg.push(os.loadavg()[0]!);
        const kinds = rotate(
          [...(has('floor') ? (['floor'] as const) : []), ...(has('exec') ? (['exec'] as const) : [])],
          run,
        );
        for (const kind of kinds) {
          if (kind === 'floor') {
            for (const workMem of rotate([null, '64MB'] as const, run)) {
              const { value, writes } = await onCopy(`${tenants}_${run}_floor`, (url) =>
                sampled(url, () => measureFloor(url, workMem)),
              );
              log(`${tenants} tenants, run ${run}: floor (work_mem ${workMem ?? 'default'}) ${s(value.ms)}`);
              r.floor.push({ run, workMem: workMem ?? 'default', ms: value.ms, rows: value.rows, writes });
            }
          } else {
            const { value, writes } = await onCopy(`${tenants}_${run}_exec`, (url) =>
              sampled(url, () => measureExec(url)),
            );
            r.exec.push({ run, ...value, writes });
            for (const tx of writes.product.longest)
              log(`  long write transaction ${Math.round(tx.ms)} ms: ${tx.query}`);
            log(
              `${tenants} tenants, run ${run}: exec ${s(value.wallMs)} (run ${s(value.runMs)}), chunks p99 ${value.chunks.p99_ms} ms max ${value.chunks.max_ms} ms; write transactions p99 ${Math.round(writes.p99_ms)} ms max ${Math.round(writes.max_ms)} ms (${writes.longest[0]?.query ?? ''}); rss ${Math.round(value.peakRssKb / 1024)} MB`,
            );
          }
        }
        if (has('traffic')) {
          for (const kind of rotate(['floor', 'exec'] as const, run)) {
            const sample = await onCopy(`${tenants}_${run}_traffic_${kind}`, async (url) => {
              const traffic = await startTraffic(url);
              try {
                await new Promise((done) => setTimeout(done, IDLE_MS));
                traffic.mark();
                await new Promise((done) => setTimeout(done, IDLE_MS));
                const idle = await traffic.read();
                traffic.mark();
                const ms =
                  kind === 'floor' ? (await measureFloor(url, null)).ms : (await measureExec(url)).wallMs;
                return { kind, idle, during: await traffic.read(), ms };
              } finally {
                await traffic.stop();
              }
            });
            r.traffic.push({ run, ...sample });
            log(
              `${tenants} tenants, run ${run}: with traffic, ${kind} ${s(sample.ms)}; product p50/p99/max idle ${sample.idle.p50_ms.toFixed(0)}/${sample.idle.p99_ms.toFixed(0)}/${sample.idle.max_ms.toFixed(0)} ms, during ${sample.during.p50_ms.toFixed(0)}/${sample.during.p99_ms.toFixed(0)}/${sample.during.max_ms.toFixed(0)} ms`,
            );
          }
        }
        if (has('preflight')) {
          const picked = await onCopy(`${tenants}_${run}_pick`, (url) => pickTenants(url));
          const pre = await onCopy(`${tenants}_${run}_preflight`, (url) =>
            // Above a million findings the exact counts take minutes each: the estimate and one-tenant preflights only.
            measurePreflights(url, picked, huge ? [] : rotate(['default', '64MB', 'ours'] as const, run)),
          );
          r.preflight.push(pre);
          log(
            `${tenants} tenants, run ${run}: counts default ${Math.round(pre.countDefaultMs)} ms, 64MB ${Math.round(pre.count64Ms)} ms, ours ${Math.round(pre.preflightMs)} ms; estimate ${Math.round(pre.estimateMs)} ms (${pre.estimate.affected} ± ${pre.estimate.margin} vs ${pre.exact}); tenants ${pre.tenants.map((t) => `${Math.round(t.firstMs)}/${Math.round(t.againMs)} ms`).join(', ')}`,
          );
        }
      }
      r.loadavg.push(os.loadavg()[0]!);
      shapes.push(r);
      const file = path.resolve(
        options.dataDir,
        'results',
        resultsFile(options.findings, tenants, options.pgSettings),
      );
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(r, null, 2));
    }
    const baseline = (tenants: number): ShapeResults | null => {
      const file = path.resolve(
        options.dataDir,
        'results',
        resultsFile(1_000_000, tenants, options.pgSettings),
      );
      return options.findings > 1_000_000 && fs.existsSync(file)
        ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ShapeResults)
        : null;
    };
    process.stdout.write(
      `${shapes.map((shape) => renderReport(shape, baseline(shape.tenants))).join('\n\n')}\n`,
    );
  } finally {
    await cluster.stop();
  }
}

await main();
