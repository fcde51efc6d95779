import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunChange, RunRecord } from '../../apps/daemon/src/runs/index.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Issue 12: a console run starts on what the operator confirmed (the exact count, or the estimate
// with its margin) without counting again under the start's lock; the run counts exactly before
// its first write and ends without writing when the data moved beyond it. And runs.onChange tells
// every subscriber which runs changed.

const RUNBOOK = 'findings.lifecycle.backfill';

describe('a run started on what the operator confirmed', () => {
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let tenantIds: Map<string, number>;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 4, findings: 4000, drift: 0.4 }, { OPS_CHUNK_SIZE: '200' });
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    const rows = await d.t.sql<{ id: string; external_id: string }>('SELECT id, external_id FROM tenants');
    tenantIds = new Map(rows.map((r) => [r.external_id, Number(r.id)]));
  });
  afterAll(() => d?.stop());

  const tenant = (externalId: string) => ({ kind: 'tenant' as const, tenantId: tenantIds.get(externalId)! });
  const completed = (runId: string) =>
    waitFor(
      async () => {
        const run = await api.runs.get.query({ id: runId });
        return run.status === 'completed' ? (run as RunRecord) : undefined;
      },
      30_000,
      `run ${runId} to complete`,
    );

  it('runs on an estimate whose margin holds the exact count, and records both', async () => {
    const exact = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-1') });
    const { runId } = await api.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: tenant('tenant-1'),
      preflightAffectedCount: exact.affected_count + 3,
      preflightMargin: 5,
    });
    const run = await completed(runId);
    expect(run.outcome).toBe('succeeded');
    expect(run.context.confirmed).toEqual({
      affected_count: exact.affected_count + 3,
      margin: 5,
      estimate: true,
    });
    expect(run.context.start_check).toMatchObject({ state: 'passed', found: exact.affected_count });
    expect(run.summary).toMatchObject({
      affected_count: exact.affected_count,
      updated_count: exact.affected_count,
    });
    const started = await api.audit.list.query({ runId });
    expect(started.items.find((e) => e.action === 'run.started')?.details).toMatchObject({
      confirmed: { affected_count: exact.affected_count + 3, margin: 5, estimate: true },
    });
  });

  it('ends without writing when the exact count is outside the confirmed margin, and says why', async () => {
    const exact = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-2') });
    const { runId } = await api.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: tenant('tenant-2'),
      preflightAffectedCount: exact.affected_count + 40,
      preflightMargin: 5,
    });
    const run = await completed(runId);
    expect(run.outcome).toBe('failed');
    expect(run.context.refused_reason).toBe(
      `the data changed since your preflight: you confirmed about ${(exact.affected_count + 40).toLocaleString('en-US')} ± 5 (estimate) records to change, the run counted ${exact.affected_count.toLocaleString('en-US')}; nothing was written — run preflight again`,
    );
    expect(run.context.start_check).toMatchObject({ state: 'refused', found: exact.affected_count });
    expect(run.summary).toMatchObject({ updated_count: 0 });
    expect(run.startedAt).toBeNull(); // it never began writing
    const again = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-2') });
    expect(again.affected_count).toBe(exact.affected_count);
    const audit = await api.audit.list.query({ runId });
    expect(audit.items.map((e) => e.action)).toContain('run.failed');
  });

  it('streams run changes to every subscriber of runs.onChange until the run ends', async () => {
    const seen: RunChange[][] = [[], []];
    const started: Promise<void>[] = [];
    const subs = seen.map((into) => {
      let onStarted = () => {};
      started.push(new Promise<void>((resolve) => (onStarted = resolve)));
      return api.runs.onChange.subscribe(undefined, {
        onStarted: () => onStarted(),
        onData: (batch) => into.push(...(batch.changes as RunChange[])),
        onError: () => {},
      });
    });
    try {
      await Promise.all(started);
      const exact = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-3') });
      const { runId } = await api.runbooks.run.mutate({
        runbookId: RUNBOOK,
        scope: tenant('tenant-3'),
        preflightAffectedCount: exact.affected_count,
      });
      for (const into of seen) {
        const last = await waitFor(
          async () => into.find((c) => c.id === runId && c.status === 'completed'),
          30_000,
          `runs.onChange to report run ${runId} completed`,
        );
        expect(last).toMatchObject({ type: RUNBOOK, outcome: 'succeeded' });
      }
    } finally {
      for (const sub of subs) sub.unsubscribe();
    }
  });
});
