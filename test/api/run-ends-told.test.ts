import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { gateFindingWrites } from '../support/write-gate.ts';

const RUNBOOK = 'findings.lifecycle.backfill';

// How a run's end is told (issue 12): a cancelled run is audited as cancelled (never as a green
// "completed"), and the operator's bell stays quiet for runs that simply succeeded.
describe('how a run’s end is told over the API', () => {
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let tenantIds: Map<string, number>;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 3, findings: 3000, drift: 0.5 }, { OPS_CHUNK_SIZE: '50' });
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    const rows = await d.t.sql<{ id: string; external_id: string }>('SELECT id, external_id FROM tenants');
    tenantIds = new Map(rows.map((r) => [r.external_id, Number(r.id)]));
  });
  afterAll(() => d?.stop());

  const tenant = (externalId: string) => ({ kind: 'tenant' as const, tenantId: tenantIds.get(externalId)! });
  const ended = (id: string) =>
    waitFor(async () => {
      const run = await api.runs.get.query({ id });
      return run.status === 'completed' ? run : undefined;
    });

  it('audits a run cancelled while running as run.cancelled, and never as run.completed', async () => {
    const gate = await gateFindingWrites(d.t, 2);
    try {
      const preflight = await api.runbooks.preflight.mutate({
        runbookId: RUNBOOK,
        scope: tenant('tenant-1'),
      });
      const { runId } = await api.runbooks.run.mutate({
        runbookId: RUNBOOK,
        scope: tenant('tenant-1'),
        preflightAffectedCount: preflight.affected_count,
      });
      await waitFor(async () =>
        (await api.runs.get.query({ id: runId })).status === 'running' ? true : undefined,
      );
      await api.runs.cancel.mutate({ id: runId });
      await gate.open();
      expect((await ended(runId)).outcome).toBe('cancelled');
      const audit = (await api.audit.list.query({ runId })).items.reverse();
      expect(audit.map((e) => e.action)).toEqual(['run.started', 'run.cancel_requested', 'run.cancelled']);
      expect(audit.at(-1)).toMatchObject({ outcome: 'cancelled', actorLabel: 'operator@ops.local' });

      // The operator hears of a cancel in the app, with a run number and counts as people write them.
      const note = await waitFor(async () =>
        (await api.notifications.list.query({})).items.find((n) => n.runId === runId),
      );
      expect(note).toMatchObject({ kind: 'run.cancelled', title: `Run #${runId} cancelled` });
      expect(note.body).toMatch(/: updated \d{1,3}(,\d{3})* of \d{1,3}(,\d{3})*$/);
    } finally {
      await gate.remove();
    }
  });

  it('audits a run cancelled while paused as run.cancelled too', async () => {
    const gate = await gateFindingWrites(d.t, 1);
    let runId = '';
    try {
      const preflight = await api.runbooks.preflight.mutate({
        runbookId: RUNBOOK,
        scope: tenant('tenant-2'),
      });
      ({ runId } = await api.runbooks.run.mutate({
        runbookId: RUNBOOK,
        scope: tenant('tenant-2'),
        preflightAffectedCount: preflight.affected_count,
      }));
      await waitFor(async () =>
        (await api.runs.get.query({ id: runId })).status === 'running' ? true : undefined,
      );
      await api.runs.pause.mutate({ id: runId });
      await gate.open();
      await waitFor(async () =>
        (await api.runs.get.query({ id: runId })).status === 'paused' ? true : undefined,
      );
    } finally {
      await gate.remove();
    }
    // The owner is alive here, so the executor ends it: the same action either way.
    await api.runs.cancel.mutate({ id: runId });
    expect((await ended(runId)).outcome).toBe('cancelled');
    const actions = (await api.audit.list.query({ runId })).items.map((e) => e.action).reverse();
    expect(actions).toEqual(['run.started', 'run.pause_requested', 'run.cancel_requested', 'run.cancelled']);
    const cancelled = await api.audit.list.query({ action: 'run.cancelled' });
    expect(cancelled.items.map((e) => e.runId)).toContain(runId);
  });

  it('does not notify the operator in the app when a run succeeds (OPS_NOTIFY_SUCCESS_IN_APP is off by default)', async () => {
    const preflight = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-3') });
    const { runId } = await api.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: tenant('tenant-3'),
      preflightAffectedCount: preflight.affected_count,
    });
    expect((await ended(runId)).outcome).toBe('succeeded');
    // The announcement (claim, notifications, deliveries) commits as one: once it is claimed,
    // whatever the bell would hold is there.
    await waitFor(async () => {
      const rows = await d.t.sql('SELECT 1 FROM ops.run_announcements WHERE run_id = $1', [runId]);
      return rows.length ? true : undefined;
    });
    expect((await api.notifications.list.query({})).items.filter((n) => n.runId === runId)).toEqual([]);
  });

  it('creates alert destinations that send failures only unless success is asked for', async () => {
    const created = await api.alerts.create.mutate({
      kind: 'teams',
      name: 'Ops channel',
      webhookUrl: 'https://127.0.0.1:9/webhook',
      enabled: true,
    } as Parameters<typeof api.alerts.create.mutate>[0]); // notifyOnSuccess left out: the default
    expect(created.notifyOnSuccess).toBe(false);
    expect((await api.alerts.list.query()).find((x) => x.id === created.id)?.notifyOnSuccess).toBe(false);
    await api.alerts.delete.mutate({ id: created.id });
  });
});
