import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { API_MAX_BATCH_SIZE, type ApiServices, appRouter, createContextInner } from '../api/index.ts';
import type { HealthCheck } from '../db/health-check.ts';
import type { Principal } from '../identity/principal.ts';
import { errorIdOf, internalErrorLine } from '../internal-errors.ts';
import { SYSTEM_METRICS_PATH, sendMetrics } from '../observability/index.ts';
import { decideAccess } from './access-guard.ts';
import { ConsoleAssets } from './console-assets.ts';
import { ALLOW_HEADER, methodAllowed } from './methods.ts';
import { originAllowed } from './origin-check.ts';
import {
  applySecurityHeaders,
  redirect,
  sendForbiddenOrigin,
  sendInternalError,
  sendJson,
  sendMethodNotAllowed,
  sendNotFound,
  sendUnauthorized,
} from './responses.ts';
import { isSystemPath, LOGIN_PAGE, routeOf, TRPC_PREFIX } from './routes.ts';

export interface ServerOptions {
  services: ApiServices;
  /** /healthz's database check, on its own connection so it never waits behind long queries. */
  health: HealthCheck;
  /** Origins allowed to send cookie-authenticated state-changing requests. */
  allowedOrigins: () => ReadonlySet<string>;
  consoleDir?: string;
  /**
   * OPS_METRICS_TOKEN: with it, /system/metrics answers a scraper sending it as a bearer token (401
   * otherwise); without it, /system/metrics is an unknown path like any other.
   */
  metricsToken?: string;
  log?: (message: string) => void;
}

const principals = new WeakMap<IncomingMessage, Principal | null>();

function clientIp(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}

async function healthz(health: HealthCheck, res: ServerResponse): Promise<void> {
  if (await health.check()) sendJson(res, 200, { status: 'ok' });
  else sendJson(res, 503, { status: 'unavailable' });
}

/**
 * The daemon's one HTTP server: /healthz, /system/api/auth/* (better-auth), /system/api/trpc/*
 * (tRPC, batching, SSE subscriptions) and the console. Every other path is 404.
 */
export function createOpsServer(options: ServerOptions): http.Server {
  const { services } = options;
  const assets = new ConsoleAssets(options.consoleDir);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: TRPC_PREFIX,
    maxBatchSize: API_MAX_BATCH_SIZE, // one request cannot start more work than this (400 beyond)
    createContext: ({ req }) => createContextInner(services, principals.get(req) ?? null, clientIp(req)),
    onError: ({ error, path }) => {
      // The client got only the id (trpc.ts's errorFormatter); the detail is logged under it.
      if (error.code === 'INTERNAL_SERVER_ERROR')
        options.log?.(internalErrorLine(`api ${path}`, errorIdOf(error), error.cause ?? error));
    },
  });

  return http.createServer(async (req, res) => {
    applySecurityHeaders(res);
    try {
      if (!methodAllowed(req.method)) return sendMethodNotAllowed(res, ALLOW_HEADER);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = routeOf(url.pathname);
      if (route === 'health') return await healthz(options.health, res);
      if (url.pathname === SYSTEM_METRICS_PATH && options.metricsToken !== undefined)
        return await sendMetrics(req, res, options.metricsToken);
      // The plane decision comes before routing: the session is looked up for every /system path,
      // real or unknown, so a tenant-plane account cannot tell them apart by time or answer.
      const principal = isSystemPath(url.pathname)
        ? await services.identity.principalFor(toHeaders(req))
        : null;
      switch (decideAccess(route, principal)) {
        case 'not_found':
          return sendNotFound(res);
        case 'not_found_page':
          // A direct load answers as an in-app link does: the console's "Page not found".
          return assets.sendIndex(res, 404);
        case 'unauthorized':
          return sendUnauthorized(res);
        case 'login':
          // With its query: a shared link to a sorted, filtered list opens as sent after sign-in.
          return redirect(res, `${LOGIN_PAGE}?next=${encodeURIComponent(url.pathname + url.search)}`);
        case 'allow':
          break;
      }
      if (route === 'auth' || route === 'auth_entry') return await services.identity.handler(req, res);
      if (route === 'api') {
        if (!originAllowed(req, options.allowedOrigins())) return sendForbiddenOrigin(res);
        principals.set(req, principal);
        return trpc(req, res);
      }
      if (route === 'asset') {
        if (!assets.sendAsset(url.pathname, res)) sendNotFound(res);
        return;
      }
      return assets.sendIndex(res); // login and console pages: the SPA routes on the client
    } catch (error) {
      const errorId = errorIdOf(error);
      options.log?.(internalErrorLine(`http ${req.method} ${req.url}`, errorId, error));
      if (!res.headersSent) sendInternalError(res, errorId);
      else res.end();
    }
  });
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
