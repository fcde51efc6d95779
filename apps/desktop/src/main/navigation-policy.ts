/** Where the console itself is served inside the desktop app (see console-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://console';

/**
 * scheme://host of a URL. Node's URL reports origin "null" for non-special schemes such as app:,
 * so origins are compared in this form everywhere in the main process.
 */
export function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

export type NavigationDecision =
  | { action: 'allow' }
  /** A daemon link ("View run" in a notification or e-mail): shown in the console, signed in. */
  | { action: 'open-in-app'; path: string }
  /** Anything else on the web goes to the system browser, never into this window. */
  | { action: 'open-external'; url: string }
  | { action: 'deny' };

export interface NavigationContext {
  appOrigin: string;
  daemonOrigin: string | null;
  /** electron-vite's dev server in development, null in a packaged app. */
  devServerOrigin?: string | null;
}

/**
 * The window's navigation lock: the console's own pages load; console links to the daemon open the
 * same page in the app; http(s) and mailto links open outside; everything else (file:, data:,
 * javascript:, other schemes) is refused.
 */
export function decideNavigation(target: string, ctx: NavigationContext): NavigationDecision {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { action: 'deny' };
  }
  const origin = originOf(url);
  if (url.protocol === `${APP_SCHEME}:`)
    return origin === ctx.appOrigin ? { action: 'allow' } : { action: 'deny' };
  if (ctx.devServerOrigin && origin === ctx.devServerOrigin) return { action: 'allow' };
  if (ctx.daemonOrigin && origin === ctx.daemonOrigin) {
    if (url.pathname === '/system' || url.pathname.startsWith('/system/')) {
      if (url.pathname.startsWith('/system/api/')) return { action: 'deny' };
      return { action: 'open-in-app', path: `${url.pathname}${url.search}` };
    }
    return { action: 'open-external', url: url.href };
  }
  if (url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'mailto:') {
    return { action: 'open-external', url: url.href };
  }
  return { action: 'deny' };
}
