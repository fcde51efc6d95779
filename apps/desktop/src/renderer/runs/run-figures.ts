import type { RunActor, RunRecord } from '../api/types.ts';
import { formatCount } from '../format/numbers.ts';
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

/**
 * What the run's count rests on, as the run page tells it: what the operator confirmed (the exact
 * preflight, or the sampled estimate with its margin: `context.confirmed`) and the exact count the
 * run made itself before its first write (`context.start_check`, `context.preflight`), so an
 * estimate is never shown as if it were the exact figure.
 */
export interface CountBasis {
  /** "about 7,480 ± 112 (estimate)", "7,502 (exact count)"; null for exec and schedule runs. */
  confirmed: string | null;
  /** The exact count and where it comes from, or what is happening meanwhile. */
  counted: string;
}

export function countBasisOf(run: Pick<RunRecord, 'context'>): CountBasis {
  const c = run.context.confirmed as
    | { affected_count?: unknown; margin?: unknown; estimate?: unknown }
    | undefined;
  const confirmedCount = num(c?.affected_count);
  const margin = num(c?.margin) ?? 0;
  const estimate = c?.estimate === true && margin > 0;
  const confirmed =
    confirmedCount === null
      ? null
      : estimate
        ? `about ${formatCount(confirmedCount)} ± ${formatCount(margin)} records (an estimate, 95% within the margin)`
        : `${formatCount(confirmedCount)} records (an exact count)`;
  const check = run.context.start_check as { state?: unknown; found?: unknown } | undefined;
  const found = num(check?.found);
  const preflight = (run.context.preflight ?? {}) as {
    affected_count?: unknown;
    affected_at_least?: unknown;
  };
  const exact = num(preflight.affected_count);
  const atLeast = num(preflight.affected_at_least);
  let counted: string;
  if (check?.state === 'counting') counted = 'Counting exactly before the first write…';
  else if (check?.state === 'refused' && found !== null)
    counted = `${formatCount(found)} records, counted exactly before the first write: not what was confirmed, so nothing was written`;
  else if (check?.state === 'passed' && found !== null)
    counted = `${formatCount(found)} records, counted exactly before the first write${estimate ? ' (within the estimate’s margin)' : ''}`;
  else if (exact !== null)
    counted = `${formatCount(exact)} records to change when it started (an exact count)`;
  else if (atLeast !== null)
    counted = 'Work was found when it started; the run counts what it changes as it goes';
  else counted = '—';
  return { confirmed, counted };
}
