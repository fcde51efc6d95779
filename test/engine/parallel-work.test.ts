import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type OpenOptions, type Ops, openOps } from '../../apps/daemon/src/ops.ts';
import type { HealthProbe } from '../../apps/daemon/src/runs/db-health.ts';
import type { RunProgress } from '../../apps/daemon/src/runs/index.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL_TENANTS = [
  '--reason-code',
  'DATA_REPAIR',
  '--reason-text',
  'parallel test',
  '--confirm',
  'BACKFILL',
];
const FINDINGS = 6000;

const ASSIST_RUNS = fileURLToPath(new URL('../support/assist-runs.ts', import.meta.url));

/** A run's units, each with the items of its id range counted independently of the run. */
const UNITS_SQL = `
  SELECT u.unit_no, u.done, u.done_by, u.processed::text AS processed,
         (SELECT count(*) FROM findings f JOIN tenants tn ON tn.id = f.tenant_id
           WHERE tn.external_id <> 'platform' AND f.id > u.after_id AND f.id <= u.last_id)::text AS items_in_range
  FROM ops.run_work_units u WHERE u.run_id = $1 ORDER BY u.unit_no`;

interface UnitRow {
  unit_no: number;
  done: boolean;
  done_by: string | null;
  processed: string;
  items_in_range: string;
}

describe('chunked work shared by workers and daemons', () => {
  let t: TestDatabase;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-parallel-'));
  const opened: Ops[] = [];
  const open = async (env: Record<string, string>, options: OpenOptions = {}) => {
    const config = loadConfig({
      DATABASE_URL: t.url,
      OPS_DATA_DIR: dataDir,
      OPS_HEARTBEAT_MS: '200',
      ...env,
    });
    const ops = await openOps(config, { log: () => {}, ...options });
    opened.push(ops);
    return ops;
  };
  const startTenantRun = (ops: Ops, tenant: string, progress: RunProgress[]) =>
    ops.service.start({
      runbookId: RUNBOOK,
      scope: { kind: 'externalId', externalId: tenant },
      actor: { kind: 'system', label: 'system:cli' },
      onProgress: (p) => progress.push(p),
    });
  const affected = async (tenant?: string) =>
    (
      await runCli(['preflight', RUNBOOK, ...(tenant ? ['--tenant', tenant] : []), '--json'], {
        DATABASE_URL: t.url,
      })
    ).json<{
      affected_count: number;
    }>().affected_count;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 6, findings: FINDINGS, drift: 0.4, seed: 13 });
  });
  afterAll(async () => {
    for (const ops of opened) {
      await ops.service.shutdown();
      await ops.close();
    }
    await t.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('waits while the database asks for a break, and says why in the run’s progress', async () => {
    let asked = 0;
    const probe: HealthProbe = async () => (++asked <= 3 ? 'test: the database asked for a break' : null);
    const ops = await open({ OPS_CHUNK_SIZE: '200' }, { healthProbe: probe });
    const progress: RunProgress[] = [];
    const { done } = await startTenantRun(ops, 'tenant-1', progress);
    const final = await done;
    expect(final.outcome).toBe('succeeded');
    expect(progress.map((p) => p.throttled)).toContain('test: the database asked for a break');
    expect(progress.at(-1)?.throttled).toBeNull();
  });

  it('keeps a run within its write budget, saying so while it waits', async () => {
    // A chunk writes more rows than a second's budget: the wait follows on any machine, fast or loaded.
    const ops = await open({ OPS_CHUNK_SIZE: '500', OPS_WRITE_BUDGET: '100' });
    const progress: RunProgress[] = [];
    const expected = await affected('tenant-2');
    const { run, done } = await startTenantRun(ops, 'tenant-2', progress);
    const final = await done;
    expect(final.outcome).toBe('succeeded');
    expect(final.summary.updated_count).toBe(expected);
    expect(progress.map((p) => p.throttled)).toContain('write budget of 100 rows/s');
    const [work] = await t.sql<{ write_budget: number }>(
      'SELECT write_budget FROM ops.run_work WHERE run_id = $1',
      [run.id],
    );
    expect(work).toEqual({ write_budget: 100 });
  });

  it('shows "throttled: why" in exec and stops at once on Ctrl-C while throttled', async () => {
    const env = { DATABASE_URL: t.url, OPS_THROTTLE_CONNECTIONS: '0.001' };
    const child = spawnCli(['exec', RUNBOOK, '--tenant', 'tenant-3'], env);
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const result = collect(child);
    await waitFor(async () => (/throttled: connections: \d+ of \d+ in use/.test(stderr) ? true : undefined));
    child.kill('SIGINT');
    const { code, stdout } = await result;
    expect(stdout).toMatch(/completed: cancelled/);
    expect(code).toBe(1); // a cancelled run is not a success for a pipeline
  });

  it('finishes a run owned by one process and helped by another, every unit written exactly once', async () => {
    const expected = await affected();
    await slowFindingWrites(t, 60); // long enough for the helper to join
    const owner = spawnCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], {
      DATABASE_URL: t.url,
      OPS_CHUNK_SIZE: '100',
      OPS_WORKERS: '1',
    });
    const ownerDone = collect(owner);
    const runId = await waitFor(async () => {
      const rows = await t.sql<{ run_id: string }>(
        `SELECT w.run_id::text AS run_id FROM ops.run_work w JOIN ops.runs r ON r.id = w.run_id
         WHERE r.status = 'running' AND r.scope_kind = 'all'`,
      );
      return rows[0]?.run_id;
    });
    const helper = await open({ OPS_CHUNK_SIZE: '100', OPS_WORKERS: '2' });
    expect(await helper.service.assistRuns()).toEqual([runId]);
    const finished = await ownerDone;
    await removeSlowFindingWrites(t);
    expect(finished.code).toBe(0);
    expect(finished.json()).toMatchObject({
      run_id: runId,
      outcome: 'succeeded',
      summary: { updated_count: expected, total_scanned: FINDINGS },
    });

    const units = await t.sql<UnitRow>(UNITS_SQL, [runId]);
    expect(units.length).toBeGreaterThan(1);
    // Each unit is done, and walked its own items once: a range written twice would count twice.
    for (const unit of units) {
      expect({ unit: unit.unit_no, done: unit.done, processed: unit.processed }).toEqual({
        unit: unit.unit_no,
        done: true,
        processed: unit.items_in_range,
      });
    }
    expect(units.reduce((n, u) => n + Number(u.processed), 0)).toBe(FINDINGS);
    // Both processes finished units (a worker is `host:pid:nonce#n`).
    const processes = new Set(units.map((u) => u.done_by?.replace(/#\d+$/, '')));
    expect(processes.size).toBe(2);
    expect(await affected()).toBe(0);
  });

  it('finishes every unit exactly once when a helper process is killed mid-chunk', async () => {
    await t.sql('UPDATE findings SET lifecycle_version = NULL WHERE id % 3 = 0'); // work again
    const expected = await affected();
    await slowFindingWrites(t, 60);
    const env = { DATABASE_URL: t.url, OPS_CHUNK_SIZE: '100' };
    const owner = spawnCli(['exec', RUNBOOK, ...ALL_TENANTS, '--json'], { ...env, OPS_WORKERS: '1' });
    const ownerDone = collect(owner);
    const helper = spawn(process.execPath, ['--import', 'tsx', ASSIST_RUNS], {
      env: { ...process.env, ...env, OPS_WORKERS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const helperExited = new Promise((resolve) => helper.once('exit', resolve));
    // Once the helper has finished a unit it is at work on another: kill it there.
    await waitFor(async () => {
      const [row] = await t.sql<{ n: string }>(
        `SELECT count(*) AS n FROM ops.run_work_units u JOIN ops.runs r ON r.id = u.run_id
         WHERE r.status = 'running' AND u.done_by LIKE $1`,
        [`%:${helper.pid}:%`],
      );
      return Number(row!.n) > 0 ? true : undefined;
    });
    helper.kill('SIGKILL');
    await helperExited;
    const finished = await ownerDone;
    await removeSlowFindingWrites(t);
    expect(finished.code).toBe(0);
    const run = finished.json<{ run_id: string; summary: Record<string, number> }>();
    expect(run.summary).toMatchObject({ updated_count: expected, total_scanned: FINDINGS });
    const units = await t.sql<UnitRow>(UNITS_SQL, [run.run_id]);
    for (const unit of units) {
      expect({ unit: unit.unit_no, done: unit.done, processed: unit.processed }).toEqual({
        unit: unit.unit_no,
        done: true,
        processed: unit.items_in_range,
      });
    }
    expect(units.some((u) => u.done_by?.includes(`:${helper.pid}:`))).toBe(true);
    expect(await affected()).toBe(0);
  });
});
