import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { inputWith, listProcedures, type ProcedureInfo } from '../support/procedures.ts';

// Issue 11, "API input and errors": what PostgreSQL would refuse is refused first, as 400 naming the
// field; unknown methods are 405; an internal error shows an id only. The procedures and their
// fields come from the router (test/support/procedures.ts), so a new procedure is covered too.

const PROCEDURES = listProcedures();
const BIGINT_OVERFLOW = '9223372036854775808'; // bigint max + 1: 19 digits, so only the range refuses it

/** A raw request with any method (fetch refuses TRACE), answering status and body. */
function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Calls a procedure over HTTP; a subscription's first event is read (its errors arrive in-stream). */
async function call(d: TestDaemon, p: ProcedureInfo, input: unknown, cookie: string) {
  if (p.kind !== 'subscription') {
    const res = await callProcedure(d.url, p.path, p.kind, input, { cookie });
    return { status: res.status, body: await res.text() };
  }
  const controller = new AbortController();
  const res = await fetch(
    `${d.url}/system/api/trpc/${p.path}?input=${encodeURIComponent(JSON.stringify(input))}`,
    { headers: { cookie, origin: d.url }, signal: controller.signal },
  );
  const reader = res.body!.getReader();
  let text = '';
  while (!/BAD_REQUEST|"result"|INTERNAL/.test(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  return { status: /"httpStatus":400/.test(text) ? 400 : res.status, body: text };
}

describe('API input validation and internal errors', () => {
  let d: TestDaemon;
  let cookie: string;
  const logs: string[] = [];

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 2, findings: 100 }, {}, { log: (m) => logs.push(m) });
    ({ cookie } = await d.signIn('operator@ops.local'));
  });
  afterAll(() => d.stop());

  const idFields = PROCEDURES.flatMap((p) =>
    p.fields.filter((f) => f.kind === 'id').map((f) => [p.path, f.path.join('.'), p, f.path] as const),
  );
  const stringFields = PROCEDURES.flatMap((p) =>
    p.fields
      .filter((f) => ['string', 'enum', 'literal', 'id', 'unknown'].includes(f.kind))
      .map((f) => [p.path, f.path.join('.'), p, f.path] as const),
  );

  it('knows every id-taking procedure from the router', () => {
    expect(idFields.length).toBeGreaterThanOrEqual(15);
    expect(stringFields.length).toBeGreaterThanOrEqual(40);
  });

  it.each(idFields)(
    '%s refuses an id past the bigint range in %s with 400 naming it',
    async (_, field, p, path) => {
      const { status, body } = await call(d, p, inputWith(path, BIGINT_OVERFLOW), cookie);
      expect(status).toBe(400);
      expect(body).toContain(`"field":"${field}"`);
      expect(body).toContain('at most 9223372036854775807');
    },
  );

  it.each(stringFields)('%s refuses a NUL character in %s with 400 naming it', async (_, field, p, path) => {
    const { status, body } = await call(d, p, inputWith(path, 'before\u0000after'), cookie);
    expect(status).toBe(400);
    expect(body).toContain(`"field":"${field}"`);
    expect(body).toContain('must not contain NUL characters');
  });

  it('refuses a NUL character in a parameter name, naming it', async () => {
    const res = await callProcedure(
      d.url,
      'runbooks.preflight',
      'mutation',
      { runbookId: 'findings.lifecycle.backfill', scope: { kind: 'all' }, params: { 'a\u0000b': 1 } },
      { cookie },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { data: { field: string } } }).error.data.field).toBe(
      'params.a\\u0000b',
    );
  });

  it.each(['TRACE', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s with 405 on real, unknown and identity paths alike',
    async (method) => {
      const answers = new Set<string>();
      for (const path of [
        '/system/api/trpc/me.get',
        '/system/api/auth/get-session',
        '/system/ops/runs',
        '/system/no-such-page',
        '/healthz',
      ]) {
        const res = await rawRequest(d.url, method, path, { cookie });
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
        answers.add(res.body);
      }
      expect(answers.size).toBe(1);
    },
  );

  it('answers an internal error with an error id only, and logs the detail under that id', async () => {
    await d.t.sql('ALTER TABLE ops.notifications RENAME TO notifications_moved_away');
    try {
      const res = await callProcedure(d.url, 'notifications.list', 'query', {}, { cookie });
      expect(res.status).toBe(500);
      const text = await res.text();
      const { error } = JSON.parse(text);
      expect(error.data.errorId).toMatch(/^[0-9a-f]{16}$/);
      expect(error.message).toBe(`internal error (id ${error.data.errorId})`);
      expect(text).not.toMatch(/relation|does not exist|\.ts:\d/);
      const line = logs.find((l) => l.includes(error.data.errorId));
      expect(line).toContain('relation "ops.notifications" does not exist');
    } finally {
      await d.t.sql('ALTER TABLE ops.notifications_moved_away RENAME TO notifications');
    }
  });

  it("answers an internal error of the identity endpoints with an id only, and logs better-auth's detail", async () => {
    await d.t.sql('ALTER TABLE ops."session" RENAME TO session_moved_away');
    try {
      const res = await fetch(`${d.url}/system/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: d.url },
        body: JSON.stringify({ email: 'operator@ops.local', password: 'ops-demo-password' }),
      });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { errorId: string; message: string };
      expect(Object.keys(body).sort()).toEqual(['code', 'errorId', 'message']);
      expect(body.message).toBe(`internal error (id ${body.errorId})`);
      expect(logs.find((l) => l.includes(body.errorId))).toMatch(/session/);
    } finally {
      await d.t.sql('ALTER TABLE ops.session_moved_away RENAME TO "session"');
    }
  });
});
