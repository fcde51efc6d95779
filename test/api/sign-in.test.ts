import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startTestDaemon, type TestDaemon } from '../support/daemon.ts';

describe('signing in to /system', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 2, findings: 100 });
  });
  afterAll(() => d.stop());

  const attempt = (email: string, password: string) =>
    fetch(`${d.url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: d.url },
      body: JSON.stringify({ email, password }),
    });

  it("sets the /system plane's own session cookie: HttpOnly, SameSite, Path=/system", async () => {
    const res = await attempt('operator@ops.local', DEMO_PASSWORD);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ops_system\.session_token=[^;]+;/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=(Lax|Strict)/i);
    expect(cookie).toMatch(/; Path=\/system(;|$)/);
  });

  it('answers the 11th attempt within a minute for one IP and e-mail with 429, while another e-mail still gets in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await attempt('viewer@ops.local', `wrong-password-${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect((await attempt('viewer@ops.local', DEMO_PASSWORD)).status).toBe(429); // even the right password, for now
    expect((await attempt('operator@ops.local', DEMO_PASSWORD)).status).toBe(200);

    const failures = await d.t.sql<{ ip: string; details: Record<string, unknown> }>(
      "SELECT ip, details FROM ops.audit_events WHERE action = 'auth.sign_in_failed'",
    );
    expect(failures).toHaveLength(10);
    expect(failures[0]).toMatchObject({
      ip: expect.stringMatching(/127\.0\.0\.1/),
      details: { email: 'viewer@ops.local' },
    });
    const all = JSON.stringify(await d.t.sql('SELECT * FROM ops.audit_events'));
    expect(all).not.toContain('wrong-password');
  });

  it('audits a sign-in with an unknown e-mail', async () => {
    expect((await attempt('nobody@ops.local', 'whatever-password')).status).toBe(401);
    const rows = await d.t.sql<{ details: { email: string } }>(
      "SELECT details FROM ops.audit_events WHERE action = 'auth.sign_in_failed' AND details->>'email' = 'nobody@ops.local'",
    );
    expect(rows).toHaveLength(1);
  });
});
