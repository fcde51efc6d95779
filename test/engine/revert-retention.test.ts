import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../apps/daemon/src/config.ts';
import { revertInfoOf } from '../../apps/daemon/src/runs/revert/index.ts';
import { runCli, waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

const RUNBOOK = 'findings.lifecycle.backfill';

describe('OPS_JOURNAL_DAYS', () => {
  it('defaults to 30 days and refuses a value that is not a whole number of days from 1, naming the variable', () => {
    expect(loadConfig({}).journalDays).toBe(30);
    expect(loadConfig({ OPS_JOURNAL_DAYS: '7' }).journalDays).toBe(7);
    for (const bad of ['0', '1.5', 'week']) {
      expect(() => loadConfig({ OPS_JOURNAL_DAYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ OPS_JOURNAL_DAYS: bad })).toThrow(/^environment variable OPS_JOURNAL_DAYS: /);
    }
  });
});

describe('a run journal past OPS_JOURNAL_DAYS (daemon background loop)', () => {
  let d: TestDaemon;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 3, findings: 600, drift: 0.5 }, { OPS_JOURNAL_DAYS: '30' });
  });
  afterAll(() => d?.stop());

  it('is dropped run by run with an audit event, and the run then says it can no longer be reverted', async () => {
    const ops = d.daemon.ops;
    const start = (tenant: string) =>
      ops.service.start({
        runbookId: RUNBOOK,
        scope: { kind: 'externalId', externalId: tenant },
        actor: { kind: 'system', label: 'system:cli' },
      });
    const old = await (await start('tenant-1')).done;
    const recent = await (await start('tenant-2')).done;
    expect(old.summary.updated_count).toBeGreaterThan(0);
    expect(recent.summary.updated_count).toBeGreaterThan(0);
    await d.t.sql("UPDATE ops.runs SET finished_at = now() - interval '31 days' WHERE id = $1", [old.id]);

    await waitFor(
      async () =>
        (
          await d.t.sql('SELECT 1 FROM ops.run_journal_state WHERE run_id = $1 AND dropped_at IS NOT NULL', [
            old.id,
          ])
        )[0],
      30_000,
      "the old run's journal to be dropped",
    );
    expect(await d.t.sql('SELECT 1 FROM ops.run_journal WHERE run_id = $1', [old.id])).toEqual([]);
    const [kept] = await d.t.sql<{ n: string }>(
      'SELECT count(*) AS n FROM ops.run_journal WHERE run_id = $1',
      [recent.id],
    );
    expect(Number(kept!.n)).toBe(recent.summary.updated_count);
    const audit = await d.t.sql<{ run_id: string; details: { rows: number; journal_days: number } }>(
      "SELECT run_id::text, details FROM ops.audit_events WHERE action = 'run.journal_dropped'",
    );
    expect(audit).toEqual([
      { run_id: old.id, details: { rows: old.summary.updated_count, journal_days: 30 } },
    ]);

    const info = await revertInfoOf(ops.db.pool, ops.registry, await ops.service.get(old.id));
    expect(info).toMatchObject({ revertible: false, journalRows: 0 });
    expect(info.reason).toMatch(/journal of run \d+ was dropped on .* it can no longer be reverted/);
    const refused = await runCli(
      ['revert', old.id, '--reason-code', 'INCIDENT', '--reason-text', 'too late', '--confirm', 'REVERT'],
      { DATABASE_URL: d.t.url },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('can no longer be reverted');
  });
});
