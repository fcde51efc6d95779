import { DEFAULT_DAEMON_URL, type DesktopConnection, type SetDaemonUrlResult } from '../shared/ipc.ts';
import { parseDaemonUrl } from './daemon-url.ts';
import type { SettingsStore } from './settings-store.ts';

export interface ConnectionDeps {
  settings: Pick<SettingsStore, 'read' | 'write'>;
  tokens: { clear(): void };
  fetch: (url: string, init: RequestInit) => Promise<Response>;
}

/** Whether an ops daemon answers at `url`: null when it does, otherwise what is wrong, in words. */
export async function checkDaemonHealth(
  url: string,
  fetchImpl: ConnectionDeps['fetch'],
): Promise<string | null> {
  let res: Response;
  try {
    res = await fetchImpl(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    return `No ops daemon answered at ${url} (${(error as Error).message}). Check the address, and that “ops-daemon serve” is running there.`;
  }
  if (res.status === 503) return `The daemon at ${url} is running but cannot reach its database.`;
  const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
  if (!res.ok || body?.status !== 'ok')
    return `${url} answered, but not like an ops daemon (HTTP ${res.status}).`;
  return null;
}

/** The connection as the renderer sees it (no token, ever). */
export function currentConnection(deps: Pick<ConnectionDeps, 'settings'>): DesktopConnection {
  return { daemonUrl: deps.settings.read().daemonUrl, defaultDaemonUrl: DEFAULT_DAEMON_URL };
}

/** Checks, health-checks and remembers a daemon address. A new daemon means a new sign-in. */
export async function setDaemonUrl(input: unknown, deps: ConnectionDeps): Promise<SetDaemonUrlResult> {
  if (typeof input !== 'string') return { ok: false, message: 'The address must be text.' };
  const parsed = parseDaemonUrl(input);
  if (!parsed.ok) return parsed;
  const problem = await checkDaemonHealth(parsed.url, deps.fetch);
  if (problem) return { ok: false, message: problem };
  if (deps.settings.read().daemonUrl !== parsed.url) deps.tokens.clear();
  deps.settings.write({ daemonUrl: parsed.url });
  return { ok: true, daemonUrl: parsed.url };
}

/** Forgets the daemon and its session; the next start (or the renderer) asks for an address again. */
export function forgetDaemon(deps: Pick<ConnectionDeps, 'settings' | 'tokens'>): void {
  deps.tokens.clear();
  deps.settings.write({ daemonUrl: null });
}
