/**
 * `npm run bench:sandbox`: what running plugin code in a worker thread costs per SQL statement.
 * A plugin's preflight sends N statements through `ctx.db.query` to an executor that answers at
 * once (no database), so the time is the round trip alone: MessagePort to the daemon's thread and
 * back. Measured from the plugin's side, isolated and in-process, with min / median / p99 / max.
 * Also the cost of a preflight call itself (taking a pooled worker, the call, the answer).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunbookDefinition, SqlExecutor } from '@ops/runbook-sdk';
import { loadPlugins } from '../../apps/daemon/src/plugins/index.ts';
import { REPO } from '../plugins/plugin-fixtures.ts';

const STATEMENTS = Number(process.argv[2] ?? 20_000);
const CALLS = Number(process.argv[3] ?? 200);

const PLUGIN = `import { defineRunbook } from '@ops/runbook-sdk';
import { z } from 'zod';
export default defineRunbook({
  id: 'bench.sandbox.rpc', version: '1.0.0', title: 'RPC', description: 'measures the statement round trip',
  sdk: '^2.0.0', capability: 'platform.runbooks.bench', scopes: ['all'], confirmationPhrase: 'GO',
  parameters: z.object({ n: z.number().int().min(0).default(0) }),
  async preflight(ctx) {
    const n = Number(ctx.params.n ?? 0);
    const took = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await ctx.db.query('SELECT $1::int AS n', [i]);
      took[i] = performance.now() - t;
    }
    took.sort();
    const at = (q) => (n ? took[Math.min(n - 1, Math.floor(q * n))] * 1000 : 0);
    return { affected_count: 0, min_us: at(0), median_us: at(0.5), p99_us: at(0.99), max_us: n ? took[n - 1] * 1000 : 0 };
  },
  run: async () => ({}),
});
`;

/** Answers every statement at once: only the transport is timed. */
const instant: SqlExecutor = {
  query: async () => ({ rows: [{ n: 1 }] as never[], rowCount: 1 }),
} as SqlExecutor;

function quantiles(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { min: sorted[0]!, median: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

async function measure(def: RunbookDefinition, label: string) {
  const ctx = { db: instant, params: { n: STATEMENTS }, log: () => {} };
  await def.preflight({ ...ctx, params: { n: 1000 } }, { kind: 'all' }); // warm up (JIT)
  const r = (await def.preflight(ctx, { kind: 'all' })) as unknown as Record<string, number>;
  const calls: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await def.preflight({ ...ctx, params: { n: 0 } }, { kind: 'all' });
    calls.push(performance.now() - t);
  }
  const c = quantiles(calls);
  const f = (n: number) => n.toFixed(1);
  process.stdout.write(
    `| ${label} | ${f(r.min_us!)} / ${f(r.median_us!)} / ${f(r.p99_us!)} / ${f(r.max_us!)} µs | ${f(c.min * 1000)} / ${f(c.median * 1000)} / ${f(c.p99 * 1000)} / ${f(c.max * 1000)} µs |\n`,
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-sandbox-'));
try {
  const plugin = path.join(dir, 'rpc');
  fs.mkdirSync(plugin);
  fs.writeFileSync(
    path.join(plugin, 'package.json'),
    JSON.stringify({ name: 'rpc', type: 'module', exports: './index.ts' }),
  );
  fs.writeFileSync(path.join(plugin, 'index.ts'), PLUGIN);
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(plugin, 'node_modules'));
  process.stdout.write(
    `${STATEMENTS} statements, ${CALLS} empty preflight calls; min / median / p99 / max\n\n| plugin code | per statement (round trip) | per preflight call |\n| --- | ---: | ---: |\n`,
  );
  for (const isolation of [false, true]) {
    const registry = await loadPlugins([plugin], { isolation });
    const def = registry.runbooks.get('bench.sandbox.rpc');
    if (!def) throw new Error(`the bench plugin was refused: ${JSON.stringify(registry.unavailable)}`);
    await measure(def, isolation ? 'worker thread (sandbox)' : 'in-process (OPS_PLUGIN_ISOLATION=off)');
    await registry.close?.();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
