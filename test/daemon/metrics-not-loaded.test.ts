import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// prom-client costs a CLI command 0.1–0.3 s of its start on a busy machine; only a process that
// exports metrics (serve with OPS_METRICS_PORT or OPS_METRICS_TOKEN) loads it. A real `exec` process
// runs a run to its end (recording chunks, run starts and ends into the metrics API) with Node's
// module tracing on (NODE_DEBUG=module names every CommonJS file a process loads, also those an ES
// module imports): prom-client must not be among them. pg, which every command that opens the
// database loads the same way, must be: otherwise the tracing saw nothing and the test proves nothing.

const RUNBOOK = 'findings.lifecycle.backfill';

describe('ops-daemon exec without metrics configured', { timeout: 120_000 }, () => {
  let t: TestDatabase;

  beforeAll(async () => {
    // No metrics configured, whatever the environment running the tests says.
    delete process.env.OPS_METRICS_PORT;
    delete process.env.OPS_METRICS_TOKEN;
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 2, findings: 400, drift: 0.5, seed: 11 });
  });
  afterAll(() => t.drop());

  it('runs a run to its end without ever loading prom-client', async () => {
    const result = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-1', '--json'], {
      DATABASE_URL: t.url,
      OPS_CHUNK_SIZE: '100',
      NODE_DEBUG: 'module',
    });
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const run = result.json<{ outcome: string; summary: Record<string, number> }>();
    expect(run.outcome).toBe('succeeded');
    expect(run.summary.updated_count).toBeGreaterThan(0);

    const loaded = result.stderr.split('\n').filter((line) => line.startsWith('MODULE '));
    expect(loaded.some((line) => line.includes('/node_modules/pg/'))).toBe(true);
    expect(loaded.filter((line) => line.includes('prom-client'))).toEqual([]);
  });
});
