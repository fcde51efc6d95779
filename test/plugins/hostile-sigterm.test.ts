import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { spawnCli, waitFor } from '../support/cli.ts';
import { callProcedure, DEMO_PASSWORD } from '../support/daemon.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { hostilePlugin, SPINS } from './hostile-fixtures.ts';
import { writePlugin } from './plugin-fixtures.ts';

// The chunk shows itself in pg_stat_activity (its transaction stays open on this statement), then spins.
const MARKER = 'hostile-spin-marker';
const MARKED_SPIN = `async (tx) => { await tx.query("SELECT '${MARKER}'"); for (;;) {} }`;

describe('SIGTERM to `ops-daemon serve` while a plugin spins in a chunk', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-hostile-sigterm-'));
  fs.chmodSync(root, 0o755);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-hostile-sigterm-data-'));
  const plugin = writePlugin(root, 'spins', hostilePlugin(SPINS, { applyChunk: MARKED_SPIN }));
  let t: TestDatabase;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 2, findings: 200, drift: 0.3, seed: 1 });
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t.drop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends the process, with the spinning run failed or paused, even with a long chunk limit', async () => {
    child = spawnCli(['serve', '--port', '0', '--demo'], {
      DATABASE_URL: t.url,
      OPS_DATA_DIR: dataDir,
      OPS_PLUGINS: plugin,
      OPS_HEARTBEAT_MS: '200',
      // Only the daemon's stop, not the chunk limit, can end this chunk within the test.
      OPS_CHUNK_TIMEOUT_MS: '600000',
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const url = await waitFor(
      async () => {
        if (child!.exitCode !== null) throw new Error(`serve exited:\n${output}`);
        return /serving the console at (\S+)\/system/.exec(output)?.[1];
      },
      60_000,
      'ops-daemon serve to come up',
    );
    const signIn = await fetch(`${url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const started = await callProcedure(
      url,
      'runbooks.run',
      'mutation',
      {
        runbookId: SPINS,
        scope: { kind: 'all' },
        reasonCode: 'INCIDENT',
        reasonText: 'hostile plugin test',
        confirmation: 'GO',
        preflightAffectedCount: 1,
      },
      { cookie },
    );
    expect(started.status, await started.clone().text()).toBe(200);
    const runId = ((await started.json()) as { result: { data: { runId: string } } }).result.data.runId;
    await waitFor(
      async () => {
        const { rows } = await t.db.pool.query(
          'SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1',
          [`%'${MARKER}'%`],
        );
        return rows.length > 0 ? true : undefined;
      },
      60_000,
      'the chunk to start spinning',
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    child.kill('SIGTERM');
    const deadline = new Promise<'still running'>((resolve) =>
      setTimeout(() => resolve('still running'), 60_000),
    );
    expect(await Promise.race([exited, deadline])).not.toBe('still running');

    const { rows } = await t.db.pool.query('SELECT status, outcome, context FROM ops.runs WHERE id = $1', [
      runId,
    ]);
    const run = rows[0] as { status: string; outcome: string; context: { failures?: { message: string }[] } };
    if (run.status === 'completed') {
      expect(run.outcome).toBe('failed');
      expect(run.context.failures?.at(-1)?.message).toMatch(/^runbook hostile\.chunk\.spins /);
    } else {
      expect(run.status).toBe('paused');
    }
  });
});
