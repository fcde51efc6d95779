import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../apps/daemon/src/api/index.ts';
import { WEB_OUT_DIR } from '../../apps/desktop/scripts/web-build.ts';
import { createConsoleProtocolHandler } from '../../apps/desktop/src/main/console-protocol.ts';
import { DESKTOP_CSP } from '../../apps/desktop/src/main/csp.ts';
import { type SafeStorageLike, TokenVault } from '../../apps/desktop/src/main/token-vault.ts';
import { DEMO_PASSWORD, startTestDaemon, type TestDaemon } from '../support/daemon.ts';

const APP = 'app://console';
const plainStorage: SafeStorageLike = {
  isEncryptionAvailable: () => true,
  encryptString: (s) => Buffer.from(s).reverse(),
  decryptString: (b) => Buffer.from(b).reverse().toString(),
};

// The desktop app's data path without Electron: its app:// handler (files + API proxy) in front of
// a real daemon, called the way the renderer calls it: sign-in, batched queries, an SSE subscription.
describe('the desktop app protocol handler against a served daemon', () => {
  let d: TestDaemon;
  let handler: (request: Request) => Promise<Response>;
  let vault: TokenVault;
  const viaApp = (input: string | URL | Request, init?: RequestInit) =>
    handler(new Request(new URL(String(input instanceof Request ? input.url : input), APP), init));

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 3, findings: 300 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-desktop-proxy-'));
    vault = new TokenVault(path.join(dir, 'session.bin'), plainStorage);
    // The web build stands in for out/renderer: both are the same renderer with base /system/.
    handler = createConsoleProtocolHandler(WEB_OUT_DIR, { daemonUrl: () => d.url, tokens: vault, fetch });
  });
  afterAll(() => d?.stop());

  it('serves the console for every route, with the desktop CSP', async () => {
    for (const route of ['/system/login', '/system/ops/runs/7']) {
      const res = await viaApp(route);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
      expect(await res.text()).toContain('<div id="root"></div>');
    }
    expect((await viaApp('/system/assets/missing.js')).status).toBe(404);
  });

  it('signs in as a bearer-token client: the token stays in the vault, no cookie reaches the renderer', async () => {
    const res = await viaApp('/system/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('set-auth-token')).toBeNull();
    expect(vault.get()).toMatch(/.{20,}/);
  });

  it('answers tRPC queries and streams runs.onUpdate through the proxy', async () => {
    const client = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({
            url: `${APP}/system/api/trpc`,
            EventSource,
            eventSourceOptions: () => ({ fetch: viaApp }),
          }),
          false: httpBatchLink({ url: `${APP}/system/api/trpc`, fetch: viaApp }),
        }),
      ],
    });
    const me = await client.me.get.query();
    expect(me.user.email).toBe('operator@ops.local');
    const { runId } = await client.runbooks.run.mutate({
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
      reasonCode: 'DATA_REPAIR',
      reasonText: 'desktop proxy test',
      confirmation: 'BACKFILL',
      preflightAffectedCount: (
        await client.runbooks.preflight.mutate({
          runbookId: 'findings.lifecycle.backfill',
          scope: { kind: 'all' },
        })
      ).affected_count,
    });
    const final = await new Promise<string>((resolve, reject) => {
      const sub = client.runs.onUpdate.subscribe(
        { id: runId },
        {
          onData: (run) => {
            if (run.status === 'completed') {
              sub.unsubscribe();
              resolve(run.outcome);
            }
          },
          onError: reject,
        },
      );
    });
    expect(final).toBe('succeeded');
  });

  it('forgets the session on sign-out', async () => {
    await viaApp('/system/api/auth/sign-out', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(vault.get()).toBeNull();
    expect((await viaApp('/system/api/trpc/me.get')).status).toBe(401);
  });
});
