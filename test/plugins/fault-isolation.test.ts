import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { writePlugin } from './plugin-fixtures.ts';

/** A plugin with one affected row whose run misbehaves in the way `runBody` says. */
function faultyPlugin(id: string, runBody: string): string {
  return `import { defineRunbook } from '@ops/runbook-sdk';
export default defineRunbook({
  id: '${id}', version: '1.0.0', title: '${id}', description: 'misbehaves on purpose', sdk: '^2.0.0',
  capability: 'platform.runbooks.${id.replaceAll('.', '_')}', scopes: ['all', 'tenant'], confirmationPhrase: 'GO',
  preflight: async () => ({ affected_count: 1, total_scanned: 1 }),
  async run(ctx) { ${runBody} },
});
`;
}

const HANGING_WORK = `return ctx.runChunked({
    countItems: async () => 1,
    nextChunk: async (_db, afterId) => (afterId === null ? { lastId: '1', items: 1 } : null),
    tenantsInRange: async () => [],
    applyChunk: () => new Promise(() => {}),
  });`;

describe('a plugin that misbehaves in a run', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-faulty-'));
  fs.chmodSync(root, 0o755);
  const plugins = [
    writePlugin(root, 'throws', faultyPlugin('faulty.run.throws', "throw new Error('plugin exploded');")),
    writePlugin(root, 'malformed', faultyPlugin('faulty.run.malformed', "return 'done' as never;")),
    writePlugin(root, 'hangs', faultyPlugin('faulty.chunk.hangs', HANGING_WORK)),
  ];
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 2, findings: 400 },
      { OPS_PLUGINS: plugins.join(','), OPS_CHUNK_TIMEOUT_MS: '1500' },
    );
    api = d.client((await d.signIn('operator@ops.local')).cookie);
  });
  afterAll(async () => {
    await d.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const runToEnd = async (runbookId: string) => {
    const [tenant] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-1'");
    const scope = { kind: 'tenant' as const, tenantId: Number(tenant!.id) };
    const preflight = await api.runbooks.preflight.mutate({ runbookId, scope });
    const { runId } = await api.runbooks.run.mutate({
      runbookId,
      scope,
      preflightAffectedCount: preflight.affected_count,
    });
    return waitFor(async () => {
      const run = await api.runs.get.query({ id: runId });
      return run.status === 'completed' ? run : undefined;
    });
  };

  it.each([
    ['throws', 'faulty.run.throws', /plugin exploded/],
    ['returns a malformed result', 'faulty.run.malformed', /malformed result.*"done"/],
    ['hangs in a chunk', 'faulty.chunk.hangs', /chunk .*did not finish within 1500 ms/],
  ])(
    'ends the run failed with the reason when the plugin %s; the daemon keeps serving',
    async (_how, runbookId, reason) => {
      const run = await runToEnd(runbookId);
      expect(run.outcome).toBe('failed');
      const failures = run.context.failures as { message: string }[];
      expect(failures.at(-1)!.message).toMatch(reason);
      expect((await api.runbooks.list.query()).length).toBeGreaterThanOrEqual(5);
      const healthy = await runToEnd('findings.lifecycle.backfill');
      expect(healthy.outcome).toBe('succeeded');
      await d.t.sql('UPDATE findings SET lifecycle_version = NULL'); // work again for the next case
    },
  );
});
