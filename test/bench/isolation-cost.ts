/**
 * `npm run bench:isolation`: what running plugin code in worker threads costs a real run. The same
 * `ops-daemon exec` at N findings (default a million), each on a fresh copy of one template, with
 * plugin isolation on and off (OPS_PLUGIN_ISOLATION=off, the benchmark switch), alternating which
 * goes first. Prints min / median / max of the process's wall time and of the run itself.
 */
import { openBenchCluster } from './cluster.ts';
import { type ExecSample, measureExec } from './measurements.ts';
import { parseBenchOptions } from './options.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);
const tenantsFor = (findings: number) => Math.min(200, Math.max(5, Math.round(findings / 5000)));

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return `${s(sorted[0]!)} / ${s(median)} / ${s(sorted.at(-1)!)} s`;
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const cluster = await openBenchCluster(options.dataDir, log);
  try {
    const template = await cluster.template({
      drift: options.drift,
      seed: options.seed,
      findings: options.findings,
      tenants: tenantsFor(options.findings),
    });
    const samples: Record<'on' | 'off', ExecSample[]> = { on: [], off: [] };
    for (let run = 1; run <= options.runs; run++) {
      for (const mode of run % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const name = `bench_iso_${run}_${mode}`;
        const url = await cluster.copy(template, name);
        process.env.OPS_PLUGIN_ISOLATION = mode;
        try {
          const sample = await measureExec(url);
          samples[mode].push(sample);
          log(
            `run ${run}: isolation ${mode}: exec ${(sample.wallMs / 1000).toFixed(1)} s (run ${(sample.runMs / 1000).toFixed(1)} s), chunk p50 ${sample.chunks.p50_ms} ms`,
          );
        } finally {
          delete process.env.OPS_PLUGIN_ISOLATION;
          await cluster.drop(name);
        }
      }
    }
    const lines = [
      `| plugin isolation | exec wall, min / median / max | the run itself, min / median / max | runs |`,
      `| --- | ---: | ---: | ---: |`,
      ...(['on', 'off'] as const).map(
        (mode) =>
          `| ${mode === 'on' ? 'on (worker threads)' : 'off (in-process)'} | ${spread(samples[mode].map((s) => s.wallMs))} | ${spread(samples[mode].map((s) => s.runMs))} | ${samples[mode].length} |`,
      ),
    ];
    process.stdout.write(`${options.findings.toLocaleString('en-US')} findings\n\n${lines.join('\n')}\n`);
  } finally {
    await cluster.stop();
  }
}

await main();
