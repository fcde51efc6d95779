/** What the proxy needs from the app: the daemon's origin and the token store. */
export interface ApiProxyDeps {
  daemonUrl: () => string | null;
  tokens: { get(): string | null; set(token: string): void; clear(): void };
  fetch: (input: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;
}

const SIGN_IN = '/system/api/auth/sign-in/email';
const SIGN_OUT = '/system/api/auth/sign-out';

// Request headers that must not reach the daemon from the renderer: the app decides who it is.
const DROPPED_REQUEST_HEADERS = new Set([
  'cookie',
  'authorization',
  'origin',
  'host',
  'referer',
  'connection',
]);
// Response headers the renderer must not get: the session stays in the main process.
const DROPPED_RESPONSE_HEADERS = new Set([
  'set-cookie',
  'set-auth-token',
  'content-encoding',
  'content-length',
]);

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * Forwards the console's /system/api/* requests from app:// to the daemon, as a bearer-token client:
 * the token captured at sign-in (from better-auth's `set-auth-token` header) is added to every call,
 * cookies never cross, and the token never reaches the renderer. Same-origin for the renderer, so
 * the console's code is the same as in the browser.
 */
export async function proxyApiRequest(request: Request, deps: ApiProxyDeps): Promise<Response> {
  const daemon = deps.daemonUrl();
  if (!daemon) return json(503, { error: { message: 'No daemon is configured in the desktop app.' } });
  const url = new URL(request.url);
  const headers = new Headers();
  request.headers.forEach((value, name) => {
    if (!DROPPED_REQUEST_HEADERS.has(name.toLowerCase())) headers.set(name, value);
  });
  // better-auth checks Origin on sign-in; the daemon's own origin is the honest one for this client.
  headers.set('origin', daemon);
  const token = url.pathname === SIGN_IN ? null : deps.tokens.get();
  if (token) headers.set('authorization', `Bearer ${token}`);

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let response: Response;
  try {
    response = await deps.fetch(`${daemon}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      ...(hasBody ? { body: await request.arrayBuffer() } : {}),
      redirect: 'manual',
      signal: request.signal,
    });
  } catch (error) {
    return json(502, {
      error: { message: `The daemon at ${daemon} cannot be reached: ${(error as Error).message}` },
    });
  }

  if (url.pathname === SIGN_IN && response.ok) {
    const issued = response.headers.get('set-auth-token');
    if (issued) deps.tokens.set(issued);
  }
  if (url.pathname === SIGN_OUT || (response.status === 401 && token)) deps.tokens.clear();

  const out = new Headers();
  response.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) out.set(name, value);
  });
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: out,
  });
}
