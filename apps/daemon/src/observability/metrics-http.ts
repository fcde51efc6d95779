import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { exposition } from './metrics.ts';

/** The main server's metrics path (behind OPS_METRICS_TOKEN); the own listener serves /metrics. */
export const SYSTEM_METRICS_PATH = '/system/metrics';
export const METRICS_PATH = '/metrics';

/** Is `Authorization: Bearer <token>` this token? Compared in constant time. */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Answers a scrape: 401 (with a Bearer challenge) without the right token when one is set, 405 for
 * anything but GET/HEAD, else the exposition. A failing collection answers 500, never throws.
 */
export async function sendMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  token: string | undefined,
): Promise<void> {
  if (token !== undefined && !bearerMatches(req, token)) {
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' });
    res.end('unauthorized: send Authorization: Bearer <OPS_METRICS_TOKEN>\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end('method not allowed\n');
    return;
  }
  try {
    const { contentType, body } = await exposition();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('metrics could not be collected\n');
  }
}

/**
 * OPS_METRICS_PORT: a listener of its own serving only GET /metrics (a scraper never reaches the
 * console or the API through it). Bound to OPS_HOST; the token applies here too when set.
 */
export async function startMetricsListener(
  host: string,
  port: number,
  token: string | undefined,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    void sendMetrics(req, res, token);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
