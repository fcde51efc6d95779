import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestChange } from '../../apps/daemon/src/approvals/index.ts';
import { type Api, errorOf, RUNBOOK } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// A requester takes back their own pending run request (issue 14): audited, final, never someone
// else's, never a decided one; every subscriber of approvals.onChange (one shared poll per daemon)
// hears of it. Real PostgreSQL, real daemon over HTTP.

const ALL = { kind: 'all' as const };
const REASON = { reasonCode: 'DATA_REPAIR' as const, reasonText: 'withdraw test', confirmation: 'BACKFILL' };

describe('withdrawing a run request', () => {
  let d: TestDaemon;
  let operator: Api;
  let approver: Api;

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 3, findings: 900, drift: 0.4 },
      {},
      { approvals: 'product-default' },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    approver = d.client((await d.signIn('approver@ops.local')).cookie);
  }, 120_000);
  afterAll(() => d?.stop());

  async function request() {
    const preflight = await operator.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: ALL });
    return operator.approvals.request.mutate({
      runbookId: RUNBOOK,
      scope: ALL,
      ...REASON,
      preflightAffectedCount: preflight.affected_count,
    });
  }

  it('the requester withdraws a pending request: audited, every listener hears it, it can no longer be decided or started', async () => {
    const heard: RequestChange[][] = [[], []];
    const subscriptions = heard.map((into) =>
      approver.approvals.onChange.subscribe(undefined, { onData: ({ changes }) => into.push(...changes) }),
    );
    try {
      const r = await request();
      expect(r).toMatchObject({ status: 'pending', canWithdraw: true });
      expect((await approver.approvals.get.query({ id: r.id })).canWithdraw).toBe(false);

      const withdrawn = await operator.approvals.withdraw.mutate({ id: r.id, comment: 'wrong window' });
      expect(withdrawn).toMatchObject({ status: 'withdrawn', canWithdraw: false, decidedBy: null });
      const events = await d.t.sql<{ action: string; actor_label: string; details: Record<string, unknown> }>(
        "SELECT action, actor_label, details FROM ops.audit_events WHERE action = 'approval.withdrawn'",
      );
      expect(events).toEqual([
        {
          action: 'approval.withdrawn',
          actor_label: 'operator@ops.local',
          details: { requestId: r.id, comment: 'wrong window' },
        },
      ]);

      // Both subscribers of the one shared feed hear the withdrawal.
      for (const into of heard)
        await waitFor(
          async () => (into.some((c) => c.id === r.id && c.status === 'withdrawn') ? true : undefined),
          20_000,
          'approvals.onChange to report the withdrawal',
        );

      // The requester gets no in-app note of their own act (nobody decided).
      const bell = await operator.notifications.list.query({ limit: 20, unreadOnly: false });
      expect(bell.items.some((n) => n.title.includes(`Run request ${r.id} `))).toBe(false);

      const approve = await errorOf(approver.approvals.approve.mutate({ id: r.id, comment: 'ok' }));
      expect(approve.code).toBe('CONFLICT');
      expect(approve.message).toBe(
        `run request ${r.id} was withdrawn by its requester operator@ops.local; it cannot start`,
      );
      const start = await errorOf(operator.approvals.start.mutate({ id: r.id }));
      expect(start).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'approval' } });
      const twice = await errorOf(operator.approvals.withdraw.mutate({ id: r.id }));
      expect(twice.code).toBe('CONFLICT');
    } finally {
      for (const s of subscriptions) s.unsubscribe();
    }
  });

  it('only the requester withdraws, and only while nobody decided', async () => {
    const r = await request();
    // An approver holds no run capability at all; the rule for another operator is checked below.
    expect((await errorOf(approver.approvals.withdraw.mutate({ id: r.id }))).code).toBe('FORBIDDEN');
    await d.t.sql(
      `UPDATE ops.run_requests SET requester_id = 'someone-else', requester = jsonb_set(requester, '{id}', '"someone-else"') WHERE id = $1`,
      [r.id],
    );
    const notOwn = await errorOf(operator.approvals.withdraw.mutate({ id: r.id }));
    expect(notOwn).toMatchObject({
      code: 'FORBIDDEN',
      message: 'only the operator who requested this run can withdraw it',
    });

    const decided = await request();
    await approver.approvals.approve.mutate({ id: decided.id, comment: 'fine' });
    const late = await errorOf(operator.approvals.withdraw.mutate({ id: decided.id }));
    expect(late).toMatchObject({
      code: 'CONFLICT',
      message: `run request ${decided.id} was already approved by approver@ops.local; only a pending request can be withdrawn`,
    });
    expect(await operator.approvals.get.query({ id: decided.id })).toMatchObject({ status: 'approved' });
  });
});
