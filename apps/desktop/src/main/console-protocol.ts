import fs from 'node:fs/promises';
import { type ApiProxyDeps, proxyApiRequest } from './api-proxy.ts';
import { DESKTOP_CSP } from './csp.ts';
import { resolveRendererFile } from './renderer-files.ts';

/**
 * The app:// protocol: the console's files from out/renderer, and /system/api/* forwarded to the
 * daemon. One origin for both, so the renderer needs no CORS and no knowledge of the daemon.
 */
export function createConsoleProtocolHandler(rendererDir: string, api: ApiProxyDeps) {
  return async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/system/api/')) return proxyApiRequest(request, api);
    const resolved = resolveRendererFile(rendererDir, pathname);
    if (!resolved) return new Response('Not Found', { status: 404 });
    const body = await fs.readFile(resolved.file);
    const headers: Record<string, string> = {
      'content-type': resolved.contentType,
      'x-content-type-options': 'nosniff',
    };
    if (resolved.isDocument) {
      headers['content-security-policy'] = DESKTOP_CSP;
      headers['cache-control'] = 'no-store';
    }
    return new Response(body, { status: 200, headers });
  };
}
