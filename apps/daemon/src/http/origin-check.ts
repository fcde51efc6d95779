import type { IncomingMessage } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie sessions: a state-changing request that carries a cookie must come from
 * one of our origins. Bearer-token callers (the desktop app, scripts) send no cookie and cannot be
 * driven by another site, so they pass.
 */
export function originAllowed(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return true;
  if (!req.headers.cookie) return true;
  const origin = req.headers.origin;
  return origin !== undefined && allowedOrigins.has(origin);
}
