import { describe, expect, it } from 'vitest';
import { forgetDaemon, setDaemonUrl } from './connection.ts';
import type { DesktopSettings } from './settings-store.ts';

function deps(health: () => Promise<Response>, initial: string | null = null) {
  let saved: DesktopSettings = { daemonUrl: initial };
  let cleared = 0;
  return {
    settings: {
      read: () => saved,
      write: (s: DesktopSettings) => {
        saved = s;
      },
    },
    tokens: {
      clear: () => {
        cleared++;
      },
    },
    fetch: health,
    saved: () => saved,
    cleared: () => cleared,
  };
}

const healthy = async () => new Response('{"status":"ok"}', { status: 200 });

describe('setDaemonUrl', () => {
  it('remembers a daemon that answers /healthz, and starts a new session for a new daemon', async () => {
    const d = deps(healthy, 'http://127.0.0.1:7400');
    expect(await setDaemonUrl('127.0.0.1:7500', d)).toEqual({ ok: true, daemonUrl: 'http://127.0.0.1:7500' });
    expect(d.saved().daemonUrl).toBe('http://127.0.0.1:7500');
    expect(d.cleared()).toBe(1);
  });

  it('keeps the session when the same daemon is confirmed again', async () => {
    const d = deps(healthy, 'http://127.0.0.1:7400');
    await setDaemonUrl('http://127.0.0.1:7400/', d);
    expect(d.cleared()).toBe(0);
  });

  it('says why it refuses: a bad address, nobody answering, a daemon without its database', async () => {
    expect(await setDaemonUrl('ftp://x', deps(healthy))).toMatchObject({ ok: false });
    const down = await setDaemonUrl(
      '127.0.0.1:1',
      deps(async () => Promise.reject(new Error('ECONNREFUSED'))),
    );
    expect(down).toMatchObject({
      ok: false,
      message: expect.stringMatching(/No ops daemon answered.*ECONNREFUSED/),
    });
    const noDb = await setDaemonUrl(
      '127.0.0.1:7400',
      deps(async () => new Response('{}', { status: 503 })),
    );
    expect(noDb).toMatchObject({ ok: false, message: expect.stringMatching(/cannot reach its database/) });
    const other = await setDaemonUrl(
      '127.0.0.1:8080',
      deps(async () => new Response('<html>', { status: 200 })),
    );
    expect(other).toMatchObject({ ok: false, message: expect.stringMatching(/not like an ops daemon/) });
  });

  it('refuses anything but text from the renderer', async () => {
    expect(await setDaemonUrl({ url: 'x' }, deps(healthy))).toEqual({
      ok: false,
      message: 'The address must be text.',
    });
  });
});

describe('forgetDaemon', () => {
  it('forgets the address and the session', () => {
    const d = deps(healthy, 'http://127.0.0.1:7400');
    forgetDaemon(d);
    expect(d.saved().daemonUrl).toBeNull();
    expect(d.cleared()).toBe(1);
  });
});
