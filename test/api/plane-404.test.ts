import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../apps/daemon/src/identity/index.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Issue 11, "Indistinguishable 404": the plane is decided before routing, on one code path for real
// and unknown /system paths; a tenant-plane session sees nothing of the identity endpoints but
// sign-in and sign-out; session tokens never appear in bodies sent to cookie clients.

const REAL_PATHS = [
  '/system/ops/runs',
  '/system/ops/runs/1',
  '/system/api/trpc/runs.list',
  '/system/api/auth/get-session',
  '/system/api/auth/list-sessions',
];
const UNKNOWN_PATHS = ['/system/no-such-page', '/system/api/trpc/no.such', '/system/api/auth/no-such'];

async function comparable(res: Response) {
  const headers = Object.fromEntries([...res.headers.entries()].filter(([k]) => k !== 'date'));
  return { status: res.status, headers, body: await res.text() };
}

describe('the plane decision before routing', () => {
  let d: TestDaemon;
  let tenantCookie: string;
  let lookups = 0;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 1, findings: 20 });
    // Counts the HTTP layer's session lookups: the server calls the daemon's own identity object.
    const identity: Identity = d.daemon.identity;
    const lookUp = identity.principalFor.bind(identity);
    identity.principalFor = (headers) => {
      lookups++;
      return lookUp(headers);
    };
    ({ cookie: tenantCookie } = await d.signIn('customer@tenant-1.example'));
  });
  afterAll(() => d.stop());

  async function lookupsFor(path: string, headers: Record<string, string>) {
    const before = lookups;
    const res = await fetch(`${d.url}${path}`, { headers, redirect: 'manual' });
    await res.arrayBuffer();
    return { status: res.status, lookups: lookups - before };
  }

  it('looks the session up exactly once for every /system path, real or unknown, whoever asks', async () => {
    const { cookie: operator } = await d.signIn('operator@ops.local');
    for (const headers of [{ cookie: tenantCookie }, { cookie: operator }, {}] as Record<string, string>[]) {
      for (const path of [...REAL_PATHS, ...UNKNOWN_PATHS]) {
        expect({ path, ...(await lookupsFor(path, headers)) }).toMatchObject({ path, lookups: 1 });
      }
    }
  });

  it('gives a tenant session on a real path and on an unknown path the same code path and answer', async () => {
    const unknown = await comparable(await fetch(`${d.url}/no/such/path`));
    expect(unknown.status).toBe(404);
    for (const path of [...REAL_PATHS, ...UNKNOWN_PATHS]) {
      const res = await fetch(`${d.url}${path}`, { headers: { cookie: tenantCookie } });
      expect({ path, ...(await comparable(res)) }).toEqual({ path, ...unknown });
    }
  });

  it('answers a tenant session 404 from every identity endpoint but sign-in and sign-out', async () => {
    const unknown = await comparable(await fetch(`${d.url}/no/such/path`));
    for (const [method, path] of [
      ['GET', '/system/api/auth/get-session'],
      ['GET', '/system/api/auth/list-sessions'],
      ['POST', '/system/api/auth/revoke-sessions'],
      ['POST', '/system/api/auth/revoke-other-sessions'],
      ['POST', '/system/api/auth/change-password'],
      ['POST', '/system/api/auth/update-session'],
    ] as const) {
      const res = await fetch(`${d.url}${path}`, {
        method,
        headers: { cookie: tenantCookie, origin: d.url, 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect({ path, ...(await comparable(res)) }).toEqual({ path, ...unknown });
    }
    const { cookie } = await d.signIn('customer@tenant-1.example'); // sign-in still answers
    const out = await fetch(`${d.url}/system/api/auth/sign-out`, {
      method: 'POST',
      headers: { cookie, origin: d.url, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/ops_system\.session_token=;/);
  });

  it('never puts a session token in a body sent to a cookie client', async () => {
    const signIn = await fetch(`${d.url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: d.url },
      body: JSON.stringify({ email: 'viewer@ops.local', password: 'ops-demo-password' }),
    });
    const token = signIn.headers.get('set-auth-token')!;
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect(token.length).toBeGreaterThan(10);
    const bodies = [
      await signIn.text(),
      await (await fetch(`${d.url}/system/api/auth/get-session`, { headers: { cookie } })).text(),
      await (await fetch(`${d.url}/system/api/auth/list-sessions`, { headers: { cookie } })).text(),
    ];
    expect(JSON.parse(bodies[1]!)).toMatchObject({ user: { email: 'viewer@ops.local' }, session: {} });
    expect(JSON.parse(bodies[2]!)).toHaveLength(1);
    const sessionToken = decodeURIComponent(cookie.split('=')[1]!).split('.')[0]!;
    for (const body of bodies) {
      expect(body).not.toContain('"token"');
      expect(body).not.toContain(sessionToken);
    }
  });

  it('still serves the desktop app, a bearer client, with its session', async () => {
    const { token } = await d.signIn('viewer@ops.local');
    const res = await fetch(`${d.url}/system/api/auth/get-session`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { email: 'viewer@ops.local' } });
  });
});
