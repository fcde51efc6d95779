import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import { type Api, errorOf } from '../support/api-helpers.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// "Send test" as a port scanner, tried through the API of a daemon with the default policy (no
// OPS_ALERT_ALLOW_PRIVATE_HOSTS): whatever listens (or not) behind a private address, the
// operator gets one refusal, and nothing is connected to.

const REFUSAL =
  "the webhook's address resolves to this machine (loopback) (127.0.0.1), which alert destinations may not use; OPS_ALERT_ALLOW_PRIVATE_HOSTS can allow it";

describe('alert destinations on private addresses', () => {
  let d: TestDaemon;
  let operator: Api;
  let target: WebhookPeer;
  let redirecting: WebhookPeer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [target, redirecting] = await Promise.all([startWebhookPeer(), startWebhookPeer('/moved')]);
    redirecting.redirectTo = target.url;
    d = await startTestDaemon({ tenants: 2, findings: 200 }, { OPS_ALERT_ALLOW_PRIVATE_HOSTS: '' });
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    const urls = {
      database: `http://127.0.0.1:${new URL(d.t.url).port}/webhook`,
      closed: await refusedUrl('http'),
      redirecting: redirecting.url,
      listening: target.url,
    };
    for (const [name, webhookUrl] of Object.entries(urls)) {
      ids[name] = (await operator.alerts.create.mutate({ kind: 'teams', name, webhookUrl })).id;
    }
  });
  afterAll(async () => {
    await d.stop();
    await Promise.all([target.close(), redirecting.close()]);
  });

  it('gives the database port, a closed port and a redirecting server the same refusal, and connects to none', async () => {
    const answers: Record<string, unknown> = {};
    for (const [name, id] of Object.entries(ids)) answers[name] = await operator.alerts.test.mutate({ id });
    expect(answers).toEqual({
      database: { ok: false, error: REFUSAL },
      closed: { ok: false, error: REFUSAL },
      redirecting: { ok: false, error: REFUSAL },
      listening: { ok: false, error: REFUSAL },
    });
    expect([redirecting.connections, target.connections]).toEqual([0, 0]);
  });

  it('audits each refused test with the refusal, and nothing the far side said', async () => {
    const { items } = await operator.audit.list.query({ limit: 50 });
    const tests = items.filter((e) => e.action === 'alert.test_sent');
    expect(tests.length).toBeGreaterThanOrEqual(4);
    for (const event of tests) expect(event.details).toMatchObject({ ok: false, error: REFUSAL });
    expect(JSON.stringify(items)).not.toMatch(/test peer|moved/);
  });

  it('allows 5 tests of a destination per minute to an operator, then answers 429 in words', async () => {
    // The first test of each destination ran above.
    for (let i = 0; i < 4; i += 1) await operator.alerts.test.mutate({ id: ids.closed! });
    const refused = await errorOf(operator.alerts.test.mutate({ id: ids.closed! }));
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', data: { httpStatus: 429 } });
    expect(refused.message).toMatch(
      /^Send test is limited to 5 tests of a destination per 60 s; try again in \d+ s$/,
    );
    // Another destination has its own count, and another operator would too.
    expect(await operator.alerts.test.mutate({ id: ids.database! })).toEqual({ ok: false, error: REFUSAL });
  });
});
