import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { type AuthServer, request, signIn, startAuthServer } from '../../../../test/support/identity-kit.ts';
import { AUTH_BASE_PATH } from './auth-options.ts';

const PASSWORD = 'correct horse battery';

function setCookies(headers: Record<string, unknown>): string[] {
  const value = headers['set-cookie'];
  return Array.isArray(value) ? value : [];
}

interface AuditRow {
  action: string;
  actor_label: string;
  ip: string | null;
  details: Record<string, unknown>;
  row_text: string;
}

describe('sign-in over HTTP', () => {
  let t: TestDatabase;
  let s: AuthServer;
  beforeAll(async () => {
    t = await createTestDatabase();
    s = await startAuthServer(t.db);
    await s.identity.upsertAccount({
      email: 'Op@Ops.Local',
      password: PASSWORD,
      plane: 'platform',
      capabilities: ['platform.ops.view'],
    });
    await s.identity.upsertAccount({
      email: 'someone@tenant-1.example',
      password: PASSWORD,
      plane: 'tenant',
      capabilities: [],
    });
  });
  afterAll(async () => {
    await s.close();
    await t.drop();
  });

  const auditRows = (action: string) =>
    t.sql<AuditRow>(
      `SELECT action, actor_label, ip, details, row_to_json(a)::text AS row_text
         FROM ops.audit_events a WHERE action = $1 ORDER BY id`,
      [action],
    );

  it('sets the ops_system session cookie, HttpOnly, SameSite=Lax, Path=/system', async () => {
    const result = await signIn(s.baseUrl, 'op@ops.local', PASSWORD);
    expect(result.status).toBe(200);
    const session = setCookies(result.headers).find((c) => c.startsWith('ops_system.session_token='));
    expect(session).toBeDefined();
    const attributes = (session ?? '').split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/system');
    expect(attributes).not.toContain('secure');
    // Every cookie it sets is scoped to /system, so nothing leaks to another plane's paths.
    for (const cookie of setCookies(result.headers)) expect(cookie.toLowerCase()).toContain('path=/system');
  });

  it('resolves the principal from the session cookie', async () => {
    const result = await signIn(s.baseUrl, 'op@ops.local', PASSWORD);
    const cookie = setCookies(result.headers)
      .map((c) => c.split(';')[0])
      .join('; ');
    const principal = await s.identity.principalFor(new Headers({ cookie }));
    expect(principal).toMatchObject({
      email: 'op@ops.local',
      plane: 'platform',
      capabilities: ['platform.ops.view'],
      breakGlass: null,
    });
  });

  it('ends the session on sign-out', async () => {
    const result = await signIn(s.baseUrl, 'op@ops.local', PASSWORD);
    const cookie = setCookies(result.headers)
      .map((c) => c.split(';')[0])
      .join('; ');
    const out = await request(s.baseUrl, 'POST', `${AUTH_BASE_PATH}/sign-out`, {
      body: {},
      headers: { cookie },
    });
    expect(out.status).toBe(200);
    expect(await s.identity.principalFor(new Headers({ cookie }))).toBeNull();
  });

  it('returns a bearer token that principalFor accepts, and refuses a forged one', async () => {
    const result = await signIn(s.baseUrl, 'op@ops.local', PASSWORD);
    const token = result.headers['set-auth-token'];
    expect(typeof token).toBe('string');
    const principal = await s.identity.principalFor(new Headers({ authorization: `Bearer ${token}` }));
    expect(principal?.email).toBe('op@ops.local');
    expect(await s.identity.principalFor(new Headers({ authorization: 'Bearer not-a-token' }))).toBeNull();
    expect(await s.identity.principalFor(new Headers())).toBeNull();
  });

  it('gives a tenant-plane account a session whose principal is of plane tenant, with no capabilities', async () => {
    const result = await signIn(s.baseUrl, 'someone@tenant-1.example', PASSWORD);
    expect(result.status).toBe(200);
    const principal = await s.identity.principalFor(
      new Headers({ authorization: `Bearer ${String(result.headers['set-auth-token'])}` }),
    );
    expect(principal).toMatchObject({ email: 'someone@tenant-1.example', plane: 'tenant', capabilities: [] });
  });

  it('refuses a wrong password with 401 and audits the e-mail and IP, never the password', async () => {
    const before = (await auditRows('auth.sign_in_failed')).length;
    const result = await signIn(s.baseUrl, 'op@ops.local', 'wrong-password-123');
    expect(result.status).toBe(401);
    const rows = await auditRows('auth.sign_in_failed');
    expect(rows).toHaveLength(before + 1);
    const row = rows.at(-1) as AuditRow;
    expect(row).toMatchObject({
      actor_label: 'anonymous',
      ip: '127.0.0.1',
      details: { email: 'op@ops.local' },
    });
    expect(row.row_text).not.toContain('wrong-password-123');
  });

  it('refuses an unknown e-mail the same way', async () => {
    const result = await signIn(s.baseUrl, 'Nobody@Ops.Local', 'some-password-123');
    expect(result.status).toBe(401);
    const row = (await auditRows('auth.sign_in_failed')).at(-1) as AuditRow;
    expect(row).toMatchObject({ ip: '127.0.0.1', details: { email: 'nobody@ops.local', status: 401 } });
    expect(row.row_text).not.toContain('some-password-123');
  });

  it('takes the client IP from the socket and ignores a client-sent x-ops-client-ip', async () => {
    const result = await signIn(s.baseUrl, 'op@ops.local', 'wrong-password-456', {
      localAddress: '127.0.0.2',
      headers: { 'x-ops-client-ip': '10.9.9.9', 'x-forwarded-for': '10.8.8.8' },
    });
    expect(result.status).toBe(401);
    expect((await auditRows('auth.sign_in_failed')).at(-1)?.ip).toBe('127.0.0.2');

    const ok = await signIn(s.baseUrl, 'op@ops.local', PASSWORD, {
      localAddress: '127.0.0.3',
      headers: { 'x-ops-client-ip': '10.9.9.9' },
    });
    const sessions = await t.sql<{ ipAddress: string }>(
      'SELECT "ipAddress" FROM ops."session" WHERE token = $1',
      [String(ok.headers['set-auth-token']).split('.')[0]],
    );
    expect(sessions).toEqual([{ ipAddress: '127.0.0.3' }]);
  });

  it('refuses a sign-in from an untrusted or null origin', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const result = await signIn(s.baseUrl, 'op@ops.local', PASSWORD, { headers: { origin } });
      expect(result.status, origin).toBe(403);
    }
  });

  it('offers no public sign-up', async () => {
    const result = await request(s.baseUrl, 'POST', `${AUTH_BASE_PATH}/sign-up/email`, {
      body: { email: 'new@ops.local', password: 'a-long-password', name: 'New' },
    });
    expect(result.status).toBe(404);
    expect(await t.sql('SELECT 1 FROM ops."user" WHERE email = $1', ['new@ops.local'])).toEqual([]);
  });
});

describe('sign-in cookie behind https', () => {
  let t: TestDatabase;
  let s: AuthServer;
  beforeAll(async () => {
    t = await createTestDatabase();
    s = await startAuthServer(t.db, { secureCookies: true });
    await s.identity.upsertAccount({
      email: 'op@ops.local',
      password: PASSWORD,
      plane: 'platform',
      capabilities: [],
    });
  });
  afterAll(async () => {
    await s.close();
    await t.drop();
  });

  it('marks the cookie Secure when secureCookies is on', async () => {
    const result = await signIn(s.baseUrl, 'op@ops.local', PASSWORD);
    expect(result.status).toBe(200);
    const session = setCookies(result.headers).find((c) => c.includes('ops_system.session_token='));
    expect(session?.split(';').map((p) => p.trim().toLowerCase())).toEqual(
      expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/system']),
    );
  });
});
