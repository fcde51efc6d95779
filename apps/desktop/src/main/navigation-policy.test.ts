import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, decideNavigation } from './navigation-policy.ts';
import { isTrustedSender } from './trusted-sender.ts';

const ctx = { appOrigin: APP_ORIGIN, daemonOrigin: 'http://127.0.0.1:7400', devServerOrigin: null };

describe('decideNavigation', () => {
  it('lets the console move between its own pages', () => {
    expect(decideNavigation('app://console/system/ops/runs/42', ctx)).toEqual({ action: 'allow' });
  });

  it('opens a daemon console link (a "View run" link) inside the app instead of loading the daemon', () => {
    expect(decideNavigation('http://127.0.0.1:7400/system/ops/runs/42?x=1', ctx)).toEqual({
      action: 'open-in-app',
      path: '/system/ops/runs/42?x=1',
    });
  });

  it('never loads the daemon API as a page', () => {
    expect(decideNavigation('http://127.0.0.1:7400/system/api/trpc/me.get', ctx)).toEqual({ action: 'deny' });
  });

  it('sends other web and mail links to the system browser', () => {
    expect(decideNavigation('https://learn.microsoft.com/fluent', ctx)).toEqual({
      action: 'open-external',
      url: 'https://learn.microsoft.com/fluent',
    });
    expect(decideNavigation('mailto:ops@example.com', ctx).action).toBe('open-external');
    expect(decideNavigation('http://127.0.0.1:7400/healthz', ctx).action).toBe('open-external');
  });

  it('refuses every other scheme, another app:// host and garbage', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,hi',
      'app://evil/system',
      'not a url',
    ]) {
      expect(decideNavigation(url, ctx)).toEqual({ action: 'deny' });
    }
  });

  it('treats a daemon on another port as someone else', () => {
    expect(decideNavigation('http://127.0.0.1:7401/system/ops/runs', ctx).action).toBe('open-external');
  });

  it('allows the dev server only when there is one', () => {
    expect(
      decideNavigation('http://localhost:5173/system/', { ...ctx, devServerOrigin: 'http://localhost:5173' }),
    ).toEqual({
      action: 'allow',
    });
    expect(decideNavigation('http://localhost:5173/system/', ctx).action).toBe('open-external');
  });
});

describe('isTrustedSender', () => {
  it('accepts only the console origin (and the dev server in development)', () => {
    expect(isTrustedSender('app://console/system/login', null)).toBe(true);
    expect(isTrustedSender('http://localhost:5173/system/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender('http://localhost:5173/system/', null)).toBe(false);
    expect(isTrustedSender('https://evil.example/', null)).toBe(false);
    expect(isTrustedSender(undefined, null)).toBe(false);
    expect(isTrustedSender('::', null)).toBe(false);
  });
});
