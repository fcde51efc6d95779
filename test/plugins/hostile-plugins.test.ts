import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../apps/daemon/src/runs/index.ts';
import { errorOf } from '../support/api-helpers.ts';
import { runCli, waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { hostilePlugin, SPINNING_CHUNK, SPINS } from './hostile-fixtures.ts';
import { writePlugin } from './plugin-fixtures.ts';

const LIMITS = { OPS_CHUNK_TIMEOUT_MS: '2000', OPS_PREFLIGHT_TIMEOUT_MS: '1500', OPS_PLUGIN_MEMORY_MB: '64' };

describe('hostile plugins run off the daemon event loop', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-hostile-'));
  fs.chmodSync(root, 0o755);
  const plugins = [
    writePlugin(root, 'spins', hostilePlugin(SPINS, { applyChunk: SPINNING_CHUNK })),
    writePlugin(
      root,
      'memory',
      hostilePlugin('hostile.chunk.memory', {
        applyChunk: 'async () => { const kept = []; for (;;) kept.push(new Array(1e6).fill(1)); }',
      }),
    ),
    writePlugin(root, 'exits', hostilePlugin('hostile.chunk.exits', { applyChunk: '() => process.exit(3)' })),
    writePlugin(
      root,
      'hangs',
      hostilePlugin('hostile.preflight.hangs', { preflight: '() => new Promise(() => {})' }),
    ),
    writePlugin(
      root,
      'sleeps',
      hostilePlugin('hostile.preflight.sleeps', {
        preflight:
          "async (ctx) => { await ctx.db.query('SELECT pg_sleep(600)'); return { affected_count: 1 }; }",
      }),
    ),
    writePlugin(
      root,
      'late',
      hostilePlugin('hostile.late.rejection', {
        top: "setTimeout(() => { Promise.reject(new Error('late boom')); }, 300);",
      }),
    ),
  ];
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let tenantIds: number[];

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 3, findings: 600 }, { OPS_PLUGINS: plugins.join(','), ...LIMITS });
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    const rows = await d.t.sql<{ id: string }>(
      "SELECT id FROM tenants WHERE external_id LIKE 'tenant-%' ORDER BY id",
    );
    tenantIds = rows.map((r) => Number(r.id));
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const startRun = async (runbookId: string, tenantId: number) => {
    const scope = { kind: 'tenant' as const, tenantId };
    const preflight = await api.runbooks.preflight.mutate({ runbookId, scope });
    const { runId } = await api.runbooks.run.mutate({
      runbookId,
      scope,
      preflightAffectedCount: preflight.affected_count,
    });
    return runId;
  };
  const ended = (runId: string) =>
    waitFor(
      async () => {
        const run = await api.runs.get.query({ id: runId });
        return run.status === 'completed' ? (run as RunRecord) : undefined;
      },
      60_000,
      `run ${runId} to end`,
    );
  const reasonOf = (run: RunRecord) => (run.context.failures as { message: string }[]).at(-1)!.message;
  const health = async () => (await fetch(`${d.url}/healthz`)).status;

  it('keeps /healthz and other runs going while a chunk spins, then fails the run naming the plugin and the limit', async () => {
    const spinning = await startRun(SPINS, tenantIds[0]!);
    const answers: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) answers.push(await health());
    })();
    try {
      const other = await ended(await startRun('findings.lifecycle.backfill', tenantIds[1]!));
      expect(other.outcome).toBe('succeeded');
      const run = await ended(spinning);
      expect(run.outcome).toBe('failed');
      expect(reasonOf(run)).toMatch(
        /^runbook hostile\.chunk\.spins: its chunk \(applyChunk\) did not finish within 2 s \(OPS_CHUNK_TIMEOUT_MS\) and was stopped$/,
      );
    } finally {
      polling = false;
      await poller;
    }
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 200)).toBe(true);
  });

  it('fails a chunk that allocates without bound, naming the memory limit', async () => {
    const run = await ended(await startRun('hostile.chunk.memory', tenantIds[0]!));
    expect(run.outcome).toBe('failed');
    expect(reasonOf(run)).toMatch(
      /^runbook hostile\.chunk\.memory ran out of memory \(64 MB, OPS_PLUGIN_MEMORY_MB\)/,
    );
    expect(await health()).toBe(200);
  });

  it('fails a chunk that calls process.exit, naming the plugin; the daemon lives on', async () => {
    const run = await ended(await startRun('hostile.chunk.exits', tenantIds[0]!));
    expect(run.outcome).toBe('failed');
    expect(reasonOf(run)).toMatch(/^runbook hostile\.chunk\.exits exited \(process\.exit\(3\)\)/);
    expect(await health()).toBe(200);
    expect(await api.runbooks.preflight.mutate({ runbookId: SPINS, scope: { kind: 'all' } })).toMatchObject({
      affected_count: 1,
    });
  });

  it('answers a preflight that never returns with an error in words after OPS_PREFLIGHT_TIMEOUT_MS', async () => {
    const error = await errorOf(
      api.runbooks.preflight.mutate({ runbookId: 'hostile.preflight.hangs', scope: { kind: 'all' } }),
    );
    expect(error.message).toBe(
      'runbook hostile.preflight.hangs: its preflight did not finish within 1500 ms (OPS_PREFLIGHT_TIMEOUT_MS) and was stopped',
    );
    expect(await health()).toBe(200);
  });

  it('cancels the statement of a preflight stopped for its time limit: nothing of it runs on in the database', async () => {
    const error = await errorOf(
      api.runbooks.preflight.mutate({ runbookId: 'hostile.preflight.sleeps', scope: { kind: 'all' } }),
    );
    expect(error.message).toContain(
      'runbook hostile.preflight.sleeps: its preflight did not finish within 1500 ms',
    );
    await waitFor(
      async () =>
        (
          await d.t.sql(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(600)%' AND state = 'active' AND pid <> pg_backend_pid()",
          )
        ).length === 0
          ? true
          : undefined,
      20_000,
      "the stopped preflight's statement to be cancelled",
    );
    expect(await health()).toBe(200);
  });

  it('ends `ops-daemon preflight` of a hanging preflight with exit 1 and a message naming the plugin and the limit', async () => {
    const result = await runCli(['preflight', 'hostile.preflight.hangs'], {
      DATABASE_URL: d.t.url,
      OPS_PLUGINS: plugins.join(','),
      ...LIMITS,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: runbook hostile.preflight.hangs: its preflight did not finish within 1500 ms (OPS_PREFLIGHT_TIMEOUT_MS) and was stopped',
    );
  });

  it('refuses a plugin whose promise rejects unhandled after import, with the reason, and keeps serving', async () => {
    const refused = await waitFor(
      async () => {
        const entry = (await api.runbooks.list.query()).find((r) => r.id === 'hostile.late.rejection');
        return entry && !entry.available ? entry : undefined;
      },
      30_000,
      'the plugin to be refused',
    );
    expect(refused.unavailableReason).toBe(
      'runbook hostile.late.rejection crashed: unhandled promise rejection: late boom',
    );
    expect(await health()).toBe(200);
    const error = await errorOf(
      api.runbooks.preflight.mutate({ runbookId: 'hostile.late.rejection', scope: { kind: 'all' } }),
    );
    expect(error.message).toMatch(/unknown runbook "hostile\.late\.rejection"/);
  });
});
