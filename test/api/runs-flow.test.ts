import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../apps/daemon/src/runs/index.ts';
import { errorOf } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const REASON = { reasonCode: 'DATA_REPAIR' as const, reasonText: 'api flow test', confirmation: 'BACKFILL' };

describe('runs over the API', () => {
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;
  let tenantIds: Map<string, number>;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 4, findings: 6000, drift: 0.4 }, { OPS_CHUNK_SIZE: '200' });
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    const rows = await d.t.sql<{ id: string; external_id: string }>('SELECT id, external_id FROM tenants');
    tenantIds = new Map(rows.map((r) => [r.external_id, Number(r.id)]));
  });
  afterAll(() => d.stop());

  const tenant = (externalId: string) => ({ kind: 'tenant' as const, tenantId: tenantIds.get(externalId)! });

  it('preflights, runs, streams progress to completion, and records the summary', async () => {
    const preflight = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-1') });
    expect(preflight.affected_count).toBeGreaterThan(0);
    const { runId } = await api.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: tenant('tenant-1'),
      preflightAffectedCount: preflight.affected_count,
    });
    const snapshots: RunRecord[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = api.runs.onUpdate.subscribe(
        { id: runId },
        {
          onData: (run) => {
            snapshots.push(run as RunRecord);
            if (run.status === 'completed') {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(snapshots.at(-1)).toMatchObject({ status: 'completed', outcome: 'succeeded' });
    const run = await api.runs.get.query({ id: runId });
    expect(run.summary).toMatchObject({
      updated_count: preflight.affected_count,
      affected_count: preflight.affected_count,
    });
    expect(run.actor).toMatchObject({ kind: 'user', email: 'operator@ops.local' });
    const audit = await api.audit.list.query({ runId });
    expect(audit.items.map((e) => e.action).reverse()).toEqual(['run.started', 'run.completed']);
    const preflights = await api.audit.list.query({ action: 'runbook.preflight' });
    expect(preflights.items[0]).toMatchObject({ actorLabel: 'operator@ops.local', runbookId: RUNBOOK });
  });

  it('refuses a second run on the same scope as nothing to do (412)', async () => {
    const error = await errorOf(
      api.runbooks.run.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-1'), preflightAffectedCount: 0 }),
    );
    expect(error).toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'nothing to do: preflight found 0 affected rows',
    });
  });

  // The contract moved with issue 12: the start no longer counts again under its lock (tens of
  // seconds at scale); the run counts exactly before its first write and ends failed, writing
  // nothing, when the count is not what the operator confirmed (run-confirmation.ts).
  it('ends a run whose data changed since the operator looked without writing, saying why', async () => {
    const preflight = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-2') });
    const { runId } = await api.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: tenant('tenant-2'),
      preflightAffectedCount: preflight.affected_count + 1,
    });
    const run = await waitFor(async () => {
      const r = await api.runs.get.query({ id: runId });
      return r.status === 'completed' ? r : undefined;
    });
    expect(run.outcome).toBe('failed');
    expect(run.context.refused_reason).toMatch(/data changed since your preflight.*run preflight again/);
    expect(run.summary).toMatchObject({ updated_count: 0, affected_count: preflight.affected_count });
    const again = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-2') });
    expect(again.affected_count).toBe(preflight.affected_count); // nothing was written
  });

  it('names the field of bad input', async () => {
    const error = await errorOf(
      api.runbooks.run.mutate({
        runbookId: RUNBOOK,
        scope: { kind: 'all' },
        reasonCode: 'DATA_REPAIR',
        reasonText: 'x'.repeat(501),
        preflightAffectedCount: 1,
      }),
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'reasonText' } });
    expect(error.message).toMatch(/reasonText: .*500/);
    const unknown = await errorOf(
      api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: { kind: 'tenant', tenantId: 999999 } }),
    );
    expect(unknown).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'tenant' } });
  });

  it('refuses an overlapping run with 409 naming the holder, then pauses and resumes to the right counts', async () => {
    await slowFindingWrites(d.t, 150);
    const preflight = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: { kind: 'all' } });
    const { runId } = await api.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      ...REASON,
      preflightAffectedCount: preflight.affected_count,
    });
    await waitFor(async () =>
      (await api.runs.get.query({ id: runId })).status === 'running' ? true : undefined,
    );

    const conflict = await errorOf(
      api.runbooks.run.mutate({ runbookId: RUNBOOK, scope: tenant('tenant-3'), preflightAffectedCount: 1 }),
    );
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toContain(`run ${runId} (all tenants, by operator@ops.local) holds the lock`);
    expect(conflict.data.holder).toMatchObject({ runId, actor: 'operator@ops.local' });

    await api.runs.pause.mutate({ id: runId });
    const paused = await waitFor(async () => {
      const run = await api.runs.get.query({ id: runId });
      return run.status === 'paused' ? run : undefined;
    });
    const checkpoint = paused.context.checkpoint;
    expect(checkpoint).toEqual(expect.any(String));
    await new Promise((r) => setTimeout(r, 600));
    expect((await api.runs.get.query({ id: runId })).progress.processed).toBe(paused.progress.processed); // it stays stopped

    await removeSlowFindingWrites(d.t);
    await api.runs.resume.mutate({ id: runId });
    const done = await waitFor(async () => {
      const run = await api.runs.get.query({ id: runId });
      return run.status === 'completed' ? run : undefined;
    });
    expect(done.outcome).toBe('succeeded');
    expect(done.summary.updated_count).toBe(preflight.affected_count);
    const after = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: { kind: 'all' } });
    expect(after.affected_count).toBe(0);
    const actions = (await api.audit.list.query({ runId })).items.map((e) => e.action).reverse();
    expect(actions).toEqual(['run.started', 'run.pause_requested', 'run.resumed', 'run.completed']);
  });

  it('finds tenants in the allowed universe only, ranked', async () => {
    const hits = await api.tenants.search.query({ q: 'tenant-1' });
    expect(hits[0]).toMatchObject({ externalId: 'tenant-1' });
    const platform = await api.tenants.search.query({ q: 'platform' });
    expect(platform).toEqual([]);
  });
});
