import type { RunActor, RunRecord } from '../api/types.ts';
import { durationBetween } from '../format/time.ts';

// Figures read off a run record, in one place: the record keeps counts in `summary` once completed
// and in `progress` while running; pages should not each know where to look.

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Records changed so far (live while running, final once completed). */
export function updatedCount(run: Pick<RunRecord, 'summary' | 'progress' | 'context'>): number | null {
  return (
    num((run.summary as Record<string, unknown>).updated_count) ??
    num(run.progress.updated) ??
    num(run.context.updated_count)
  );
}

/** Wall time of the run: finished − started, or until now while it runs. */
export function runDuration(
  run: Pick<RunRecord, 'startedAt' | 'finishedAt' | 'summary'>,
  now = new Date(),
): number | null {
  return (
    num((run.summary as Record<string, unknown>).duration_ms) ??
    durationBetween(run.startedAt, run.finishedAt, now)
  );
}

export interface LiveProgress {
  processed: number;
  total: number;
  fraction: number;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  updated: number | null;
}

/** Progress for the bar, or null before the executor has reported any. */
export function liveProgress(run: Pick<RunRecord, 'progress' | 'status' | 'outcome'>): LiveProgress | null {
  const total = num(run.progress.total);
  const processed = num(run.progress.processed);
  if (total === null || processed === null) return null;
  const fraction = total > 0 ? Math.min(1, processed / total) : run.status === 'completed' ? 1 : 0;
  return {
    processed,
    total,
    fraction,
    rowsPerSecond: num(run.progress.rowsPerSecond),
    etaSeconds: num(run.progress.etaSeconds),
    updated: num(run.progress.updated),
  };
}

/** "alice@ops.local", "system:cli (deploy@build-7)". */
export function actorText(actor: RunActor, label: string): string {
  if (actor.kind === 'system' && actor.user)
    return `${actor.label} (${actor.user}${actor.host ? `@${actor.host}` : ''})`;
  return label;
}

/** Whether the run was started under break-glass, and its reason if recorded. */
export function breakGlassOf(run: Pick<RunRecord, 'breakGlass'>): { active: true; reason?: string } | null {
  const bg = run.breakGlass as { reasonCode?: unknown; reasonText?: unknown } | null | undefined;
  if (!bg) return null;
  const reason = [bg.reasonCode, bg.reasonText].filter((x) => typeof x === 'string' && x).join(': ');
  return reason ? { active: true, reason } : { active: true };
}

/** Failures kept on the record (context.failures), tolerant of older records without them. */
export interface FailureRow {
  tenantId: number | null;
  tenantExternalId: string | null;
  errorClass: string;
  message: string;
  at: string | null;
}

export function failuresOf(run: Pick<RunRecord, 'context'>): FailureRow[] {
  const raw = run.context.failures;
  if (!Array.isArray(raw)) return [];
  return raw.map((f: Record<string, unknown>) => ({
    tenantId: num(f.tenantId),
    tenantExternalId: typeof f.tenantExternalId === 'string' ? f.tenantExternalId : null,
    errorClass: typeof f.errorClass === 'string' ? f.errorClass : 'Error',
    message: typeof f.message === 'string' ? f.message : JSON.stringify(f),
    at: typeof f.at === 'string' ? f.at : null,
  }));
}

/** Why and where a run was interrupted (`context.interrupted`, written by the daemon's reaper), or null. */
export interface Interruption {
  message: string;
  checkpoint: string | null;
  lastHeartbeatAt: string | null;
  detectedAt: string | null;
}

export function interruptionOf(run: Pick<RunRecord, 'context'>): Interruption | null {
  const raw = run.context.interrupted as Record<string, unknown> | null | undefined;
  if (!raw || typeof raw !== 'object') return null;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    message: text(raw.message) ?? 'the process running it stopped before it finished',
    checkpoint: text(raw.checkpoint) ?? (typeof raw.checkpoint === 'number' ? String(raw.checkpoint) : null),
    lastHeartbeatAt: text(raw.last_heartbeat_at),
    detectedAt: text(raw.detected_at),
  };
}
