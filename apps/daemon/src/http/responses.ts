import type { ServerResponse } from 'node:http';

// Strict for the console: Fluent UI (Griffel) inserts its styles at run time, hence style-src
// 'unsafe-inline'; scripts only from our own origin.
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Headers on every response, whatever it is. */
export function applySecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * The one "not found": for unknown paths and for every /system request of a tenant-plane account,
 * so the two cannot be told apart.
 */
export function sendNotFound(res: ServerResponse): void {
  sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'Not Found' } });
}

export function sendUnauthorized(res: ServerResponse): void {
  sendJson(res, 401, {
    error: { code: -32001, message: 'sign in first', data: { code: 'UNAUTHORIZED', httpStatus: 401 } },
  });
}

export function sendMethodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendJson(res, 405, {
    error: { code: 'METHOD_NOT_SUPPORTED', message: `method not allowed (use ${allow})` },
  });
}

/** A 500 that carries only the error's id; the detail is in the log under that id. */
export function sendInternalError(res: ServerResponse, errorId: string): void {
  sendJson(res, 500, { error: { code: 'INTERNAL', message: `internal error (id ${errorId})`, errorId } });
}

export function sendForbiddenOrigin(res: ServerResponse): void {
  sendJson(res, 403, {
    error: { code: 'FORBIDDEN', message: 'cross-origin request refused (Origin not allowed)' },
  });
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}
