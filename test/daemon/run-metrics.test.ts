import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { createLogger, metrics } from '../../apps/daemon/src/observability/index.ts';
import { type Ops, openOps } from '../../apps/daemon/src/ops.ts';
import type { HealthProbe } from '../../apps/daemon/src/runs/db-health.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// A run in this process with a database that asks for breaks: the throttle shows as structured
// lines and in the throttle metrics, and goes back to zero when the run writes again.

const RUNBOOK = 'findings.lifecycle.backfill';

async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await (await metrics.enableMetrics()).getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('run metrics and events of throttling', () => {
  let t: TestDatabase;
  let ops: Ops;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-run-metrics-'));
  const lines: Record<string, unknown>[] = [];
  let asked = 0;
  const probe: HealthProbe = async () => (++asked <= 3 ? 'connections: 95 of 100 in use (limit 90%)' : null);

  beforeAll(async () => {
    // Metrics count once enabled (serve does this when they are exported): before the run starts.
    await metrics.enableMetrics();
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 2, findings: 600, drift: 0.5, seed: 4 });
    const config = loadConfig({ DATABASE_URL: t.url, OPS_DATA_DIR: dataDir, OPS_CHUNK_SIZE: '100' });
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      secrets: [],
      destination: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    ops = await openOps(config, { logger, healthProbe: probe });
  });
  afterAll(async () => {
    await ops?.service.shutdown();
    await ops?.close();
    await t?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts the wait by reason, logs when it starts and ends, and leaves no run counted as waiting', async () => {
    const before = await value('ops_throttle_events_total', { reason: 'connections' });
    const { run, done } = await ops.service.start({
      runbookId: RUNBOOK,
      scope: { kind: 'externalId', externalId: 'tenant-1' },
      actor: { kind: 'system', label: 'system:cli' },
    });
    const final = await done;
    expect(final.outcome).toBe('succeeded');
    expect(await value('ops_throttle_events_total', { reason: 'connections' })).toBe(before + 1);
    expect(await value('ops_runs_throttled', {})).toBe(0);
    expect(await value('ops_runs_ended_total', { runbook: RUNBOOK, outcome: 'succeeded' })).toBeGreaterThan(
      0,
    );

    const ofRun = lines.filter((l) => l.run_id === run.id);
    const events = ofRun.map((l) => l.event).filter(Boolean);
    expect(events[0]).toBe('run.executing');
    expect(events).toContain('run.throttled');
    expect(events.indexOf('run.unthrottled')).toBeGreaterThan(events.indexOf('run.throttled'));
    expect(events.at(-1)).toBe('run.ended');
    expect(ofRun.find((l) => l.event === 'run.throttled')).toMatchObject({
      reason: 'connections: 95 of 100 in use (limit 90%)',
      scope: 'tenant:tenant-1',
    });
  });
});
