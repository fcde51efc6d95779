import { describe, expect, it } from 'vitest';
import { type ApiProxyDeps, proxyApiRequest } from './api-proxy.ts';

interface Sent {
  url: string;
  init: RequestInit;
}

function setup(answer: Response, token: string | null = null) {
  const sent: Sent[] = [];
  let stored = token;
  const deps: ApiProxyDeps = {
    daemonUrl: () => 'http://127.0.0.1:7400',
    tokens: {
      get: () => stored,
      set: (t) => {
        stored = t;
      },
      clear: () => {
        stored = null;
      },
    },
    fetch: async (url, init) => {
      sent.push({ url, init });
      return answer;
    },
  };
  return { deps, sent, token: () => stored };
}

const headerOf = (s: Sent, name: string) => new Headers(s.init.headers).get(name);

describe('proxyApiRequest', () => {
  it('keeps the token from sign-in in the main process and out of the renderer', async () => {
    const { deps, sent, token } = setup(
      new Response('{"ok":true}', {
        status: 200,
        headers: { 'set-auth-token': 'tok-1', 'set-cookie': 'ops_system.session_token=x; Path=/system' },
      }),
    );
    const request = new Request('app://console/system/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'app://console', cookie: 'a=b' },
      body: JSON.stringify({ email: 'operator@ops.local', password: 'pw' }),
    });
    const response = await proxyApiRequest(request, deps);
    expect(token()).toBe('tok-1');
    expect(response.headers.get('set-auth-token')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(sent[0]!.url).toBe('http://127.0.0.1:7400/system/api/auth/sign-in/email');
    expect(headerOf(sent[0]!, 'origin')).toBe('http://127.0.0.1:7400');
    expect(headerOf(sent[0]!, 'cookie')).toBeNull();
    expect(new TextDecoder().decode(sent[0]!.init.body as ArrayBuffer)).toContain('operator@ops.local');
  });

  it('sends API calls with the bearer token, whatever the renderer put in its headers', async () => {
    const { deps, sent } = setup(new Response('{}', { status: 200 }), 'tok-2');
    await proxyApiRequest(
      new Request('app://console/system/api/trpc/me.get?input=1', {
        headers: { authorization: 'Bearer forged' },
      }),
      deps,
    );
    expect(sent[0]!.url).toBe('http://127.0.0.1:7400/system/api/trpc/me.get?input=1');
    expect(headerOf(sent[0]!, 'authorization')).toBe('Bearer tok-2');
  });

  it('forgets the token on sign-out and when the daemon no longer accepts it', async () => {
    const signOut = setup(new Response('{}', { status: 200 }), 'tok');
    await proxyApiRequest(
      new Request('app://console/system/api/auth/sign-out', { method: 'POST', body: '{}' }),
      signOut.deps,
    );
    expect(signOut.token()).toBeNull();

    const expired = setup(new Response('{}', { status: 401 }), 'old');
    const response = await proxyApiRequest(new Request('app://console/system/api/trpc/me.get'), expired.deps);
    expect(response.status).toBe(401); // the console then shows its sign-in page
    expect(expired.token()).toBeNull();
  });

  it('answers 503 before a daemon is configured and 502 when it cannot be reached, in words', async () => {
    const none = setup(new Response());
    none.deps.daemonUrl = () => null;
    expect(
      (await proxyApiRequest(new Request('app://console/system/api/trpc/me.get'), none.deps)).status,
    ).toBe(503);

    const down = setup(new Response());
    down.deps.fetch = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const response = await proxyApiRequest(new Request('app://console/system/api/trpc/me.get'), down.deps);
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/cannot be reached: connect ECONNREFUSED/);
  });
});
