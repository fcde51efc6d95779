import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../apps/daemon/src/alerts/index.ts';
import {
  refusedUrl,
  type SmtpPeer,
  startSmtpPeer,
  startWebhookPeer,
  type WebhookPeer,
} from '../support/alert-peers.ts';
import { type Api, errorOf, runToEnd } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { allowFindingWrites, refuseFindingWrites } from '../support/refuse-writes.ts';

interface Card {
  type: string;
  attachments: {
    contentType: string;
    content: {
      type: string;
      version: string;
      body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
      actions: { type: string; title: string; url: string }[];
    };
  }[];
}

const factsOf = (card: Card) =>
  Object.fromEntries(
    card.attachments[0]!.content.body.flatMap((b) => b.facts ?? []).map((f) => [f.title, f.value]),
  );

describe('failure alerts', () => {
  let d: TestDaemon;
  let smtp: SmtpPeer;
  let teams: WebhookPeer;
  let operator: Api;
  let viewer: Api;
  let tenantIds: Map<string, number>;
  const tenant = (externalId: string) => ({ kind: 'tenant' as const, tenantId: tenantIds.get(externalId)! });

  const deliveriesOf = (runId: string) => viewer.alerts.deliveries.query({ runId });
  /** Waits until no delivery of the run is pending or sending. */
  const settled = (runId: string, count: number) =>
    waitFor(
      async () => {
        const all = await deliveriesOf(runId);
        return all.length === count && all.every((x) => x.status === 'delivered' || x.status === 'failed')
          ? (all as DeliveryRecord[])
          : undefined;
      },
      20_000,
      `the deliveries of run ${runId} to settle`,
    );

  beforeAll(async () => {
    [smtp, teams] = await Promise.all([startSmtpPeer(), startWebhookPeer()]);
    d = await startTestDaemon(
      { tenants: 5, findings: 2500, drift: 0.4 },
      {
        OPS_SMTP_URL: smtp.url,
        OPS_ALERT_EMAILS: 'oncall@example.com, lead@example.com',
        OPS_TEAMS_WEBHOOK_URL: teams.url,
        OPS_ALERT_RETRY_MS: '50',
        OPS_CHUNK_SIZE: '300',
      },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    viewer = d.client((await d.signIn('viewer@ops.local')).cookie);
    const rows = await d.t.sql<{ id: string; external_id: string }>('SELECT id, external_id FROM tenants');
    tenantIds = new Map(rows.map((r) => [r.external_id, Number(r.id)]));
  });
  afterAll(async () => {
    await d.stop();
    await Promise.all([smtp.close(), teams.close()]);
  });

  it('e-mails and posts a Teams card for a partially succeeded run, with the counts and the View run link', async () => {
    await refuseFindingWrites(d.t, 'tenant-3');
    const run = await runToEnd(operator, { kind: 'all' });
    await allowFindingWrites(d.t);
    expect(run.outcome).toBe('partially_succeeded');
    const link = `${d.url}/system/ops/runs/${run.id}`;

    const deliveries = await settled(run.id, 2);
    expect(deliveries.map((x) => [x.destinationKind, x.status, x.attempts])).toEqual([
      ['email', 'delivered', 1],
      ['teams', 'delivered', 1],
    ]);

    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['oncall@example.com', 'lead@example.com']);
    expect(mail.subject).toBe(
      `Run ${run.id} partially succeeded: findings.lifecycle.backfill on all tenants`,
    );
    const text = mail.parts['text/plain']!;
    expect(text).toContain(`View run: ${link}`);
    expect(text).toContain(`Updated: ${run.summary.updated_count}`);
    expect(text).toContain('Errors: 1');
    expect(text).toContain('Reason: INCIDENT: alert test');
    expect(text).toContain('Scope: all tenants');
    expect(text).toMatch(/tenant tenant-3: .*read-only/);
    const html = mail.parts['text/html']!;
    expect(html).toContain(`<a href="${link}">View run</a>`);
    expect(html).toContain(`<th align="left" style="padding:2px 12px 2px 0">Errors</th><td>1</td>`);

    const card = teams.posts.at(-1) as Card;
    expect(card.type).toBe('message');
    expect(card.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.attachments[0]!.content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'View run', url: link },
    ]);
    expect(factsOf(card)).toMatchObject({
      Outcome: 'partially_succeeded',
      Scope: 'all tenants',
      Reason: 'INCIDENT: alert test',
      'Started by': 'operator@ops.local',
      Errors: '1',
      Updated: String(run.summary.updated_count),
    });
  });

  it('gives the operator who started the run an in-app notification, which they can mark read', async () => {
    const [latestRun] = (await operator.runs.list.query({ limit: 1 })).items;
    const mine = await operator.notifications.list.query({ unreadOnly: true });
    const note = mine.items.find((n) => n.runId === latestRun!.id);
    expect(note).toMatchObject({
      kind: 'run.partially_succeeded',
      title: `Run #${latestRun!.id} partially succeeded`,
      readAt: null,
    });
    expect(note!.body).toMatch(
      /findings\.lifecycle\.backfill on all tenants: updated [\d,]+ of [\d,]+, 1 error/,
    );
    expect((await viewer.notifications.list.query({})).items).toEqual([]);

    expect(await operator.notifications.markRead.mutate({ ids: [note!.id] })).toEqual({ marked: 1 });
    const after = await operator.notifications.list.query({});
    expect(after.items.find((n) => n.id === note!.id)?.readAt).toEqual(expect.any(String));
    expect(after.unreadCount).toBe(0);
  });

  it('keeps the outcome and the other deliveries when destinations refuse: failed after 3 attempts each', async () => {
    const [refusingSmtp, refusingHook] = await Promise.all([startSmtpPeer(), startWebhookPeer('/broken')]);
    refusingSmtp.refuseWith = 550;
    refusingHook.status = 500;
    try {
      const created = [
        await operator.alerts.create.mutate({
          kind: 'email',
          name: 'refusing smtp',
          recipients: ['nobody@example.com'],
          smtpUrl: refusingSmtp.url,
        }),
        await operator.alerts.create.mutate({
          kind: 'teams',
          name: 'webhook 500',
          webhookUrl: refusingHook.url,
        }),
        await operator.alerts.create.mutate({
          kind: 'teams',
          name: 'nobody listens',
          webhookUrl: await refusedUrl('http'),
        }),
      ];
      const before = { mails: smtp.mails.length, posts: teams.posts.length };
      await refuseFindingWrites(d.t, 'all');
      const run = await runToEnd(operator, tenant('tenant-3'));
      await allowFindingWrites(d.t);
      expect(run.outcome).toBe('failed');

      const deliveries = await settled(run.id, 5);
      const byName = new Map(deliveries.map((x) => [x.destinationName, x]));
      expect(byName.get('Alert e-mails (OPS_ALERT_EMAILS)')).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
      expect(byName.get('Teams (OPS_TEAMS_WEBHOOK_URL)')).toMatchObject({ status: 'delivered', attempts: 1 });
      for (const [name, error] of [
        ['refusing smtp', /^the mail server refused the message \(SMTP 550\)$/],
        ['webhook 500', /^the webhook answered HTTP 500$/],
        ['nobody listens', /^the webhook's server refused the connection/],
      ] as const) {
        const x = byName.get(name)!;
        expect(x).toMatchObject({ status: 'failed', attempts: 3, maxAttempts: 3 });
        expect(x.lastError).toMatch(error);
        expect(x.attemptLog.map((a) => [a.attempt, a.ok])).toEqual([
          [1, false],
          [2, false],
          [3, false],
        ]);
        // The run was over before the first attempt: alerting never held it up.
        expect(Date.parse(x.attemptLog[0]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(run.finishedAt!));
      }
      // The peers' own words (a 500 body, an SMTP reply) are neither shown nor kept.
      expect(JSON.stringify(deliveries)).not.toMatch(/test peer/);
      expect(refusingHook.posts).toHaveLength(3);
      expect(smtp.mails.length).toBe(before.mails + 1);
      expect(teams.posts.length).toBe(before.posts + 1);
      expect((await operator.runs.get.query({ id: run.id })).outcome).toBe('failed');
      for (const c of created) await operator.alerts.delete.mutate({ id: c.id });
    } finally {
      await Promise.all([refusingSmtp.close(), refusingHook.close()]);
    }
  });

  it('sends a success only to destinations that asked for success notifications', async () => {
    const before = { mails: smtp.mails.length, posts: teams.posts.length };
    const destinations = await operator.alerts.list.query();
    expect(destinations.map((x) => x.notifyOnSuccess)).toEqual([false, false]);
    const hook = destinations.find((x) => x.kind === 'teams')!;
    await operator.alerts.update.mutate({ id: hook.id, notifyOnSuccess: true });

    const run = await runToEnd(operator, tenant('tenant-3'));
    expect(run.outcome).toBe('succeeded');
    const [delivery, ...none] = await settled(run.id, 1);
    expect(none).toEqual([]);
    expect(delivery).toMatchObject({ destinationKind: 'teams', status: 'delivered', event: 'run.succeeded' });
    expect(smtp.mails.length).toBe(before.mails);
    expect(teams.posts.length).toBe(before.posts + 1);
    expect(factsOf(teams.posts.at(-1) as Card).Outcome).toBe('succeeded');
    // In the app, success is quiet by default (OPS_NOTIFY_SUCCESS_IN_APP): the run was announced
    // (its delivery went out) and the operator's bell holds nothing for it.
    expect((await operator.notifications.list.query({})).items.filter((n) => n.runId === run.id)).toEqual([]);
    await operator.alerts.update.mutate({ id: hook.id, notifyOnSuccess: false });
  });

  it('sends a test message on request and reports a refusal', async () => {
    const mail = (await operator.alerts.list.query()).find((x) => x.kind === 'email')!;
    expect(await operator.alerts.test.mutate({ id: mail.id })).toEqual({ ok: true, error: null });
    expect(smtp.mails.at(-1)!.subject).toBe(
      'Test alert from Ops Runbooks to Alert e-mails (OPS_ALERT_EMAILS)',
    );

    const broken = await operator.alerts.create.mutate({
      kind: 'teams',
      name: 'closed port',
      webhookUrl: await refusedUrl('http'),
    });
    const result = await operator.alerts.test.mutate({ id: broken.id });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^the webhook's server refused the connection/);
    await operator.alerts.delete.mutate({ id: broken.id });
  });

  it('never returns a secret in full: webhook URLs and SMTP passwords are masked, also in the audit log', async () => {
    const created = await operator.alerts.create.mutate({
      kind: 'email',
      name: 'own server',
      recipients: ['ops@example.com'],
      smtpUrl: 'smtps://alerts%40example.com:s3cret-pass@mail.example.com:465',
    });
    expect(created.smtpUrl).toBe('smtps://alerts@example.com:****@mail.example.com:465');
    const list = await operator.alerts.list.query();
    const envHook = list.find((x) => x.source === 'environment' && x.kind === 'teams')!;
    expect(envHook.webhookUrl).toBe(`${new URL(teams.url).origin}/…-xyz`);
    const everything = JSON.stringify([
      list,
      await operator.audit.list.query({ limit: 200 }),
      await viewer.alerts.deliveries.query({
        runId: (await operator.runs.list.query({ limit: 1 })).items[0]!.id,
      }),
    ]);
    expect(everything).not.toContain('s3cret-pass');
    expect(everything).not.toContain('secret-xyz');
    expect(everything).not.toContain('IncomingWebhook');
    await operator.alerts.delete.mutate({ id: created.id });
  });

  it('keeps the environment in charge of its destinations: their address cannot be edited, nor can they be deleted', async () => {
    const env = (await operator.alerts.list.query()).find(
      (x) => x.source === 'environment' && x.kind === 'email',
    )!;
    const edit = await errorOf(operator.alerts.update.mutate({ id: env.id, recipients: ['x@example.com'] }));
    expect(edit).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'recipients' } });
    expect(edit.message).toMatch(/OPS_ALERT_EMAILS/);
    const del = await errorOf(operator.alerts.delete.mutate({ id: env.id }));
    expect(del).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'id' } });
  });

  it('names the field of a malformed webhook URL or e-mail address', async () => {
    const cases: [Parameters<Api['alerts']['create']['mutate']>[0], string][] = [
      [{ kind: 'teams', name: 'x', webhookUrl: 'not a url' }, 'webhookUrl'],
      [{ kind: 'teams', name: 'x', webhookUrl: 'http://teams.example.com/hook' }, 'webhookUrl'],
      [{ kind: 'email', name: 'x', recipients: ['ops@example.com', 'not-an-address'] }, 'recipients.1'],
      [
        { kind: 'email', name: 'x', recipients: ['ops@example.com'], smtpUrl: 'http://mail.example.com' },
        'smtpUrl',
      ],
    ];
    for (const [input, field] of cases) {
      const error = await errorOf(operator.alerts.create.mutate(input));
      expect(error, field).toMatchObject({ code: 'BAD_REQUEST', data: { field, httpStatus: 400 } });
      expect(error.message.startsWith(`${field}: `)).toBe(true);
    }
  });
});
