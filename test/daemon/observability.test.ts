import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_FOR_OUTCOME } from '../../apps/daemon/src/cli/exit-codes.ts';
import { freePort } from '../../apps/daemon/src/db/embedded.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { type SmtpPeer, startSmtpPeer, startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import { type CliResult, collect, runCli, spawnCli, waitFor } from '../support/cli.ts';
import { DEMO_PASSWORD, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { gateFindingWrites, type WriteGate } from '../support/write-gate.ts';

// `ops-daemon serve` as a process of its own, with every secret the product knows configured, a
// run held part-way by a write gate: its JSON log lines, its /metrics between two scrapes, and a
// grep of everything it printed for the secrets.

const RUNBOOK = 'findings.lifecycle.backfill';
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

/** `name{labels} value` lines of an exposition, summed over the series whose labels include `match`. */
function sample(text: string, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = line.slice(name.length).match(/^\{(.*)\}/)?.[1] ?? '';
    if (Object.entries(match).every(([k, v]) => labels.includes(`${k}="${v}"`)))
      sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

describe('ops-daemon serve: structured logs and metrics', { timeout: 240_000 }, () => {
  let t: TestDatabase;
  let smtp: SmtpPeer;
  let hook: WebhookPeer;
  let daemon: ChildProcess;
  let exited: Promise<CliResult>;
  let base: string;
  let metricsUrl: string;
  let env: Record<string, string>;
  let gate: WriteGate;
  const secrets: Record<string, string> = {
    OPS_SECRET: secret('ops-secret'),
    OPS_ALERT_SECRET_KEY: secret('alert-secret-key'),
    OPS_METRICS_TOKEN: secret('metrics-token'),
    smtpPassword: secret('smtp-password'),
    webhookSig: secret('webhook-sig'),
  };
  let runId = '';

  const scrape = async () => {
    const res = await fetch(metricsUrl, {
      headers: { authorization: `Bearer ${secrets.OPS_METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
    return res.text();
  };
  const tRpc = async (cookie: string, procedure: string, input: unknown) => {
    const res = await fetch(`${base}/system/api/trpc/${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, cookie },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { result?: { data: Record<string, unknown> }; error?: unknown };
    if (!body.result) throw new Error(`${procedure}: ${JSON.stringify(body.error)}`);
    return body.result.data;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 4, findings: 3000, drift: 0.4, seed: 5 });
    smtp = await startSmtpPeer();
    hook = await startWebhookPeer();
    const port = await freePort();
    const metricsPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    env = {
      DATABASE_URL: t.url,
      OPS_HEARTBEAT_MS: '200',
      OPS_CHUNK_SIZE: '100',
      OPS_WORKERS: '1',
      OPS_LOG_LEVEL: 'debug',
      OPS_METRICS_PORT: String(metricsPort),
      OPS_METRICS_TOKEN: secrets.OPS_METRICS_TOKEN!,
      OPS_SECRET: secrets.OPS_SECRET!,
      OPS_ALERT_SECRET_KEY: secrets.OPS_ALERT_SECRET_KEY!,
      OPS_SMTP_URL: smtp.url.replace('smtp://', `smtp://ops-mailer:${secrets.smtpPassword}@`),
      OPS_ALERT_EMAILS: 'oncall@example.com',
      OPS_TEAMS_WEBHOOK_URL: `${hook.url}?sig=${secrets.webhookSig}`,
      OPS_ALERT_ALLOW_PRIVATE_HOSTS: 'true',
      OPS_ALERT_RETRY_MS: '100',
    };
    // tenant-2's rows refuse every write: the run ends partially succeeded, and alerts go out.
    await t.sql(`
      CREATE FUNCTION test_refuse_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.tenant_id = (SELECT id FROM public.tenants WHERE external_id = 'tenant-2') THEN
          RAISE EXCEPTION 'tenant-2 rows are read-only (test trigger)';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse_tenant BEFORE UPDATE ON public.findings FOR EACH ROW
        EXECUTE FUNCTION test_refuse_tenant();
    `);
    daemon = spawnCli(['serve', '--port', String(port), '--demo'], env);
    exited = collect(daemon);
    await waitFor(
      async () => ((await fetch(`${base}/healthz`).catch(() => null))?.status === 200 ? true : undefined),
      90_000,
      'the daemon to serve',
    );
  });
  afterAll(async () => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGTERM');
    await exited;
    await gate?.remove();
    await smtp?.close();
    await hook?.close();
    await t?.drop();
  });

  it("moves the run's counters and the chunk histogram between two scrapes while the run is held part-way", async () => {
    const signIn = await fetch(`${base}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    secrets.sessionCookie = cookie.split('=').slice(1).join('=');
    secrets.sessionToken = signIn.headers.get('set-auth-token') ?? secrets.sessionCookie;

    gate = await gateFindingWrites(t, 0);
    const preflight = await tRpc(cookie, 'runbooks.preflight', {
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
    });
    const started = await tRpc(cookie, 'runbooks.run', {
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      reasonCode: 'INCIDENT',
      reasonText: 'observability test',
      confirmation: 'BACKFILL',
      preflightAffectedCount: preflight.affected_count,
    });
    runId = started.runId as string;
    const chunks = (text: string) => sample(text, 'ops_chunk_duration_seconds_count', { runbook: RUNBOOK });
    const rows = (text: string) => sample(text, 'ops_rows_updated_total', { runbook: RUNBOOK });

    // Writes let through one at a time until a chunk with updated rows shows; the next one waits.
    let first = '';
    await gate.stepUntil(async () => {
      first = await scrape();
      return chunks(first) >= 1 && rows(first) > 0;
    });
    expect(sample(first, 'ops_runs_executing', { runbook: RUNBOOK })).toBe(1);
    expect(sample(first, 'ops_runs', { status: 'running' })).toBe(1);
    expect(sample(first, 'ops_runs_started_total', { runbook: RUNBOOK })).toBe(1);
    expect(sample(first, 'ops_db_pool_connections', { pool: 'main', state: 'total' })).toBeGreaterThan(0);
    expect(sample(first, 'ops_preflight_duration_seconds_count', { runbook: RUNBOOK })).toBeGreaterThan(0);
    const [record] = await t.sql<{ status: string }>('SELECT status FROM ops.runs WHERE id = $1', [runId]);
    expect(record!.status).toBe('running');

    let second = '';
    await gate.stepUntil(async () => {
      second = await scrape();
      return chunks(second) > chunks(first) && rows(second) > rows(first);
    });
    expect(sample(second, 'ops_chunk_duration_seconds_sum', { runbook: RUNBOOK })).toBeGreaterThan(
      sample(first, 'ops_chunk_duration_seconds_sum', { runbook: RUNBOOK }),
    );

    await gate.open();
    const ended = await waitFor(
      async () => {
        const text = await scrape();
        return sample(text, 'ops_runs_ended_total', { runbook: RUNBOOK }) >= 1 ? text : undefined;
      },
      120_000,
      'the run to end in /metrics',
    );
    expect(
      sample(ended, 'ops_runs_ended_total', {
        runbook: RUNBOOK,
        status: 'completed',
        outcome: 'partially_succeeded',
      }),
    ).toBe(1);
    expect(sample(ended, 'ops_runs_executing', { runbook: RUNBOOK })).toBe(0);
    // The partial success is announced at both destinations; each attempt is counted by state.
    await waitFor(
      async () => {
        const text = await scrape();
        return sample(text, 'ops_alert_deliveries_total', { channel: 'email' }) >= 1 &&
          sample(text, 'ops_alert_deliveries_total', { channel: 'teams' }) >= 1
          ? true
          : undefined;
      },
      60_000,
      'alert deliveries in /metrics',
    );
  });

  it('answers /system/metrics on the main port only with the bearer token (401 without it)', async () => {
    const without = await fetch(`${base}/system/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(`${base}/system/metrics`, {
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${base}/system/metrics`, {
      headers: { authorization: `Bearer ${secrets.OPS_METRICS_TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(sample(await right.text(), 'ops_runs_started_total', { runbook: RUNBOOK })).toBe(1);
    // The own listener wants the token too once it is set, and serves nothing but /metrics.
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl.replace('/metrics', '/system'))).status).toBe(404);
  });

  it("logs JSON lines joined by run_id from the run's start to its outcome, chunk timings at debug", async () => {
    // An exec beside it, with the same secrets, to have the CLI's logs in the grep too.
    const exec = await runCli(
      [
        'exec',
        RUNBOOK,
        '--reason-code',
        'INCIDENT',
        '--reason-text',
        'observability test',
        '--confirm',
        'BACKFILL',
        '--json',
      ],
      env,
    );
    // Only tenant-2's refused rows are left: nothing is written, the run fails, and exec alerts too.
    expect(exec.code, exec.stderr).toBe(EXIT_FOR_OUTCOME.failed);
    expect(exec.json()).toMatchObject({ outcome: 'failed' });
    daemon.kill('SIGTERM');
    const served = await exited;
    expect(served.code, served.stderr.slice(-2000)).toBe(0);

    for (const output of [served.stderr, exec.stderr]) {
      for (const line of output.split('\n').filter(Boolean)) {
        expect(() => JSON.parse(line), line).not.toThrow();
      }
    }
    const lines = served.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofRun = lines.filter((l) => l.run_id === runId);
    expect(ofRun.length).toBeGreaterThan(3);
    for (const line of ofRun) {
      expect(line).toMatchObject({ run_id: runId, runbook: RUNBOOK, scope: 'all' });
      expect(typeof line.time).toBe('string');
    }
    expect(ofRun[0]).toMatchObject({ event: 'run.executing', level: 'info' });
    expect(ofRun.at(-1)).toMatchObject({
      event: 'run.ended',
      status: 'completed',
      outcome: 'partially_succeeded',
    });
    const chunkLines = ofRun.filter((l) => l.event === 'chunk');
    expect(chunkLines.length).toBeGreaterThan(2);
    for (const c of chunkLines) {
      expect(c.level).toBe('debug');
      expect(typeof c.ms).toBe('number');
      expect(typeof c.items).toBe('number');
    }
    expect(lines.some((l) => l.event === 'alert.delivery')).toBe(true);

    // The exec's own run, from its JSON lines on stderr: started and ended, its stdout untouched.
    const execRun = String(exec.json<{ run_id: string }>().run_id);
    // stdout is the command's own JSON lines (progress events, the result): no log line among them.
    for (const line of exec.lines()) expect(line).not.toHaveProperty('level');
    const execLines = exec.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.run_id === execRun);
    expect(execLines[0]).toMatchObject({ event: 'run.executing', runbook: RUNBOOK, scope: 'all' });
    expect(execLines.at(-1)).toMatchObject({ event: 'run.ended', outcome: 'failed' });

    // No secret anywhere in what either process printed.
    const everything = served.stdout + served.stderr + exec.stdout + exec.stderr;
    for (const [name, value] of Object.entries(secrets)) {
      expect(everything.includes(value), `${name} was logged`).toBe(false);
    }
  });
});

describe('/system/metrics without OPS_METRICS_TOKEN', { timeout: 120_000 }, () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 1, findings: 20 });
  });
  afterAll(() => d?.stop());

  it('is an unknown /system path: the same answer as any other, with or without a bearer token', async () => {
    const unknown = await fetch(`${d.url}/system/no-such-page`, { redirect: 'manual' });
    for (const headers of [{}, { authorization: 'Bearer anything-at-all-here' }] as Record<
      string,
      string
    >[]) {
      const res = await fetch(`${d.url}/system/metrics`, { headers, redirect: 'manual' });
      expect(res.status).toBe(unknown.status);
      expect(await res.text()).not.toContain('ops_runs_started_total');
    }
  });
});
