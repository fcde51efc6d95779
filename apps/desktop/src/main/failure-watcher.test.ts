import { describe, expect, it } from 'vitest';
import {
  FailureWatcher,
  fetchUnreadNotifications,
  isRunFailure,
  type WatchedNotification,
} from './failure-watcher.ts';

const START = Date.parse('2026-11-26T12:00:00Z');

function n(id: string, kind: string, createdAt = '2026-11-26T12:05:00Z'): WatchedNotification {
  return { id, kind, title: `Run ${id} ${kind}`, body: '', runId: id, createdAt, readAt: null };
}

describe('FailureWatcher', () => {
  it('raises one native notification per failed or partly failed run, once', async () => {
    let unread = [n('2', 'run.failed')];
    const shown: string[] = [];
    const watcher = new FailureWatcher({
      fetchUnread: async () => unread,
      notify: (x) => shown.push(x.id),
      intervalMs: 1000,
      now: () => START,
    });
    expect(await watcher.poll()).toBe(1);
    unread = [n('3', 'run.partially_succeeded'), n('2', 'run.failed')];
    expect(await watcher.poll()).toBe(1);
    expect(await watcher.poll()).toBe(0);
    expect(shown).toEqual(['2', '3']);
  });

  it('stays quiet for successes, drift alerts and notifications from before the app started', async () => {
    const shown: string[] = [];
    const watcher = new FailureWatcher({
      fetchUnread: async () => [
        n('4', 'run.succeeded'),
        n('5', 'schedule.drift_detected'),
        n('6', 'run.failed', '2026-11-26T11:00:00Z'),
      ],
      notify: (x) => shown.push(x.id),
      intervalMs: 1000,
      now: () => START,
    });
    await watcher.poll();
    expect(shown).toEqual([]);
  });

  it('does nothing while signed out or when the daemon cannot be reached', async () => {
    const signedOut = new FailureWatcher({
      fetchUnread: async () => null,
      notify: () => {},
      intervalMs: 1000,
    });
    expect(await signedOut.poll()).toBe(0);
    const down = new FailureWatcher({
      fetchUnread: async () => {
        throw new Error('ECONNREFUSED');
      },
      notify: () => {},
      intervalMs: 1000,
    });
    expect(await down.poll()).toBe(0);
  });

  it('knows which notification kinds are failures', () => {
    expect(
      ['run.failed', 'run.partially_succeeded', 'run.succeeded', 'run.cancelled'].map((kind) =>
        isRunFailure({ kind }),
      ),
    ).toEqual([true, true, false, false]);
  });
});

describe('fetchUnreadNotifications', () => {
  it('asks for unread notifications with the bearer token and reads the tRPC envelope', async () => {
    let asked: { url: string; auth: string | null } | null = null;
    const fake = (async (url: string, init?: RequestInit) => {
      asked = { url, auth: new Headers(init?.headers).get('authorization') };
      return new Response(
        JSON.stringify({ result: { data: { items: [n('7', 'run.failed')], unreadCount: 1 } } }),
      );
    }) as typeof fetch;
    const items = await fetchUnreadNotifications('http://127.0.0.1:7400', 'tok', fake);
    expect(items?.map((i) => i.id)).toEqual(['7']);
    expect(asked!.auth).toBe('Bearer tok');
    expect(decodeURIComponent(asked!.url)).toContain(
      'notifications.list?input={"limit":20,"unreadOnly":true}',
    );
  });
});
