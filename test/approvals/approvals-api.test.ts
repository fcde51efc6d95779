import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type Daemon, startDaemon } from '../../apps/daemon/src/daemon.ts';
import type { RunRecord } from '../../apps/daemon/src/runs/index.ts';
import { type Api, errorOf, RUNBOOK } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Four-eyes approval (issue 14) on the product's default policy: all-tenants runs need a second
// operator. Real PostgreSQL, real daemons (two, and a third with a short OPS_APPROVAL_TTL).

const ALL = { kind: 'all' as const };
const REASON = { reasonCode: 'DATA_REPAIR' as const, reasonText: 'four-eyes test', confirmation: 'BACKFILL' };

describe('four-eyes approval through the API', () => {
  let d: TestDaemon;
  let operator: Api;
  let approver: Api;
  let viewer: Api;
  /** A second daemon on the same database (default TTL), and a third whose approvals last 2 s. */
  const extra: { daemon: Daemon; dir: string }[] = [];
  let operator2: Api;
  let approver2: Api;
  let operatorShort: Api;
  let approverShort: Api;

  async function secondDaemon(env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-approvals-'));
    const daemon = await startDaemon(
      loadConfig({ DATABASE_URL: d.t.url, OPS_DATA_DIR: dir, OPS_HEARTBEAT_MS: '200', ...env }),
      { host: '127.0.0.1', port: 0, demo: false, sweepMs: 300 },
    );
    extra.push({ daemon, dir });
    return daemon.url;
  }

  async function clientOn(url: string, email: string): Promise<Api> {
    const res = await fetch(`${url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email, password: 'ops-demo-password' }),
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    // The client of the test daemon, pointed at another daemon's URL.
    const { createTRPCClient, httpBatchLink } = await import('@trpc/client');
    return createTRPCClient({
      links: [httpBatchLink({ url: `${url}/system/api/trpc`, headers: () => ({ origin: url, cookie }) })],
    }) as unknown as Api;
  }

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 4, findings: 2000, drift: 0.4 },
      { OPS_CHUNK_SIZE: '200' },
      { approvals: 'product-default' },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    approver = d.client((await d.signIn('approver@ops.local')).cookie);
    viewer = d.client((await d.signIn('viewer@ops.local')).cookie);
    const url2 = await secondDaemon({});
    operator2 = await clientOn(url2, 'operator@ops.local');
    approver2 = await clientOn(url2, 'approver@ops.local');
    const url3 = await secondDaemon({ OPS_APPROVAL_TTL: '2s' });
    operatorShort = await clientOn(url3, 'operator@ops.local');
    approverShort = await clientOn(url3, 'approver@ops.local');
  }, 120_000);
  afterAll(async () => {
    for (const e of extra) {
      await e.daemon.stop();
      fs.rmSync(e.dir, { recursive: true, force: true });
    }
    await d?.stop();
  });

  /** Gives the runbook work again on every tenant, as new drift would. */
  const redrift = () => d.t.sql('UPDATE findings SET lifecycle_version = NULL WHERE id % 4 = 0');

  async function requestAll(api: Api) {
    const preflight = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: ALL });
    expect(preflight.affected_count).toBeGreaterThan(0);
    return api.approvals.request.mutate({
      runbookId: RUNBOOK,
      scope: ALL,
      ...REASON,
      preflightAffectedCount: preflight.affected_count,
    });
  }

  const completed = (api: Api, runId: string) =>
    waitFor(
      async () => {
        const run = await api.runs.get.query({ id: runId });
        return run.status === 'completed' ? (run as RunRecord) : undefined;
      },
      60_000,
      `run ${runId} to complete`,
    );

  const auditOf = async (requestId: string) =>
    d.t.sql<{ action: string; actor_label: string; details: Record<string, unknown> }>(
      "SELECT action, actor_label, details FROM ops.audit_events WHERE details->>'requestId' = $1 ORDER BY id",
      [requestId],
    );

  it('holds an all-tenants run for approval by default (412 in words, audited); a tenant run starts', async () => {
    await redrift();
    const preflight = await operator.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: ALL });
    const refused = await errorOf(
      operator.runbooks.run.mutate({
        runbookId: RUNBOOK,
        scope: ALL,
        ...REASON,
        preflightAffectedCount: preflight.affected_count,
      }),
    );
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toBe(
      `a run of ${RUNBOOK} on all tenants needs a second operator's approval (policy: all-tenants runs need approval): request approval; the run starts from the request once another operator approved it`,
    );
    const [event] = await d.t.sql<{ details: { reason: string } }>(
      "SELECT details FROM ops.audit_events WHERE action = 'run.refused' ORDER BY id DESC LIMIT 1",
    );
    expect(event?.details.reason).toBe('approval_required');
    const policies = await viewer.approvals.policies.query();
    expect(policies.find((p) => p.runbookId === RUNBOOK)).toMatchObject({
      mode: 'all_tenants',
      source: 'default',
      requiredFor: { all: true, tenant: false },
    });
    const [tenant] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-1'");
    const scope = { kind: 'tenant' as const, tenantId: Number(tenant!.id) };
    const tenantPreflight = await operator.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope });
    const { runId } = await operator.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope,
      preflightAffectedCount: tenantPreflight.affected_count,
    });
    expect((await completed(operator, runId)).outcome).toBe('succeeded');
  });

  it('the requester cannot approve their own request (break-glass included); a second operator can, and the run starts as requested, once', async () => {
    await redrift();
    const request = await requestAll(operator);
    expect(request).toMatchObject({ status: 'pending', requester: { email: 'operator@ops.local' } });
    expect(request.decideBlockedBecause).toBe(
      'you requested this run: another operator must approve or reject it',
    );

    const own = await errorOf(operator.approvals.approve.mutate({ id: request.id, comment: 'looks fine' }));
    expect(own.code).toBe('FORBIDDEN');
    expect(own.message).toMatch(/^you requested this run: another operator must approve or reject it/);
    await operator.breakGlass.activate.mutate({ reasonCode: 'INCIDENT', reasonText: 'four-eyes test' });
    const ownGlass = await errorOf(
      operator.approvals.approve.mutate({ id: request.id, comment: 'break-glass' }),
    );
    expect(ownGlass.code).toBe('FORBIDDEN');
    await operator.breakGlass.deactivate.mutate({});
    expect((await errorOf(viewer.approvals.approve.mutate({ id: request.id, comment: 'x' }))).code).toBe(
      'FORBIDDEN',
    );
    const noComment = await errorOf(approver.approvals.approve.mutate({ id: request.id, comment: '  ' }));
    expect(noComment).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'comment' } });

    // Approvers heard of the request in the app (the requester did not).
    const bell = await approver.notifications.list.query({ limit: 20, unreadOnly: false });
    expect(bell.items.some((n) => n.kind === 'approval.requested' && n.title.includes(request.id))).toBe(
      true,
    );

    const approved = await approver.approvals.approve.mutate({
      id: request.id,
      comment: 'checked the preflight',
    });
    expect(approved).toMatchObject({
      status: 'approved',
      decidedBy: { email: 'approver@ops.local' },
      decisionComment: 'checked the preflight',
    });
    expect((await errorOf(approver.approvals.start.mutate({ id: request.id }))).code).toBe('FORBIDDEN');
    const { runId } = await operator.approvals.start.mutate({ id: request.id });
    const run = await completed(operator, runId);
    expect(run).toMatchObject({
      outcome: 'succeeded',
      scope: { kind: 'all' },
      reasonCode: 'DATA_REPAIR',
      reasonText: 'four-eyes test',
    });
    expect(run.context.start_check).toMatchObject({
      state: 'passed',
      found: request.preflight.affected_count,
    });
    expect(await operator.approvals.get.query({ id: request.id })).toMatchObject({
      status: 'started',
      runId,
    });

    const again = await errorOf(operator.approvals.start.mutate({ id: request.id }));
    expect(again).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'approval' } });
    expect(again.message).toBe(
      `run request ${request.id} was already used: run ${runId} started from it; an approval starts one run only`,
    );
    expect((await auditOf(request.id)).map((e) => [e.action, e.actor_label])).toEqual([
      ['approval.requested', 'operator@ops.local'],
      ['approval.approved', 'approver@ops.local'],
      ['approval.started', 'operator@ops.local'],
    ]);
  });

  it('a rejected request cannot start, and says who rejected it and why', async () => {
    await redrift();
    const request = await requestAll(operator);
    await approver.approvals.reject.mutate({ id: request.id, comment: 'not during the freeze' });
    const refused = await errorOf(operator.approvals.start.mutate({ id: request.id }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toBe(
      `run request ${request.id} was rejected by approver@ops.local: "not during the freeze"; it cannot start`,
    );
    const late = await errorOf(
      approver.approvals.approve.mutate({ id: request.id, comment: 'changed my mind' }),
    );
    expect(late.code).toBe('CONFLICT');
    expect(late.message).toBe(`run request ${request.id} was already rejected by approver@ops.local`);
    const bell = await operator.notifications.list.query({ limit: 20, unreadOnly: false });
    expect(bell.items.some((n) => n.kind === 'approval.rejected' && n.title.includes(request.id))).toBe(true);
  });

  it('an approved start refuses to write when the data changed beyond the preflight the request was based on', async () => {
    await redrift();
    const request = await requestAll(operator);
    await approver.approvals.approve.mutate({ id: request.id, comment: 'ok' });
    await d.t.sql('UPDATE findings SET lifecycle_version = NULL'); // far more work than the request saw
    const { runId } = await operator.approvals.start.mutate({ id: request.id });
    const run = await completed(operator, runId);
    expect(run.outcome).toBe('failed');
    expect(run.context.start_check).toMatchObject({ state: 'refused' });
    expect(run.summary).toMatchObject({ updated_count: 0 });
  });

  it('policies: only an approver changes them (audited, before and after); "none" lets all-tenants runs start', async () => {
    const denied = await errorOf(viewer.approvals.setPolicy.mutate({ runbookId: RUNBOOK, mode: 'none' }));
    expect(denied.code).toBe('FORBIDDEN');
    const changed = await approver.approvals.setPolicy.mutate({ runbookId: RUNBOOK, mode: 'none' });
    expect(changed).toMatchObject({ mode: 'none', source: 'runbook', updatedBy: 'approver@ops.local' });
    const preflight = await operator.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope: ALL });
    const { runId } = await operator.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: ALL,
      ...REASON,
      preflightAffectedCount: preflight.affected_count,
    });
    expect((await completed(operator, runId)).outcome).toBe('succeeded');
    await approver.approvals.setPolicy.mutate({ runbookId: RUNBOOK, mode: 'all_tenants' });
    const events = await d.t.sql<{ actor_label: string; details: Record<string, unknown> }>(
      "SELECT actor_label, details FROM ops.audit_events WHERE action = 'approval.policy_changed' ORDER BY id",
    );
    expect(events.slice(-2)).toEqual([
      {
        actor_label: 'approver@ops.local',
        details: {
          before: { mode: 'all_tenants', exemptIdentities: [], source: 'default' },
          after: { mode: 'none', exemptIdentities: [] },
        },
      },
      {
        actor_label: 'approver@ops.local',
        details: {
          before: { mode: 'none', exemptIdentities: [], source: 'runbook' },
          after: { mode: 'all_tenants', exemptIdentities: [] },
        },
      },
    ]);
  });

  it('two daemons: a request made on one is approved on the other and started on either', async () => {
    await redrift();
    const request = await requestAll(operator);
    expect((await approver2.approvals.get.query({ id: request.id })).status).toBe('pending');
    await approver2.approvals.approve.mutate({ id: request.id, comment: 'approved on daemon 2' });
    const { runId } = await operator2.approvals.start.mutate({ id: request.id });
    expect((await completed(operator, runId)).outcome).toBe('succeeded');
    // The one start is spent for every daemon.
    expect((await errorOf(operator.approvals.start.mutate({ id: request.id }))).code).toBe('BAD_REQUEST');
  });

  it('two daemons: concurrent approve and reject of one request end in exactly one outcome', async () => {
    await redrift();
    for (let round = 0; round < 4; round++) {
      const request = await requestAll(operator);
      const [a, b] = await Promise.allSettled([
        approver.approvals.approve.mutate({ id: request.id, comment: `approve ${round}` }),
        approver2.approvals.reject.mutate({ id: request.id, comment: `reject ${round}` }),
      ]);
      const won = [a, b].filter((r) => r.status === 'fulfilled');
      const lost = [a, b].filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const loser = await errorOf(Promise.reject((lost[0] as PromiseRejectedResult).reason));
      expect(loser.code).toBe('CONFLICT');
      const final = await operator.approvals.get.query({ id: request.id });
      expect(final.status).toBe((won[0] as PromiseFulfilledResult<{ status: string }>).value.status);
      const decisions = (await auditOf(request.id)).filter((e) => e.action !== 'approval.requested');
      expect(decisions.map((e) => e.action)).toEqual([`approval.${final.status}`]);
    }
  });

  it('a request nobody decides expires (OPS_APPROVAL_TTL), and so does an unused approval; neither can start', async () => {
    await redrift();
    const pending = await requestAll(operatorShort);
    const expired = await waitFor(
      async () => {
        const r = await operator.approvals.get.query({ id: pending.id });
        return r.status === 'expired' ? r : undefined;
      },
      30_000,
      `request ${pending.id} to expire`,
    );
    expect(expired.expiresAt).toBe(pending.expiresAt);
    const late = await errorOf(approver.approvals.approve.mutate({ id: pending.id, comment: 'too late' }));
    expect(late.code).toBe('CONFLICT');
    expect(late.message).toMatch(
      new RegExp(`^run request ${pending.id} expired at .* before anyone decided`),
    );
    const startPending = await errorOf(operator.approvals.start.mutate({ id: pending.id }));
    expect(startPending.message).toMatch(/expired at .* before anyone decided; request approval again$/);

    const approvedThenIdle = await requestAll(operator);
    // Approved on the short-TTL daemon: the approval lasts 2 s from the decision.
    await approverShort.approvals.approve.mutate({ id: approvedThenIdle.id, comment: 'go' });
    await waitFor(
      async () =>
        (await operator.approvals.get.query({ id: approvedThenIdle.id })).status === 'expired'
          ? true
          : undefined,
      30_000,
      `approval ${approvedThenIdle.id} to expire`,
    );
    const startApproved = await errorOf(operator.approvals.start.mutate({ id: approvedThenIdle.id }));
    expect(startApproved).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'approval' } });
    expect(startApproved.message).toMatch(/expired at .* before it was started; request approval again$/);
    for (const id of [pending.id, approvedThenIdle.id]) {
      const actions = (await auditOf(id)).map((e) => e.action);
      expect(actions.filter((a) => a === 'approval.expired')).toHaveLength(1); // once, whichever daemon saw it
    }
  });
});
