/**
 * Console routes, relative to the router's base (/system). The daemon serves index.html for each of
 * them (apps/daemon/src/http/routes.ts), so a hard reload on any of them lands back here.
 */
export const BASE = '/system';

export const paths = {
  login: '/login',
  home: '/',
  runbooks: '/ops/runbooks',
  runs: '/ops/runs',
  run: (id: string) => `/ops/runs/${id}`,
  runPattern: '/ops/runs/:id',
  audit: '/ops/audit',
  schedules: '/ops/schedules',
  approvals: '/ops/approvals',
  approval: (id: string) => `/ops/approvals/${id}`,
  approvalPattern: '/ops/approvals/:id',
  alerts: '/settings/alerts',
} as const;

/** The full URL path of a console route, for links that leave the router (e-mails, notifications). */
export function absolutePath(path: string): string {
  return `${BASE}${path === '/' ? '' : path}`;
}
