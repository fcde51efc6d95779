/** Console pages that exist (client-side routes of the SPA); anything else under /system is 404. */
const CONSOLE_PAGES: readonly RegExp[] = [
  /^\/system\/?$/,
  /^\/system\/ops\/runbooks\/?$/,
  /^\/system\/ops\/runs\/?$/,
  /^\/system\/ops\/runs\/\d{1,19}\/?$/,
  /^\/system\/ops\/audit\/?$/,
  /^\/system\/ops\/schedules\/?$/,
  /^\/system\/ops\/approvals\/?$/,
  /^\/system\/ops\/approvals\/\d{1,19}\/?$/,
  /^\/system\/settings\/alerts\/?$/,
];

export const LOGIN_PAGE = '/system/login';
export const AUTH_PREFIX = '/system/api/auth/';
export const TRPC_PREFIX = '/system/api/trpc/';
export const ASSETS_PREFIX = '/system/assets/';
/** The identity endpoints every plane may use: the rest of /system/api/auth/* is platform-only. */
const AUTH_ENTRY_PATHS: ReadonlySet<string> = new Set([
  `${AUTH_PREFIX}sign-in/email`,
  `${AUTH_PREFIX}sign-out`,
]);

/** Whether a path is under /system, where the caller's plane is decided before anything else. */
export function isSystemPath(pathname: string): boolean {
  return pathname === '/system' || pathname.startsWith('/system/');
}

export function isConsolePage(pathname: string): boolean {
  return CONSOLE_PAGES.some((re) => re.test(pathname));
}

/**
 * What a request is, decided once, so the guard and the handlers agree. `auth_entry` is sign-in and
 * sign-out; `auth` is every other identity endpoint (sessions, accounts).
 */
export type RouteKind =
  | 'health'
  | 'auth_entry'
  | 'auth'
  | 'api'
  | 'login'
  | 'asset'
  | 'page'
  /** Under /system, not an API or asset path, and no console page: a mistyped or stale link. */
  | 'unknown_page'
  | 'unknown';

export function routeOf(pathname: string): RouteKind {
  if (pathname === '/healthz') return 'health';
  if (AUTH_ENTRY_PATHS.has(pathname)) return 'auth_entry';
  if (pathname.startsWith(AUTH_PREFIX)) return 'auth';
  if (pathname.startsWith(TRPC_PREFIX)) return 'api';
  if (pathname === LOGIN_PAGE || pathname === `${LOGIN_PAGE}/`) return 'login';
  if (pathname.startsWith(ASSETS_PREFIX) || pathname === '/system/favicon.svg') return 'asset';
  if (isConsolePage(pathname)) return 'page';
  const api = pathname === '/system/api' || pathname.startsWith('/system/api/');
  if (isSystemPath(pathname) && !api && !pathname.startsWith(ASSETS_PREFIX)) return 'unknown_page';
  return 'unknown';
}
