/**
 * `npm run bench`: the runbook at scale, side by side with what a DBA would run by hand. Seeds (once,
 * kept as template databases in the bench data dir) N findings and N/10 findings, then per run, each
 * on a fresh copy of the template: the single-statement floor at default settings and with work_mem
 * 64MB, `ops-daemon exec` through the real CLI, the preflights and the estimate, and exec at N/10 for
 * its peak RSS. Prints a Markdown table of medians. Figures, not assertions: `npm test` times nothing.
 */
import { openBenchCluster } from './cluster.ts';
import {
  type ExecSample,
  measureExec,
  measureFloor,
  measurePreflights,
  type PreflightSample,
  pickTenants,
} from './measurements.ts';
import { parseBenchOptions } from './options.ts';
import { type BenchResults, renderReport } from './report.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The README's data shape: about 5,000 findings a tenant, 200 tenants at a million. */
const tenantsFor = (findings: number) => Math.min(200, Math.max(5, Math.round(findings / 5000)));

/** Run r measures in a rotated order, so no kind always goes first (cold) or last (warm). */
function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]!);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const cluster = await openBenchCluster(options.dataDir, log);
  try {
    const seed = { drift: options.drift, seed: options.seed };
    const smallFindings = Math.max(1000, Math.round(options.findings / 10));
    const big = await cluster.template({
      ...seed,
      findings: options.findings,
      tenants: tenantsFor(options.findings),
    });
    const small = await cluster.template({
      ...seed,
      findings: smallFindings,
      tenants: tenantsFor(smallFindings),
    });
    const tenants = await pickTenants(cluster.url(big));

    const results: BenchResults = {
      findings: options.findings,
      smallFindings,
      runs: options.runs,
      floorDefaultMs: [],
      floor64Ms: [],
      floorRows: 0,
      exec: [],
      smallExec: [],
      preflight: [],
    };
    const onCopy = async <T>(template: string, name: string, measure: (url: string) => Promise<T>) => {
      const url = await cluster.copy(template, `bench_run_${name}`);
      try {
        return await measure(url);
      } finally {
        await cluster.drop(`bench_run_${name}`);
      }
    };

    for (let run = 1; run <= options.runs; run++) {
      for (const kind of rotate(['floor-default', 'floor-64MB', 'exec'] as const, run)) {
        if (kind === 'exec') {
          const sample: ExecSample = await onCopy(big, `${run}_exec`, measureExec);
          results.exec.push(sample);
          log(
            `run ${run}: exec ${(sample.wallMs / 1000).toFixed(1)} s (run ${(sample.runMs / 1000).toFixed(1)} s), chunks p99 ${sample.chunks.p99_ms} ms max ${sample.chunks.max_ms} ms, rss ${Math.round(sample.peakRssKb / 1024)} MB`,
          );
        } else {
          const workMem = kind === 'floor-64MB' ? '64MB' : null;
          const { ms, rows } = await onCopy(big, `${run}_${kind.replace('-', '_')}`, (url) =>
            measureFloor(url, workMem),
          );
          (workMem ? results.floor64Ms : results.floorDefaultMs).push(ms);
          results.floorRows = rows;
          log(`run ${run}: ${kind} ${(ms / 1000).toFixed(1)} s (${rows} rows)`);
        }
      }
      const order = rotate(['default', '64MB', 'ours'] as const, run);
      const pre: PreflightSample = await onCopy(big, `${run}_preflight`, (url) =>
        measurePreflights(url, tenants, order),
      );
      results.preflight.push(pre);
      log(
        `run ${run}: counts default ${Math.round(pre.countDefaultMs)} ms, 64MB ${Math.round(pre.count64Ms)} ms, ours ${Math.round(pre.preflightMs)} ms; estimate ${Math.round(pre.estimateMs)} ms (${pre.estimate.affected} ± ${pre.estimate.margin} vs ${pre.exact}); tenants ${pre.tenants.map((t) => `${Math.round(t.firstMs)}/${Math.round(t.againMs)} ms`).join(', ')}`,
      );
      const smallExec: ExecSample = await onCopy(small, `${run}_small_exec`, measureExec);
      results.smallExec.push(smallExec);
      log(`run ${run}: exec at ${smallFindings} findings, rss ${Math.round(smallExec.peakRssKb / 1024)} MB`);
    }
    process.stdout.write(`${renderReport(results)}\n`);
  } finally {
    await cluster.stop();
  }
}

await main();
