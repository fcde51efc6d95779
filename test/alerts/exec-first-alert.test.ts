import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { startDaemon } from '../../apps/daemon/src/daemon.ts';
import { type SmtpPeer, startSmtpPeer, startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import { RUNBOOK } from '../support/api-helpers.ts';
import { runCli, waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { allowFindingWrites, refuseFindingWrites } from '../support/refuse-writes.ts';

interface DeliveryRow {
  destination_kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  daemons: string[];
}

// A deploy pipeline runs `exec` where no daemon runs. The destinations were set up by a daemon
// that ran earlier (it seeds OPS_ALERT_EMAILS / OPS_TEAMS_WEBHOOK_URL) and is stopped here: the
// failure alert must still go out, from `exec` itself.
describe('exec without a daemon', () => {
  let d: TestDaemon;
  let smtp: SmtpPeer;
  let teams: WebhookPeer;
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-exec-alert-'));

  const deliveriesOf = (runId: string) =>
    d.t.sql<DeliveryRow>(
      `SELECT d.destination_kind, d.status, d.attempts, d.last_error,
              coalesce((SELECT array_agg(a.daemon ORDER BY a.attempt) FROM ops.alert_delivery_attempts a
                         WHERE a.delivery_id = d.id), '{}') AS daemons
         FROM ops.alert_deliveries d WHERE d.run_id = $1 ORDER BY d.destination_kind`,
      [runId],
    );
  const exec = (args: string[]) =>
    runCli(
      [
        'exec',
        RUNBOOK,
        ...args,
        '--reason-code',
        'INCIDENT',
        '--reason-text',
        'deploy',
        '--confirm',
        'BACKFILL',
        '--json',
      ],
      env,
    );

  beforeAll(async () => {
    [smtp, teams] = await Promise.all([startSmtpPeer(), startWebhookPeer()]);
    env = {
      OPS_DATA_DIR: dataDir,
      OPS_SECRET: 'exec-first-alert-test-secret-0123456789',
      OPS_SMTP_URL: smtp.url,
      OPS_ALERT_EMAILS: 'oncall@example.com',
      OPS_TEAMS_WEBHOOK_URL: teams.url,
      OPS_ALERT_ALLOW_PRIVATE_HOSTS: 'true',
      OPS_ALERT_RETRY_MS: '50',
      OPS_CHUNK_SIZE: '300',
    };
    d = await startTestDaemon({ tenants: 4, findings: 2000, drift: 0.4 }, env);
    env.DATABASE_URL = d.t.url;
    await d.daemon.stop(); // from here on, no daemon runs
  });
  afterAll(async () => {
    await allowFindingWrites(d.t);
    await d.t.drop();
    await Promise.all([smtp.close(), teams.close()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the failure e-mail and Teams card itself, once, before it exits with the run’s code', async () => {
    await refuseFindingWrites(d.t, 'tenant-3');
    const result = await exec([]);
    await allowFindingWrites(d.t);
    expect(result.code).toBe(4);
    const final = result.json<{ run_id: string; outcome: string }>();
    expect(final.outcome).toBe('partially_succeeded');

    // Delivered by the time exec exited: nothing else was running to send them.
    const mail = smtp.mails.find((m) => m.subject.startsWith(`Run ${final.run_id} partially succeeded`));
    expect(mail?.to).toEqual(['oncall@example.com']);
    expect(mail?.parts['text/plain']).toMatch(/tenant tenant-3: .*read-only/);
    expect(teams.posts).toHaveLength(1);
    const deliveries = await deliveriesOf(final.run_id);
    expect(deliveries.map((x) => [x.destination_kind, x.status, x.attempts])).toEqual([
      ['email', 'delivered', 1],
      ['teams', 'delivered', 1],
    ]);
    for (const x of deliveries) expect(x.daemons[0]).toMatch(/:exec$/);
    // Announced exactly once: a daemon's sweep will not announce it again.
    expect(
      await d.t.sql('SELECT run_id FROM ops.run_announcements WHERE run_id = $1', [final.run_id]),
    ).toHaveLength(1);
  }, 120_000);

  it('leaves a refused delivery pending for a daemon’s retry, with the exit code unchanged', async () => {
    smtp.refuseWith = 550;
    teams.status = 500;
    const mailsBefore = smtp.mails.length;
    // tenant-3 still has its drift: the first run could not write there.
    await refuseFindingWrites(d.t, 'all');
    const result = await exec(['--tenant', 'tenant-3']);
    await allowFindingWrites(d.t);
    expect(result.code).toBe(1);
    const final = result.json<{ run_id: string; outcome: string }>();
    expect(final.outcome).toBe('failed');

    const refused = await deliveriesOf(final.run_id);
    expect(refused.map((x) => [x.destination_kind, x.status, x.attempts])).toEqual([
      ['email', 'pending', 1],
      ['teams', 'pending', 1],
    ]);
    expect(refused[0]!.last_error).toMatch(/550/);
    expect(refused[1]!.last_error).toMatch(/500/);

    // The peers take messages again and a daemon starts: it makes the retry.
    smtp.refuseWith = null;
    teams.status = 200;
    const daemon = await startDaemon(loadConfig({ ...env, OPS_HEARTBEAT_MS: '200' }), {
      host: '127.0.0.1',
      port: 0,
      sweepMs: 500,
    });
    try {
      const retried = await waitFor(
        async () => {
          const all = await deliveriesOf(final.run_id);
          return all.every((x) => x.status === 'delivered') ? all : undefined;
        },
        30_000,
        'the daemon to retry the refused deliveries',
      );
      expect(retried.map((x) => [x.destination_kind, x.status, x.attempts])).toEqual([
        ['email', 'delivered', 2],
        ['teams', 'delivered', 2],
      ]);
      expect(retried[0]!.daemons[1]).not.toMatch(/:exec$/);
      expect(smtp.mails.length).toBe(mailsBefore + 1);
    } finally {
      await daemon.stop();
    }
  }, 120_000);
});
