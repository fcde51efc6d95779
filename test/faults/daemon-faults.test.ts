import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../apps/daemon/src/db/embedded.ts';
import { collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { DEMO_PASSWORD } from '../support/daemon.ts';
import { turnApprovalsOff } from '../support/database.ts';
import { type OwnPostgres, startOwnPostgres } from '../support/own-postgres.ts';

// A served daemon (`ops-daemon serve`, a process of its own) and an `exec` beside it, on a
// PostgreSQL of this test's own that the test stops and starts again, and whose connections it
// terminates by kind. Neither process may exit because of it.

const RUNBOOK = 'findings.lifecycle.backfill';
const ALL = ['--reason-code', 'INCIDENT', '--reason-text', 'restart test', '--confirm', 'BACKFILL', '--json'];

describe('a daemon and a run while PostgreSQL restarts', { timeout: 300_000 }, () => {
  let server: OwnPostgres;
  let url: string;
  let admin: pg.Pool;
  let daemon: ChildProcess;
  let daemonExit: ReturnType<typeof collect>;
  let base: string;
  let env: Record<string, string>;

  const health = async () => (await fetch(`${base}/healthz`).catch(() => null))?.status ?? 0;
  const sql = async <Row>(text: string, params: unknown[] = []) =>
    (await admin.query(text, params)).rows as Row[];

  beforeAll(async () => {
    server = await startOwnPostgres();
    const setup = new pg.Client({ connectionString: server.url });
    await setup.connect();
    await setup.query('CREATE DATABASE app');
    await setup.end();
    url = server.url.replace(/\/postgres$/, '/app');
    admin = new pg.Pool({ connectionString: url, max: 2 });
    admin.on('error', () => {});
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: url,
      OPS_HEARTBEAT_MS: '200',
      OPS_LEASE_MS: '3000',
      OPS_DB_OUTAGE_MS: '90000',
      OPS_CHUNK_SIZE: '200',
    };
    daemon = spawnCli(['serve', '--port', String(port), '--demo'], env);
    daemonExit = collect(daemon);
    await waitFor(async () => ((await health()) === 200 ? true : undefined), 90_000, 'the daemon to serve');
    await turnApprovalsOff(admin); // this suite is about faults, not four-eyes approval
  });
  afterAll(async () => {
    daemon?.kill('SIGTERM');
    await daemonExit;
    await admin?.end();
    await server?.remove();
  });

  it('serves throughout (503 while PostgreSQL is down), and the run resumes from its checkpoint with true counts', async () => {
    await sql('CREATE TABLE findings_before AS SELECT * FROM findings');
    const affectedBefore = (await runCli(['preflight', RUNBOOK, '--json'], env)).json<{
      affected_count: number;
    }>().affected_count;
    expect(affectedBefore).toBeGreaterThan(1000);
    await sql(`CREATE OR REPLACE FUNCTION test_slow_write() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN PERFORM pg_sleep(0.04); RETURN NULL; END $$`);
    await sql(`CREATE TRIGGER test_slow_write AFTER UPDATE ON public.findings
               FOR EACH STATEMENT EXECUTE FUNCTION test_slow_write()`);

    const exec = collect(spawnCli(['exec', RUNBOOK, ...ALL], env));
    const run = await waitFor(
      async () =>
        (
          await sql<{ id: string }>(
            "SELECT id FROM ops.runs WHERE status = 'running' AND (progress->>'processed')::int >= 1000",
          )
        )[0],
      60_000,
      'the run to pass 1,000 findings',
    );

    await server.stop();
    await waitFor(
      async () => ((await health()) === 503 ? true : undefined),
      30_000,
      '/healthz to answer 503',
    );
    const downSince = Date.now();
    // Down for 10 s, watching the daemon answer (503) the whole time.
    while (Date.now() - downSince < 10_000) {
      expect(await health()).toBe(503);
      expect(daemon.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 250));
    }
    await server.start();
    await waitFor(
      async () => ((await health()) === 200 ? true : undefined),
      30_000,
      '/healthz to answer 200 again',
    );

    const result = await exec;
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ run_id: run.id, outcome: 'succeeded' });
    expect(daemon.exitCode).toBeNull();

    const [changed] = await sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM findings f JOIN findings_before b USING (id) WHERE f::text <> b::text',
    );
    expect(changed!.n).toBe(affectedBefore);
    const [record] = await sql<{ summary: { updated_count: number } }>(
      'SELECT summary FROM ops.runs WHERE id = $1',
      [run.id],
    );
    expect(record!.summary.updated_count).toBe(affectedBefore);
    expect((await runCli(['preflight', RUNBOOK, '--json'], env)).json()).toMatchObject({ affected_count: 0 });
  });

  it('keeps serving when its API and sign-in connections are terminated, busy or idle', async () => {
    const signIn = () =>
      fetch(`${base}/system/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
      });
    const first = await signIn();
    expect(first.status).toBe(200);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    const runsList = () =>
      fetch(`${base}/system/api/trpc/runs.list?input=${encodeURIComponent(JSON.stringify({ limit: 5 }))}`, {
        headers: { cookie, origin: base },
      });
    expect((await runsList()).status).toBe(200);

    // A busy API connection: runs.list waits behind a lock the test holds, and is terminated.
    const locker = await admin.connect();
    await locker.query('BEGIN; LOCK TABLE ops.runs IN ACCESS EXCLUSIVE MODE');
    const blocked = runsList();
    await waitFor(
      async () =>
        (
          await sql(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
               AND application_name = 'ops-daemon' AND wait_event_type = 'Lock'`,
          )
        )[0],
      30_000,
      'the API query to wait on the lock',
    );
    await sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name IN ('ops-daemon', 'ops-daemon-auth')`,
    );
    const answer = await blocked;
    await locker.query('ROLLBACK');
    locker.release();
    // The terminated call is told as the database's state (503, in words), never as a 500.
    expect([200, 503]).toContain(answer.status);
    const body = await answer.text();
    expect(body).not.toMatch(/terminat|Connection terminated|ECONN/i);

    // Idle connections of every pool are gone too: the next calls get new ones.
    expect((await signIn()).status).toBe(200);
    expect((await runsList()).status).toBe(200);
    expect(await health()).toBe(200);
    expect(daemon.exitCode).toBeNull();
  });
});
