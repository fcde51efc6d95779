import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpPeer, startSmtpPeer, startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import { type Api, RUNBOOK } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// A run request reaches the approvers: in the app (every holder of platform.runbooks.approve but
// the requester) and at every alert destination (a real SMTP server and a Teams-style webhook).

describe('a run request notifies the approvers', () => {
  let d: TestDaemon;
  let smtp: SmtpPeer;
  let teams: WebhookPeer;
  let operator: Api;
  let approver: Api;

  beforeAll(async () => {
    [smtp, teams] = await Promise.all([startSmtpPeer(), startWebhookPeer()]);
    d = await startTestDaemon(
      { tenants: 3, findings: 900, drift: 0.4 },
      { OPS_SMTP_URL: smtp.url, OPS_ALERT_EMAILS: 'oncall@example.com', OPS_TEAMS_WEBHOOK_URL: teams.url },
      { approvals: 'product-default' },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    approver = d.client((await d.signIn('approver@ops.local')).cookie);
  });
  afterAll(async () => {
    await d?.stop();
    await Promise.all([smtp?.close(), teams?.close()]);
  });

  it('in the app and by e-mail and Teams, with the runbook, scope, reason, count and a link to the request', async () => {
    const preflight = await operator.runbooks.preflight.mutate({
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
    });
    const request = await operator.approvals.request.mutate({
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      reasonCode: 'INCIDENT',
      reasonText: 'lifecycle drift after the import',
      confirmation: 'BACKFILL',
      preflightAffectedCount: preflight.affected_count,
    });
    const title = `Approval requested: ${RUNBOOK} on all tenants by operator@ops.local`;
    const mail = await waitFor(
      async () => smtp.mails.find((m) => m.subject === title),
      20_000,
      'the approval e-mail',
    );
    expect(mail.to).toEqual(['oncall@example.com']);
    const text = mail.parts['text/plain'] ?? '';
    expect(text).toContain('Reason: INCIDENT: lifecycle drift after the import');
    expect(text).toContain(`Affected: ${preflight.affected_count}`);
    expect(text).toContain(`/system/ops/approvals/${request.id}`);
    const card = await waitFor(
      async () => teams.posts.find((p) => JSON.stringify(p).includes(title)),
      20_000,
      'the Teams card',
    );
    expect(JSON.stringify(card)).toContain(`/system/ops/approvals/${request.id}`);

    const approverBell = await approver.notifications.list.query({ limit: 20, unreadOnly: false });
    expect(approverBell.items.find((n) => n.kind === 'approval.requested')).toMatchObject({
      title: `Approval requested: run request ${request.id}`,
      body: expect.stringContaining(`operator@ops.local asks to run ${RUNBOOK} on all tenants`),
    });
    // operator@ops.local holds platform.runbooks.approve too, but is not told of their own request.
    const own = await operator.notifications.list.query({ limit: 20, unreadOnly: false });
    expect(own.items.filter((n) => n.kind === 'approval.requested')).toEqual([]);
  });
});
