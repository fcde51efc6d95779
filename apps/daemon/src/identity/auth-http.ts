import type { IncomingMessage, ServerResponse } from 'node:http';
import { isConnectionError } from '../db/connection.ts';
import { errorIdOf, INTERNAL_ERROR_MESSAGE, internalErrorLine } from '../internal-errors.ts';
import type { LineLog } from '../observability/index.ts';
import { AUTH_BASE_PATH } from './auth-options.ts';
import { withClientIpHeader } from './client-ip.ts';
import type { SignInGate } from './sign-in-guard.ts';

// A sign-in or session call is a few hundred bytes; nothing under /system/api/auth needs more.
const MAX_BODY_BYTES = 64 * 1024;
const SIGN_IN_PATH = `${AUTH_BASE_PATH}/sign-in/email`;

export interface AuthHttpDeps {
  /** better-auth's fetch handler; it throws what it cannot answer (`onAPIError.throw`). */
  handle(request: Request): Promise<Response>;
  signIn: SignInGate;
  /** The daemon's base URL: requests are rebuilt on it, never on a client-sent Host. */
  baseUrl: string;
  log: LineLog;
}

class BodyTooLarge extends Error {}

/**
 * Node's (req, res) in front of better-auth, in place of its `toNodeHandler`, for what the daemon
 * must decide itself: sign-ins are screened (counted, throttled, validated, audited) before
 * better-auth parses them; session tokens are taken out of the JSON bodies sent to cookie clients
 * (a bearer client — the desktop app — gets its token from the `set-auth-token` header); and an
 * internal error answers with an error id only, its detail logged under that id.
 */
export function authHttpHandler(deps: AuthHttpDeps) {
  const base = new URL(deps.baseUrl);
  return async function handleAuthRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    withClientIpHeader(req);
    const url = new URL(req.url ?? '/', base);
    const headers = headersOf(req);
    let response: Response;
    try {
      const body = req.method === 'GET' || req.method === 'HEAD' ? null : await readBody(req);
      // A pooled connection the database ended while it sat idle fails the first statement on it:
      // the pool has dropped it by then, so each step is tried once more (better-auth answers such
      // a failure with a 500 of its own).
      const screen = () =>
        req.method === 'POST' && url.pathname === SIGN_IN_PATH
          ? deps.signIn.screen(body, headers)
          : Promise.resolve(null);
      const screened = await screen().catch((error: unknown) => {
        if (!isConnectionError(error)) throw error;
        return screen();
      });
      const handle = () =>
        deps.handle(
          new Request(url, { method: req.method, headers, body: body ? new Uint8Array(body) : undefined }),
        );
      response = screened ?? (await handle());
      if (!screened && response.status >= 500) response = await handle();
      if (response.status >= 500) {
        // better-auth answered an internal error itself: its words go to the log only.
        const errorId = errorIdOf(response);
        deps.log(`auth ${req.method} ${url.pathname}: internal error ${errorId}: ${await response.text()}`, {
          event: 'auth.internal_error',
          level: 'error',
          error_id: errorId,
        });
        response = internalError(errorId);
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        response = json(413, { code: 'PAYLOAD_TOO_LARGE', message: `body: at most ${MAX_BODY_BYTES} bytes` });
      } else {
        const errorId = errorIdOf(error);
        deps.log(internalErrorLine(`auth ${req.method} ${url.pathname}`, errorId, error), {
          event: 'auth.internal_error',
          level: 'error',
          error_id: errorId,
        });
        response = internalError(errorId);
      }
    }
    await send(res, isBearerClient(headers) ? response : await withoutSessionTokens(response));
  };
}

function isBearerClient(headers: Headers): boolean {
  return /^bearer\s/i.test(headers.get('authorization') ?? '');
}

/** The same response without any `token` field in its JSON body (get-session, list-sessions, sign-in). */
export async function withoutSessionTokens(response: Response): Promise<Response> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return response;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, response);
  }
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(stripTokens(body)), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

function stripTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTokens);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'token')
      .map(([key, inner]) => [key, stripTokens(inner)]),
  );
}

function internalError(errorId: string): Response {
  return json(500, { code: 'INTERNAL', message: `${INTERNAL_ERROR_MESSAGE} (id ${errorId})`, errorId });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie' && name !== 'content-length') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.writeHead(response.status, { 'content-length': body.length });
  res.end(body); // Node sends no body to a HEAD request
}
