import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { API_MAX_BATCH_SIZE, type AppRouter } from '../../apps/daemon/src/api/index.ts';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type Daemon, startDaemon } from '../../apps/daemon/src/daemon.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database.ts';

export const DEMO_PASSWORD = 'ops-demo-password';

export interface TestDaemon {
  t: TestDatabase;
  daemon: Daemon;
  url: string;
  /** Signs in over HTTP; returns the session cookie (name=value) and the bearer token. */
  signIn(email: string, password?: string): Promise<{ cookie: string; token: string }>;
  /** A typed tRPC client sending the cookie (and our Origin) like the browser console does. */
  client(cookie: string | null): ReturnType<typeof createTRPCClient<AppRouter>>;
  stop(): Promise<void>;
}

/** A served daemon on a fresh database with demo accounts and a small seed, on a free port. */
export async function startTestDaemon(
  seed: { tenants: number; findings: number; drift?: number } = { tenants: 5, findings: 2000 },
  env: Record<string, string> = {},
  options: { log?: (message: string) => void } & TestDatabaseOptions = {},
): Promise<TestDaemon> {
  // Approvals are off unless the suite asks for the product default (see TestDatabaseOptions).
  const t = await createTestDatabase({ approvals: options.approvals });
  await seedDemoData(t.db.pool, { drift: 0.3, seed: 1, ...seed });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-daemon-test-'));
  const config = loadConfig({
    DATABASE_URL: t.url,
    OPS_DATA_DIR: dataDir,
    OPS_HEARTBEAT_MS: '200',
    // Alert peers listen on 127.0.0.1; a test of the address policy passes '' (unset).
    OPS_ALERT_ALLOW_PRIVATE_HOSTS: 'true',
    ...env,
  });
  const daemon = await startDaemon(config, {
    host: '127.0.0.1',
    port: 0,
    demo: true,
    sweepMs: 500,
    log: options.log,
  });
  const url = daemon.url;
  return {
    t,
    daemon,
    url,
    async signIn(email, password = DEMO_PASSWORD) {
      const res = await fetch(`${url}/system/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email, password }),
      });
      if (res.status !== 200)
        throw new Error(`sign-in of ${email} answered ${res.status}: ${await res.text()}`);
      const setCookie = res.headers.get('set-cookie') ?? '';
      return { cookie: setCookie.split(';')[0]!, token: res.headers.get('set-auth-token') ?? '' };
    },
    client(cookie) {
      const headers = () => ({ origin: url, ...(cookie ? { cookie } : {}) });
      return createTRPCClient<AppRouter>({
        links: [
          splitLink({
            condition: (op) => op.type === 'subscription',
            true: httpSubscriptionLink({
              url: `${url}/system/api/trpc`,
              EventSource,
              eventSourceOptions: () => ({
                fetch: (input: string | URL | Request, init?: RequestInit) =>
                  fetch(input, {
                    ...init,
                    headers: { ...(init?.headers as Record<string, string>), ...headers() },
                  }),
              }),
            }),
            false: httpBatchLink({ url: `${url}/system/api/trpc`, headers, maxItems: API_MAX_BATCH_SIZE }),
          }),
        ],
      });
    },
    async stop() {
      await daemon.stop();
      await t.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A raw HTTP call to one procedure: GET for queries, POST with the JSON input for mutations. */
export async function callProcedure(
  url: string,
  procedure: string,
  kind: 'query' | 'mutation',
  input: unknown,
  headers: Record<string, string>,
): Promise<Response> {
  const base = `${url}/system/api/trpc/${procedure}`;
  if (kind === 'query') {
    const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return fetch(base + q, { headers: { origin: url, ...headers } });
  }
  return fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...headers },
    body: JSON.stringify(input ?? {}),
  });
}
