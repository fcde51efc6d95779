/** What orders two records of one run: its status, its progress and when the daemon last wrote it. */
export interface RunSnapshot {
  status: string;
  progress: { processed?: number | undefined };
  updatedAt: string;
}

/**
 * Whether `incoming` may replace `current` on screen. Answers can land out of order (a `runs.get`
 * refetch started before the last `runs.onUpdate` snapshot, a pause's response after the next
 * snapshot), and a run must never be shown moving backwards:
 * - a completed run stays completed, and a completed record always wins (its status is final even
 *   when another write carries a later time);
 * - the processed count never goes down;
 * - otherwise the record the daemon wrote last wins; a tie keeps the newcomer (same write, or a
 *   status change within the same millisecond).
 */
export function supersedes(current: RunSnapshot | undefined, incoming: RunSnapshot): boolean {
  if (current === undefined) return true;
  const done = (r: RunSnapshot) => r.status === 'completed';
  if (done(current) !== done(incoming)) return done(incoming);
  if ((incoming.progress.processed ?? 0) < (current.progress.processed ?? 0)) return false;
  return Date.parse(incoming.updatedAt) >= Date.parse(current.updatedAt);
}

/** The record to show after `incoming` arrives: it, or `current` when `incoming` is older. */
export function newerRun<T extends RunSnapshot>(current: T | undefined, incoming: T): T {
  return supersedes(current, incoming) ? incoming : (current as T);
}
