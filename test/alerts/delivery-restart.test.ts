import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../apps/daemon/src/alerts/index.ts';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type Daemon, startDaemon } from '../../apps/daemon/src/daemon.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import { RUNBOOK } from '../support/api-helpers.ts';
import { runCli, waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { allowFindingWrites, refuseFindingWrites } from '../support/refuse-writes.ts';

describe('alert deliveries across daemon restarts', () => {
  let t: TestDatabase;
  let hook: WebhookPeer;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-alert-restart-'));
  const env = () => ({
    DATABASE_URL: t.url,
    OPS_DATA_DIR: dataDir,
    OPS_TEAMS_WEBHOOK_URL: hook.url,
    // Long enough that the retry after the first refusal falls after the restart.
    OPS_ALERT_RETRY_MS: '3000',
    OPS_HEARTBEAT_MS: '200',
    OPS_ALERT_ALLOW_PRIVATE_HOSTS: 'true', // the peer listens on 127.0.0.1
  });
  const start = () => startDaemon(loadConfig(env()), { host: '127.0.0.1', port: 0, sweepMs: 300 });
  const deliveriesOf = (d: Daemon, runId: string) => d.alerting.service.deliveriesForRun(runId);

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 4, findings: 1500, drift: 0.4, seed: 5 });
    hook = await startWebhookPeer();
  });
  afterAll(async () => {
    await hook.close();
    await t.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('picks a pending delivery up again in the next daemon, which delivers it', async () => {
    hook.status = 500;
    const first = await start();
    await refuseFindingWrites(t, 'tenant-1');
    const started = await first.ops.service.start({
      runbookId: RUNBOOK,
      scope: { kind: 'externalId', externalId: 'tenant-1' },
      actor: { kind: 'system', label: 'system:cli' },
    });
    const run = await started.done;
    await allowFindingWrites(t);
    expect(run.outcome).toBe('failed');
    const waiting = await waitFor(async () => {
      const [x] = await deliveriesOf(first, run.id);
      return x?.status === 'pending' && x.attempts === 1 ? x : undefined;
    });
    expect(waiting.lastError).toBe('the webhook answered HTTP 500');
    await first.stop();

    hook.status = 200;
    const second = await start();
    try {
      const delivered = await waitFor(
        async () => {
          const [x] = await deliveriesOf(second, run.id);
          return x?.status === 'delivered' ? (x as DeliveryRecord) : undefined;
        },
        20_000,
        'the delivery to be retried by the second daemon',
      );
      expect(delivered.attempts).toBe(2);
      const [a1, a2] = delivered.attemptLog;
      expect([a1!.ok, a2!.ok]).toEqual([false, true]);
      expect(a1!.daemon).not.toBe(a2!.daemon);
      expect(hook.posts).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it('announces a run that failed in the CLI while no daemon was up once: exec sends it, the next daemon not again', async () => {
    await refuseFindingWrites(t, 'tenant-2');
    const postsBefore = hook.posts.length;
    const result = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-2', '--json'], env());
    await allowFindingWrites(t);
    expect(result.code).toBe(1);
    const { run_id: runId } = result.json<{ run_id: string }>();
    // exec made the first attempt itself (test/alerts/exec-first-alert.test.ts).
    expect(hook.posts.length).toBe(postsBefore + 1);

    const daemon = await start();
    try {
      const [delivery, ...more] = await deliveriesOf(daemon, runId);
      expect(more).toEqual([]);
      expect(delivery).toMatchObject({ event: 'run.failed', status: 'delivered', attempts: 1 });
      // Announced once, however many sweeps ran since.
      await new Promise((r) => setTimeout(r, 700));
      expect(await deliveriesOf(daemon, runId)).toHaveLength(1);
      expect(hook.posts.length).toBe(postsBefore + 1);
    } finally {
      await daemon.stop();
    }
  });
});
