import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Issue 11: a sign-in whose body fails validation is counted, throttled and audited like a wrong
// password (it used to reach a 500 unaudited), and throttled attempts are logged once per
// (IP, e-mail) and window, not once per attempt.

describe('sign-in attempts that fail validation, and throttled sign-ins', () => {
  let d: TestDaemon;
  const logs: string[] = [];
  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 1, findings: 20 }, {}, { log: (m) => logs.push(m) });
  });
  afterAll(() => d.stop());

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${d.url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': contentType, origin: d.url },
      body,
    });
  const attempt = (email: string, password: string) => post(JSON.stringify({ email, password }));
  const failures = (email: string) =>
    d.t.sql<{ details: Record<string, unknown> }>(
      "SELECT details FROM ops.audit_events WHERE action = 'auth.sign_in_failed' AND details->>'email' = $1 ORDER BY id",
      [email],
    );

  it.each([
    ['a NUL in the e-mail', 'nul\u0000@ops.local', 'a-password', 'email', 'nul\uFFFD@ops.local'],
    ['an e-mail of 300 characters', `${'x'.repeat(290)}@ops.local`, 'a-password', 'email', null],
    ['a NUL in the password', 'pw-nul@ops.local', 'pass\u0000word', 'password', 'pw-nul@ops.local'],
    ['a password of 200 characters', 'pw-long@ops.local', 'p'.repeat(200), 'password', 'pw-long@ops.local'],
  ])('refuses %s with 400 naming the field, and audits it', async (_, email, password, field, audited) => {
    const res = await attempt(email, password);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', field });
    const rows = await failures(audited ?? email.toLowerCase());
    expect(rows).toEqual([
      { details: { email: audited ?? email, status: 400, code: 'INVALID_INPUT', field } },
    ]);
  });

  it('refuses and audits a body that is not JSON, or not an object', async () => {
    for (const body of ['{not json', '[1,2]', '"x"', '']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field: 'body' });
    }
    expect(await failures('')).toHaveLength(4);
  });

  it('throttles malformed attempts like any other: the 11th within the minute is 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await attempt('flood\u0000@ops.local', 'x')).status);
    expect(statuses).toEqual([...Array(10).fill(400), 429]);
  });

  it('logs throttled attempts once per (IP, e-mail) and window, and audits each', async () => {
    const throttledLines = () => logs.filter((l) => l.startsWith('sign-in throttled'));
    const before = throttledLines().length;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await attempt('viewer@ops.local', `wrong-${i}`)).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    for (let i = 0; i < 12; i++) await attempt('operator@ops.local', `wrong-${i}`);
    const lines = throttledLines().slice(before);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"viewer@ops.local" from 127.0.0.1');
    expect(lines[1]).toContain('"operator@ops.local" from 127.0.0.1');
    const audited = await d.t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM ops.audit_events WHERE action = 'auth.sign_in_throttled' AND details->>'email' = 'viewer@ops.local'",
    );
    expect(audited[0]!.n).toBe(15);
    expect(logs.join('\n')).not.toContain('wrong-');
  });
});
