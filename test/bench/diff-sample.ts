/**
 * `npm run bench:diff`: what "rehearse with a diff" costs (issue 14). At 1,000,000 findings (one
 * template per tenant shape, seeded once in the data dir), for each of `--runs` runs, the findings
 * plugin's `sampleChanges` as the daemon runs it: one connection, a READ ONLY transaction, under
 * default settings, for
 * - all tenants, 20 rows (the console's sample) and 100 rows (the most `--diff` takes);
 * - one tenant (the template's first customer tenant), 20 rows.
 * Prints min / median / max of each, the rows and tenants the sample covered, and the machine's load.
 * The target: ≤ 1 s at 1,000,000 findings. Figures, not assertions. Flags as `npm run bench`
 * (--findings, --tenants, --runs, --seed, --drift); --data-dir defaults to .bench-data/diff, its
 * own embedded cluster, so it never meets a `npm run bench` running at the same time.
 */
import os from 'node:os';
import type { ChangeSampleRow, ResolvedScope } from '@ops/runbook-sdk';
import pg from 'pg';
import { lifecycleSampleChanges } from '../../plugins/findings-lifecycle-backfill/src/diff.ts';
import { openBenchCluster } from './cluster.ts';
import { parseBenchOptions } from './options.ts';
import { spreadOf } from './spread.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Case {
  name: string;
  scope: ResolvedScope;
  limit: number;
}

/** One sample in its own READ ONLY transaction on `client`: wall time and what it returned. */
async function measureSample(client: pg.Client, c: Case): Promise<{ ms: number; rows: ChangeSampleRow[] }> {
  const db = {
    async query<Row>(
      text: string | { text: string; values?: readonly unknown[] },
      params?: readonly unknown[],
    ) {
      const q = typeof text === 'string' ? { text, values: [...(params ?? [])] } : text;
      const result = await client.query(q.text, [...(q.values ?? [])]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
  const started = performance.now();
  await client.query('BEGIN READ ONLY');
  try {
    const rows = await lifecycleSampleChanges({ db, params: {}, log: () => {} } as never, c.scope, {
      limit: c.limit,
    });
    return { ms: performance.now() - started, rows };
  } finally {
    await client.query('ROLLBACK');
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const ownDir = argv.some((a) => a.startsWith('--data-dir')) || process.env.npm_config_data_dir;
  const options = parseBenchOptions(ownDir ? argv : [...argv, '--data-dir', '.bench-data/diff']);
  const cluster = await openBenchCluster(options.dataDir, log);
  const lines: string[] = [];
  try {
    for (const tenants of options.tenants) {
      const template = await cluster.template({
        drift: options.drift,
        seed: options.seed,
        findings: options.findings,
        tenants,
      });
      const client = new pg.Client({ connectionString: cluster.url(template) });
      await client.connect();
      try {
        const first = await client.query<{ id: string; external_id: string; name: string }>(
          `SELECT id::text, external_id, name FROM public.tenants WHERE external_id <> 'platform' ORDER BY id LIMIT 1`,
        );
        const t = first.rows[0]!;
        const cases: Case[] = [
          { name: 'all tenants, 20 rows', scope: { kind: 'all' }, limit: 20 },
          { name: 'all tenants, 100 rows', scope: { kind: 'all' }, limit: 100 },
          {
            name: `one tenant (${t.external_id}), 20 rows`,
            scope: { kind: 'tenant', tenantId: Number(t.id), externalId: t.external_id, name: t.name },
            limit: 20,
          },
        ];
        const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
        const shape = new Map<string, string>();
        const loads = [os.loadavg()[0]!];
        for (let run = 1; run <= options.runs; run++) {
          for (const c of cases) {
            const { ms, rows } = await measureSample(client, c);
            times.get(c.name)!.push(ms);
            const keys = new Set(rows.map((r) => r.key)).size;
            const inTenants = new Set(rows.map((r) => r.tenant)).size;
            shape.set(c.name, `${keys} findings, ${rows.length} fields, ${inTenants} tenants`);
            log(`${tenants} tenants, run ${run}: ${c.name}: ${ms.toFixed(0)} ms (${shape.get(c.name)})`);
          }
        }
        loads.push(os.loadavg()[0]!);
        lines.push(
          `### Change sample (sampleChanges) at ${options.findings.toLocaleString('en-US')} findings, ${tenants} tenants, drift ${options.drift} (${options.runs} runs)`,
          '',
          `Load average (1 min) ${loads.map((l) => l.toFixed(1)).join(' → ')} on ${os.cpus().length} cores. Target ≤ 1 s.`,
          '',
          '| Sample | min | median | max | covered |',
          '| --- | --- | --- | --- | --- |',
          ...cases.map((c) => {
            const s = spreadOf(times.get(c.name)!);
            const ms = (v: number) => `${v.toFixed(0)} ms`;
            return `| ${c.name} | ${ms(s.min)} | ${ms(s.median)} | ${ms(s.max)} | ${shape.get(c.name)} |`;
          }),
          '',
        );
      } finally {
        await client.end();
      }
    }
  } finally {
    await cluster.stop();
  }
  process.stdout.write(lines.join('\n'));
}

await main();
