import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, RUNBOOK } from '../support/api-helpers.ts';
import { runCli } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// The deploy path of four-eyes approval (issue 14): `ops-daemon exec` of a run the policy holds for
// approval exits 6 with the reason, unless the policy exempts the deploy identity (explicit,
// audited) or --approval names an approved, unexpired request for the very same run.

const ALL_ARGS = [
  '--reason-code',
  'DATA_REPAIR',
  '--reason-text',
  'release 2026.11',
  '--confirm',
  'BACKFILL',
];

describe('exec and four-eyes approval', () => {
  let d: TestDaemon;
  let operator: Api;
  let approver: Api;
  let env: Record<string, string>;

  beforeAll(async () => {
    d = await startTestDaemon(
      { tenants: 3, findings: 1500, drift: 0.4 },
      {},
      { approvals: 'product-default' },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    approver = d.client((await d.signIn('approver@ops.local')).cookie);
    env = { DATABASE_URL: d.t.url, OPS_CHUNK_SIZE: '500', OPS_DEPLOY_IDENTITY: 'release-pipeline' };
  }, 120_000);
  afterAll(() => d?.stop());

  const redrift = () => d.t.sql('UPDATE findings SET lifecycle_version = NULL WHERE id % 3 = 0');

  it('refuses an all-tenants exec without approval: exit 6, the reason in words, audited; a tenant exec runs', async () => {
    await redrift();
    const refused = await runCli(['exec', RUNBOOK, ...ALL_ARGS, '--json'], env);
    expect(refused.code).toBe(6);
    expect(refused.json()).toEqual({
      error: {
        code: 'APPROVAL_REQUIRED',
        message: `a run of ${RUNBOOK} on all tenants needs a second operator's approval (policy: all-tenants runs need approval): pass --approval <request-id> of a request another operator approved, or have an approver exempt deploy identity "release-pipeline" in the runbook's approval policy`,
        field: null,
      },
    });
    const plain = await runCli(['exec', RUNBOOK, ...ALL_ARGS], env);
    expect(plain.code).toBe(6);
    expect(plain.stderr).toContain('--approval <request-id>');
    const [event] = await d.t.sql<{ actor_label: string; details: Record<string, unknown> }>(
      "SELECT actor_label, details FROM ops.audit_events WHERE action = 'run.refused' ORDER BY id DESC LIMIT 1",
    );
    expect(event).toMatchObject({
      actor_label: 'system:cli',
      details: { reason: 'approval_required', deployIdentity: 'release-pipeline' },
    });
    expect(await d.t.sql("SELECT id FROM ops.runs WHERE scope_kind = 'all'")).toEqual([]);
    const tenant = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-1', '--json'], env);
    expect(tenant.code).toBe(0);
  });

  it('runs when the policy exempts this deploy identity (audited), and only that identity', async () => {
    await redrift();
    await approver.approvals.setPolicy.mutate({
      runbookId: RUNBOOK,
      mode: 'all_tenants',
      exemptIdentities: ['release-pipeline'],
    });
    const other = await runCli(['exec', RUNBOOK, ...ALL_ARGS, '--json'], {
      ...env,
      OPS_DEPLOY_IDENTITY: 'laptop',
    });
    expect(other.code).toBe(6);
    const exempt = await runCli(['exec', RUNBOOK, ...ALL_ARGS, '--json'], env);
    expect(exempt.code).toBe(0);
    const result = exempt.json<{ run_id: string; outcome: string }>();
    expect(result.outcome).toBe('succeeded');
    const [used] = await d.t.sql<{ actor_label: string; details: Record<string, unknown> }>(
      "SELECT actor_label, details FROM ops.audit_events WHERE action = 'approval.exemption_used' ORDER BY id DESC LIMIT 1",
    );
    expect(used).toMatchObject({
      actor_label: 'system:cli',
      details: { deployIdentity: 'release-pipeline' },
    });
    await approver.approvals.setPolicy.mutate({
      runbookId: RUNBOOK,
      mode: 'all_tenants',
      exemptIdentities: [],
    });
    await redrift();
    expect((await runCli(['exec', RUNBOOK, ...ALL_ARGS], env)).code).toBe(6);
  });

  it('--approval starts an approved request for the same run, once; another run or a used request is refused', async () => {
    await redrift();
    const preflight = await operator.runbooks.preflight.mutate({
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
    });
    const request = await operator.approvals.request.mutate({
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      reasonCode: 'DATA_REPAIR',
      reasonText: 'release 2026.11',
      confirmation: 'BACKFILL',
      preflightAffectedCount: preflight.affected_count,
    });
    const pending = await runCli(['exec', RUNBOOK, '--approval', request.id, '--json'], env);
    expect(pending.code).toBe(2);
    expect(pending.json()).toMatchObject({
      error: {
        field: '--approval',
        message: `run request ${request.id} is still waiting for another operator's approval`,
      },
    });
    await approver.approvals.approve.mutate({ id: request.id, comment: 'release window' });
    const wrongScope = await runCli(
      ['exec', RUNBOOK, '--tenant', 'tenant-2', '--approval', request.id, '--json'],
      env,
    );
    expect(wrongScope.code).toBe(2);
    expect(wrongScope.json<{ error: { message: string } }>().error.message).toMatch(
      new RegExp(`^run request ${request.id} was approved for all tenants; the command asks for another run`),
    );
    const ran = await runCli(['exec', RUNBOOK, '--approval', request.id, '--json'], env);
    expect(ran.code).toBe(0);
    const result = ran.json<{ run_id: string; outcome: string; scope: unknown }>();
    expect(result).toMatchObject({ outcome: 'succeeded', scope: { kind: 'all' } });
    expect(await operator.approvals.get.query({ id: request.id })).toMatchObject({
      status: 'started',
      runId: result.run_id,
    });
    const run = await operator.runs.get.query({ id: result.run_id });
    expect(run).toMatchObject({ reasonCode: 'DATA_REPAIR', reasonText: 'release 2026.11' });
    const twice = await runCli(['exec', RUNBOOK, '--approval', request.id, '--json'], env);
    expect(twice.code).toBe(2);
    expect(twice.json<{ error: { message: string } }>().error.message).toBe(
      `run request ${request.id} was already used: run ${result.run_id} started from it; an approval starts one run only`,
    );
  });
});
