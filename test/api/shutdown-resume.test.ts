import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type Daemon, startDaemon } from '../../apps/daemon/src/daemon.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { waitFor } from '../support/cli.ts';
import { DEMO_PASSWORD } from '../support/daemon.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';

describe('a daemon that shuts down mid-run', () => {
  let t: TestDatabase;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-shutdown-'));
  const start = () =>
    startDaemon(
      loadConfig({
        DATABASE_URL: t.url,
        OPS_DATA_DIR: dataDir,
        OPS_CHUNK_SIZE: '200',
        OPS_HEARTBEAT_MS: '200',
      }),
      {
        host: '127.0.0.1',
        port: 0,
        demo: true,
      },
    );
  const call = async (d: Daemon, cookie: string, procedure: string, input: unknown) => {
    const res = await fetch(`${d.url}/system/api/trpc/${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: d.url, cookie },
      body: JSON.stringify(input),
    });
    return (await res.json()) as { result?: { data: Record<string, unknown> }; error?: unknown };
  };
  const signIn = async (d: Daemon) => {
    const res = await fetch(`${d.url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: d.url },
      body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
    });
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 4, findings: 6000, drift: 0.4, seed: 9 });
  });
  afterAll(async () => {
    await t.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the run paused at its checkpoint, and another daemon resumes it to the same end state', async () => {
    await slowFindingWrites(t, 100);
    const first = await start();
    const cookie = await signIn(first);
    const preflight = await call(first, cookie, 'runbooks.preflight', {
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
    });
    const affected = preflight.result!.data.affected_count as number;
    const started = await call(first, cookie, 'runbooks.run', {
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
      reasonCode: 'INCIDENT',
      reasonText: 'shutdown test',
      confirmation: 'BACKFILL',
      preflightAffectedCount: affected,
    });
    const runId = started.result!.data.runId as string;
    await waitFor(async () => {
      const [run] = await t.sql<{ processed: number }>(
        "SELECT (progress->>'processed')::int AS processed FROM ops.runs WHERE id = $1",
        [runId],
      );
      return (run?.processed ?? 0) >= 1000 ? true : undefined;
    });
    await first.stop();

    const [paused] = await t.sql<{ status: string; context: Record<string, unknown> }>(
      'SELECT status, context FROM ops.runs WHERE id = $1',
      [runId],
    );
    expect(paused!.status).toBe('paused');
    expect(paused!.context).toMatchObject({ paused_by: 'shutdown', checkpoint: expect.any(String) });
    const locks = await t.sql("SELECT 1 FROM pg_locks WHERE locktype = 'advisory'");
    expect(locks).toEqual([]); // a paused-by-shutdown run holds nothing

    await removeSlowFindingWrites(t);
    const second = await start();
    try {
      const cookie2 = await signIn(second);
      await call(second, cookie2, 'runs.resume', { id: runId });
      const [done] = await waitFor(async () => {
        const rows = await t.sql<{ status: string; outcome: string; summary: Record<string, number> }>(
          'SELECT status, outcome, summary FROM ops.runs WHERE id = $1',
          [runId],
        );
        return rows[0]?.status === 'completed' ? rows : undefined;
      });
      expect(done).toMatchObject({
        outcome: 'succeeded',
        summary: { updated_count: affected, total_scanned: 6000 },
      });
      const after = await call(second, cookie2, 'runbooks.preflight', {
        runbookId: 'findings.lifecycle.backfill',
        scope: { kind: 'all' },
      });
      expect(after.result!.data.affected_count).toBe(0);
    } finally {
      await second.stop();
    }
  });
});
