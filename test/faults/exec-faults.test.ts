import { afterEach, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { type CliResult, collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { leaseRunOut } from '../support/run-lease.ts';
import { slowFindingWrites } from '../support/slow-writes.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { logFindingWrites, overlapping, writeSpans } from '../support/write-log.ts';

// Faults injected into a real `ops-daemon exec` process on a real PostgreSQL: its connections are
// terminated by kind (pg_terminate_backend), or all cut at once by a TCP proxy. Each case checks
// the process's exit code and last JSON line, and then the data itself: every affected finding
// changed exactly once, the run record counts what was written, a new preflight finds nothing.

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL = ['--reason-code', 'INCIDENT', '--reason-text', 'fault test', '--confirm', 'BACKFILL', '--json'];

interface Fixture {
  t: TestDatabase;
  env: Record<string, string>;
  affectedBefore: number;
}

let fixture: Fixture | null = null;
let proxy: TcpProxy | null = null;
afterEach(async () => {
  await proxy?.close();
  proxy = null;
  await fixture?.t.drop();
  fixture = null;
});

/** A database with drifted findings, writes slowed so faults land mid-run, and a write log. */
async function prepare(env: Record<string, string> = {}): Promise<Fixture> {
  const t = await createTestDatabase();
  await seedDemoData(t.db.pool, { tenants: 5, findings: 6000, drift: 0.5, seed: 11 });
  await t.sql('CREATE TABLE findings_before AS SELECT * FROM findings');
  await slowFindingWrites(t, 40);
  await logFindingWrites(t);
  const base = {
    DATABASE_URL: t.url,
    OPS_CHUNK_SIZE: '200',
    OPS_HEARTBEAT_MS: '200',
    OPS_LEASE_MS: '2000',
    OPS_DB_OUTAGE_MS: '30000',
    ...env,
  };
  const preflight = await runCli(['preflight', RUNBOOK, '--json'], base);
  fixture = { t, env: base, affectedBefore: preflight.json<{ affected_count: number }>().affected_count };
  return fixture;
}

async function runPassing(f: Fixture, processed: number): Promise<string> {
  const run = await waitFor(
    async () =>
      (
        await f.t.sql<{ id: string }>(
          "SELECT id FROM ops.runs WHERE status = 'running' AND (progress->>'processed')::int >= $1",
          [processed],
        )
      )[0],
    180_000,
    `the run to pass ${processed} findings`,
  );
  return run.id;
}

async function terminate(f: Fixture, applicationName: string): Promise<number> {
  const rows = await f.t.sql<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
    [applicationName],
  );
  return rows.filter((r) => r.ok).length;
}

/** The data, checked independently of what the runs say about themselves. */
async function expectRepairedOnce(f: Fixture, runIds: string[]): Promise<void> {
  const [changed] = await f.t.sql<{ n: number }>(
    'SELECT count(*)::int AS n FROM findings f JOIN findings_before b USING (id) WHERE f::text <> b::text',
  );
  expect(changed!.n).toBe(f.affectedBefore);
  const runs = await f.t.sql<{ id: string; summary: { updated_count?: number } }>(
    'SELECT id, summary FROM ops.runs WHERE id = ANY($1::bigint[]) ORDER BY id',
    [runIds],
  );
  expect(runs.reduce((sum, r) => sum + (r.summary.updated_count ?? 0), 0)).toBe(f.affectedBefore);
  const spans = await writeSpans(f.t);
  expect(spans.every((s) => s.run_id !== null)).toBe(true);
  expect(overlapping(spans)).toEqual([]);
  const after = await runCli(['preflight', RUNBOOK, '--json'], f.env);
  expect(after.json()).toMatchObject({ affected_count: 0 });
}

/** What a failed expectation on a process shows: the end of its output. */
function tail(result: CliResult): string {
  return `stdout: ${result.stdout.slice(-1500)}\nstderr: ${result.stderr.slice(-3000)}`;
}

function lastLine(result: CliResult) {
  return result.json<{ run_id?: string; outcome?: string; status?: string; error?: { code: string } }>();
}

// Real processes on a loaded machine: generous deadlines; every wait inside is on a condition.
describe('exec when its connections are terminated', { timeout: 300_000 }, () => {
  for (const [kind, applicationName] of [
    ['its pool (chunk workers, progress, audit)', 'ops-daemon'],
    ['its lock connection', 'ops-daemon-lock'],
  ] as const) {
    it(`finishes the run exactly once when ${kind} is terminated mid-run`, async () => {
      const f = await prepare();
      const exec = collect(spawnCli(['exec', RUNBOOK, ...ALL], f.env));
      const runId = await runPassing(f, 1000);
      expect(await terminate(f, applicationName)).toBeGreaterThan(0);
      const result = await exec;
      expect(result.code, tail(result)).toBe(0);
      expect(lastLine(result)).toMatchObject({ run_id: runId, outcome: 'succeeded' });
      await expectRepairedOnce(f, [runId]);
    });
  }

  it('never lets another exec write the scope while the first is cut off, until its lease has run out', async () => {
    // The first exec reaches the database through a proxy the test cuts; the others connect directly.
    const f = await prepare({ OPS_LEASE_MS: '5000' });
    proxy = await startTcpProxy(f.t.url);
    const first = collect(spawnCli(['exec', RUNBOOK, ...ALL], { ...f.env, DATABASE_URL: proxy.url }));
    const runId = await runPassing(f, 600);
    proxy.refuse(); // its locks die with its connections; its lease stays until it runs out

    const second = await runCli(['exec', RUNBOOK, ...ALL], f.env);
    const [lease] = await f.t.sql<{ valid: boolean }>(
      'SELECT expires_at > clock_timestamp() AS valid FROM ops.run_leases WHERE run_id = $1',
      [runId],
    );
    if (lease!.valid) {
      // Refused while the lease holds, although the advisory locks were free.
      expect(second.code).toBe(3);
      expect(lastLine(second).error?.code).toBe('CONFLICT');
    }
    await leaseRunOut(f.t, runId, "the cut-off run's lease to run out");
    const third = await runCli(['exec', RUNBOOK, ...ALL], f.env);
    expect(third.code).toBe(0);
    expect(third.lines()).toContainEqual(expect.objectContaining({ event: 'interrupted', run_id: runId }));
    const thirdRunId = lastLine(third).run_id!;

    proxy.accept(); // the first exec is back: fenced out, it stops without writing
    const firstResult = await first;
    expect(firstResult.code, tail(firstResult)).toBe(1);
    expect(lastLine(firstResult)).toMatchObject({ run_id: runId, status: 'completed', outcome: 'failed' });
    const spans = await writeSpans(f.t);
    expect(spans.map((s) => s.run_id)).toEqual([runId, thirdRunId]);
    await expectRepairedOnce(f, [runId, thirdRunId]);
  });
});

describe('exec when the database goes away', { timeout: 300_000 }, () => {
  it('exits 5 with a result line; the next exec ends the run as interrupted with its true counts and finishes', async () => {
    const f = await prepare({ OPS_DB_OUTAGE_MS: '2000' });
    proxy = await startTcpProxy(f.t.url);
    f.env.DATABASE_URL = proxy.url;

    const exec = collect(spawnCli(['exec', RUNBOOK, ...ALL], f.env));
    const runId = await runPassing(f, 1000);
    proxy.refuse();
    const result = await exec;
    expect(result.code).toBe(5);
    expect(lastLine(result)).toMatchObject({
      run_id: runId,
      status: 'interrupted',
      error: { code: 'DATABASE_UNAVAILABLE' },
    });
    expect(JSON.stringify(lastLine(result))).not.toMatch(/Connection terminated|ECONNRESET|ECONNREFUSED/);

    proxy.accept();
    await leaseRunOut(f.t, runId, "the stopped run's lease to run out");
    const next = await runCli(['exec', RUNBOOK, ...ALL], f.env);
    expect(next.code).toBe(0);
    expect(next.lines()).toContainEqual(expect.objectContaining({ event: 'interrupted', run_id: runId }));
    const newRunId = lastLine(next).run_id!;
    await expectRepairedOnce(f, [runId, newRunId]);
  });
});
