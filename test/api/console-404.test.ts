import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Issue 12: a platform operator who loads a console address that does not exist gets the console's
// own "Page not found" (HTML, status 404), as an in-app link shows it. Everyone else, and every
// unknown API path, keeps the one byte-identical JSON 404 (plane-404.test.ts, access-matrix).
describe('an unknown console page', () => {
  let d: TestDaemon;
  let operator: string;
  let tenant: string;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 1, findings: 20 });
    operator = (await d.signIn('operator@ops.local')).cookie;
    tenant = (await d.signIn('customer@tenant-1.example')).cookie;
  });
  afterAll(() => d?.stop());

  const comparable = async (res: Response) => {
    const headers = Object.fromEntries([...res.headers.entries()].filter(([k]) => k !== 'date'));
    return { status: res.status, headers, body: await res.text() };
  };
  const get = (path: string, cookie?: string) =>
    fetch(`${d.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

  it('is the console (404, HTML) for a signed-in platform operator', async () => {
    const index = await (await get('/system/ops/runbooks', operator)).text();
    for (const path of ['/system/no-such-page', '/system/ops/runs/abc', '/system/ops/nope/deeper']) {
      const res = await get(path, operator);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toBe(index);
    }
  });

  it('answers an operator’s unknown API and asset paths with JSON 404s, as before, never the console', async () => {
    const unknown = await comparable(await get('/no/such/path'));
    for (const path of ['/system/api/nope', '/system/api', '/system/assets/missing.js']) {
      expect({ path, ...(await comparable(await get(path, operator))) }).toEqual({ path, ...unknown });
    }
    // An unknown procedure is tRPC's own NOT_FOUND, which the console's client reads.
    const procedure = await get('/system/api/trpc/no.such', operator);
    expect(procedure.status).toBe(404);
    expect(procedure.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await procedure.json()).toMatchObject({ error: { data: { code: 'NOT_FOUND' } } });
  });

  it('keeps the one JSON 404 for a tenant user and for anonymous callers', async () => {
    const unknown = await comparable(await get('/no/such/path'));
    for (const cookie of [tenant, undefined]) {
      for (const path of ['/system/no-such-page', '/system/ops/nope']) {
        expect({ path, ...(await comparable(await get(path, cookie))) }).toEqual({ path, ...unknown });
      }
    }
  });
});
