/** A notification as `notifications.list` returns it (the fields the watcher reads). */
export interface WatchedNotification {
  id: string;
  kind: string;
  title: string;
  body: string;
  runId: string | null;
  createdAt: string;
  readAt: string | null;
}

// The daemon notifies the operator who started a run with kind `run.<outcome>`; these two mean
// that customer data was not (all) repaired, which is worth interrupting the operator for.
const FAILURE_KINDS = new Set(['run.failed', 'run.partially_succeeded']);

export function isRunFailure(n: Pick<WatchedNotification, 'kind'>): boolean {
  return FAILURE_KINDS.has(n.kind);
}

export interface FailureWatcherDeps {
  /** The operator's unread notifications, newest first; null when signed out or unreachable. */
  fetchUnread: () => Promise<WatchedNotification[] | null>;
  /** Shows one native OS notification. */
  notify: (n: WatchedNotification) => void;
  intervalMs: number;
  now?: () => number;
}

/**
 * Raises a native notification when one of the operator's runs fails, even while the window is in
 * the background. Each notification is shown once; notifications from before the app started are
 * not replayed (the bell in the console lists them).
 */
export class FailureWatcher {
  private readonly seen = new Set<string>();
  private readonly since: number;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: FailureWatcherDeps) {
    this.since = (deps.now ?? Date.now)();
  }

  async poll(): Promise<number> {
    const unread = await this.deps.fetchUnread().catch(() => null);
    if (!unread) return 0;
    let shown = 0;
    for (const n of [...unread].reverse()) {
      if (this.seen.has(n.id)) continue;
      this.seen.add(n.id);
      if (!isRunFailure(n) || n.readAt !== null || Date.parse(n.createdAt) < this.since) continue;
      this.deps.notify(n);
      shown++;
    }
    return shown;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.deps.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The unread notifications over the API, as the desktop app's main process calls it. */
export async function fetchUnreadNotifications(
  daemonUrl: string,
  token: string,
  fetchImpl: typeof fetch,
): Promise<WatchedNotification[] | null> {
  const input = encodeURIComponent(JSON.stringify({ limit: 20, unreadOnly: true }));
  const res = await fetchImpl(`${daemonUrl}/system/api/trpc/notifications.list?input=${input}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) return null;
  const body = (await res.json()) as { result?: { data?: { items?: WatchedNotification[] } } };
  return body.result?.data?.items ?? null;
}
