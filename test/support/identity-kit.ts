import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditLog } from '../../apps/daemon/src/audit/index.ts';
import type { Database } from '../../apps/daemon/src/db/connection.ts';
import {
  AUTH_BASE_PATH,
  createIdentity,
  type Identity,
  type IdentityOptions,
} from '../../apps/daemon/src/identity/index.ts';

// Test-only helpers shared by the identity tests: a real HTTP server in front of `Identity.handler`
// and a client that can pick its source address (127.0.0.x), so client-IP handling is exercised
// over real sockets rather than with spoofed headers.

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-better-auth-0123456789';
export const RUNBOOK_CAPABILITY = 'platform.runbooks.findings.lifecycle_backfill';

export interface AuthServer {
  identity: Identity;
  baseUrl: string;
  audit: AuditLog;
  close(): Promise<void>;
}

/** An Identity behind a tiny HTTP server that routes /system/api/auth/* to it and 404s the rest. */
export async function startAuthServer(
  db: Database,
  overrides: Partial<Omit<IdentityOptions, 'db' | 'audit' | 'baseUrl'>> = {},
): Promise<AuthServer> {
  let identity: Identity | undefined;
  const server = http.createServer((req, res) => {
    if (identity !== undefined && req.url?.startsWith(`${AUTH_BASE_PATH}/`)) {
      identity.handler(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audit = new AuditLog(db.pool);
  identity = await createIdentity({
    db,
    audit,
    baseUrl,
    secret: TEST_SECRET,
    runbookCapabilities: () => [RUNBOOK_CAPABILITY],
    ...overrides,
  });
  const created = identity;
  return {
    identity: created,
    baseUrl,
    audit,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await created.close();
    },
  };
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** One HTTP request from `localAddress` (default 127.0.0.1), sending the base URL's Origin. */
export function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<HttpResult> {
  const url = new URL(path, baseUrl);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: options.localAddress ?? '127.0.0.1',
        headers: {
          origin: new URL(baseUrl).origin,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function signIn(
  baseUrl: string,
  email: string,
  password: string,
  options: { localAddress?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  return request(baseUrl, 'POST', `${AUTH_BASE_PATH}/sign-in/email`, {
    body: { email, password },
    ...options,
  });
}

/** Signs in and returns headers that authenticate as that account (a bearer token). */
export async function bearerHeaders(baseUrl: string, email: string, password: string): Promise<Headers> {
  const result = await signIn(baseUrl, email, password);
  const token = result.headers['set-auth-token'];
  if (result.status !== 200 || typeof token !== 'string') {
    throw new Error(`sign-in of ${email} failed: ${result.status} ${JSON.stringify(result.body)}`);
  }
  return new Headers({ authorization: `Bearer ${token}` });
}
