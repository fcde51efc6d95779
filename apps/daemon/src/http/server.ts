import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { type ApiServices, appRouter, createContextInner } from '../api/index.ts';
import type { Principal } from '../identity/principal.ts';
import { decideAccess } from './access-guard.ts';
import { ConsoleAssets } from './console-assets.ts';
import { originAllowed } from './origin-check.ts';
import {
  applySecurityHeaders,
  redirect,
  sendForbiddenOrigin,
  sendJson,
  sendNotFound,
  sendUnauthorized,
} from './responses.ts';
import { LOGIN_PAGE, routeOf, TRPC_PREFIX } from './routes.ts';

export interface ServerOptions {
  services: ApiServices;
  /** Origins allowed to send cookie-authenticated state-changing requests. */
  allowedOrigins: () => ReadonlySet<string>;
  consoleDir?: string;
  log?: (message: string) => void;
}

const principals = new WeakMap<IncomingMessage, Principal | null>();

function clientIp(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}

async function healthz(services: ApiServices, res: ServerResponse): Promise<void> {
  try {
    await services.ops.db.pool.query({ text: 'SELECT 1', query_timeout: 2000 } as never);
    sendJson(res, 200, { status: 'ok' });
  } catch {
    sendJson(res, 503, { status: 'unavailable' });
  }
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
    createContext: ({ req }) => createContextInner(services, principals.get(req) ?? null, clientIp(req)),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        options.log?.(`api ${path}: ${error.cause?.stack ?? error.message}`);
    },
  });

  return http.createServer(async (req, res) => {
    applySecurityHeaders(res);
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = routeOf(url.pathname);
      if (route === 'health') return await healthz(services, res);
      if (route === 'auth') return await services.identity.handler(req, res);
      const principal =
        route === 'api' || route === 'page' ? await services.identity.principalFor(toHeaders(req)) : null;
      switch (decideAccess(route, principal)) {
        case 'not_found':
          return sendNotFound(res);
        case 'unauthorized':
          return sendUnauthorized(res);
        case 'login':
          return redirect(res, `${LOGIN_PAGE}?next=${encodeURIComponent(url.pathname)}`);
        case 'allow':
          break;
      }
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
      options.log?.(`http ${req.method} ${req.url}: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
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
