import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { writePlugin } from './plugin-fixtures.ts';

/**
 * Lifecycle hooks (issue 13): afterComplete / afterError run in the plugin's worker after the run's
 * record is written, each within OPS_HOOK_TIMEOUT_MS; what they did is on the run and in the
 * audit, and a hook that throws, hangs or spins never changes the run's outcome.
 */
function hookPlugin(id: string, run: string, hooks: string): string {
  return `import { defineRunbook } from '@ops/runbook-sdk';
export default defineRunbook({
  id: '${id}', version: '1.0.0', title: '${id}', description: 'lifecycle hooks', sdk: '^2.0.0',
  capability: 'platform.runbooks.${id.replaceAll('.', '_')}', scopes: ['all', 'tenant'], confirmationPhrase: 'GO',
  preflight: async () => ({ affected_count: 1, total_scanned: 1 }),
  async run(ctx) { ${run} },
  ${hooks}
});
`;
}

const SUCCEEDS = 'return { rows_fixed: 3 };';
const FAILS = "throw new Error('the run broke');";

interface HookRecord {
  hook: string;
  ok: boolean;
  error?: string;
}

describe('runbook lifecycle hooks', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-hooks-'));
  fs.chmodSync(root, 0o755);
  const plugins = [
    writePlugin(
      root,
      'complete',
      hookPlugin(
        'hooks.complete.ok',
        SUCCEEDS,
        `async afterComplete(ctx, result) {
          const { rows } = await ctx.db.query('SELECT count(*)::int AS n FROM findings');
          ctx.log('afterComplete saw ' + result.outcome + ', ' + rows[0].n + ' findings');
        },
        async afterError() { throw new Error('afterError must not be called for a success'); },`,
      ),
    ),
    writePlugin(
      root,
      'error',
      hookPlugin(
        'hooks.error.throws',
        FAILS,
        `async afterError(ctx, error) { throw new Error('the pager is down (saw: ' + error.message + ')'); },`,
      ),
    ),
    writePlugin(
      root,
      'hangs',
      hookPlugin('hooks.complete.hangs', SUCCEEDS, 'afterComplete: () => new Promise(() => {}),'),
    ),
    writePlugin(root, 'spins', hookPlugin('hooks.error.spins', FAILS, 'async afterError() { for (;;) {} },')),
  ];
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let tenantId: number;

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 2, findings: 50 },
      { OPS_PLUGINS: plugins.join(','), OPS_HOOK_TIMEOUT_MS: '1000' },
    );
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    const [tenant] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-1'");
    tenantId = Number(tenant!.id);
  }, 120_000);
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Runs `runbookId` on one tenant; resolves once the run ended and its hook's outcome is kept. */
  const runWithHook = async (runbookId: string) => {
    const scope = { kind: 'tenant' as const, tenantId };
    const { runId } = await api.runbooks.run.mutate({ runbookId, scope, preflightAffectedCount: 1 });
    const run = await waitFor(
      async () => {
        const r = await api.runs.get.query({ id: runId });
        return r.status === 'completed' && Array.isArray(r.context.hooks) ? r : undefined;
      },
      60_000,
      `run of ${runbookId} to end and record its hook`,
    );
    const audit = await d.t.sql<{ action: string; outcome: string; details: Record<string, unknown> }>(
      "SELECT action, outcome, details FROM ops.audit_events WHERE run_id = $1 AND action LIKE 'run.hook_%'",
      [runId],
    );
    return { run, hooks: run.context.hooks as HookRecord[], audit };
  };

  it('calls afterComplete after a successful run, audited, with the undeclared summary key warned about', async () => {
    const { run, hooks, audit } = await runWithHook('hooks.complete.ok');
    expect(run.outcome).toBe('succeeded');
    expect(hooks).toEqual([expect.objectContaining({ hook: 'afterComplete', ok: true })]);
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'run.hook_completed',
        outcome: 'succeeded',
        details: expect.objectContaining({ hook: 'afterComplete' }),
      }),
    ]);
    // Undeclared keys are left out of the summary, and said so on the run.
    expect(run.summary).not.toHaveProperty('rows_fixed');
    expect(run.context.summary_warnings).toEqual([
      'summary key "rows_fixed" is neither a core key nor declared in summaryKeys: left out of the run\'s summary',
    ]);
  }, 90_000);

  it('calls afterError after a failed run; a hook that throws is recorded and the run stays failed', async () => {
    const { run, hooks, audit } = await runWithHook('hooks.error.throws');
    expect(run.outcome).toBe('failed');
    expect((run.context.failures as { message: string }[]).at(-1)!.message).toMatch(/the run broke/);
    expect(hooks).toEqual([
      expect.objectContaining({
        hook: 'afterError',
        ok: false,
        error: expect.stringMatching(
          /runbook hooks\.error\.throws: .*the pager is down \(saw: .*the run broke\)/,
        ),
      }),
    ]);
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([['run.hook_failed', 'failed']]);
  }, 90_000);

  it.each([
    ['hangs (a promise that never settles)', 'hooks.complete.hangs', 'afterComplete', 'succeeded'],
    ['spins (a synchronous loop)', 'hooks.error.spins', 'afterError', 'failed'],
  ])(
    'stops a hook that %s at OPS_HOOK_TIMEOUT_MS; the run keeps its outcome and the runbook stays available',
    async (_how, runbookId, hook, outcome) => {
      const { run, hooks, audit } = await runWithHook(runbookId);
      expect(run.outcome).toBe(outcome);
      expect(hooks).toEqual([
        expect.objectContaining({
          hook,
          ok: false,
          error: expect.stringMatching(
            new RegExp(`${hook} hook did not finish within 1 s \\(OPS_HOOK_TIMEOUT_MS\\)`),
          ),
        }),
      ]);
      expect(audit.map((a) => a.action)).toEqual(['run.hook_failed']);
      // The plugin is not refused for a slow hook: it runs again.
      expect((await api.runbooks.list.query()).map((r) => r.id)).toContain(runbookId);
      const again = await runWithHook(runbookId);
      expect(again.run.outcome).toBe(outcome);
    },
    120_000,
  );
});
