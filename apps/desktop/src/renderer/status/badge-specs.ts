import type { DeliveryStatus, OccurrenceStatus, RunOutcome, RunScope, RunStatus } from '../api/types.ts';

/**
 * The one status → badge mapping. Every page that shows a run's status or outcome (runbook cards,
 * the runs table, run detail, notifications), an alert delivery's status (run detail) or a
 * schedule occurrence's (schedules) renders it through RunBadges.tsx from these tables, so a
 * status always looks the same. `Record<…>` makes a new status a type error until it is here.
 */
export type BadgeColor =
  | 'brand'
  | 'danger'
  | 'important'
  | 'informative'
  | 'severe'
  | 'subtle'
  | 'success'
  | 'warning';
export type BadgeIconName =
  | 'clock'
  | 'running'
  | 'pause'
  | 'done'
  | 'success'
  | 'warning'
  | 'error'
  | 'cancelled'
  | 'pending'
  | 'send'
  | 'skipped';

export interface BadgeSpec {
  label: string;
  color: BadgeColor;
  appearance: 'filled' | 'tint' | 'outline';
  icon: BadgeIconName;
  /** What the badge means, for its tooltip and screen readers. */
  description: string;
}

export const RUN_STATUS_BADGES: Readonly<Record<RunStatus, BadgeSpec>> = {
  queued: {
    label: 'Queued',
    color: 'informative',
    appearance: 'tint',
    icon: 'clock',
    description: 'Waiting for the executor to pick it up',
  },
  running: {
    label: 'Running',
    color: 'brand',
    appearance: 'filled',
    icon: 'running',
    description: 'Writing changes in chunks now',
  },
  paused: {
    label: 'Paused',
    color: 'warning',
    appearance: 'filled',
    icon: 'pause',
    description: 'Stopped at a checkpoint; resume continues where it stopped',
  },
  completed: {
    label: 'Completed',
    color: 'informative',
    appearance: 'outline',
    icon: 'done',
    description: 'Finished; see the outcome',
  },
};

export const RUN_OUTCOME_BADGES: Readonly<Record<RunOutcome, BadgeSpec>> = {
  pending: {
    label: 'Pending',
    color: 'informative',
    appearance: 'outline',
    icon: 'pending',
    description: 'Known when the run completes',
  },
  succeeded: {
    label: 'Succeeded',
    color: 'success',
    appearance: 'filled',
    icon: 'success',
    description: 'Every change was written',
  },
  partially_succeeded: {
    label: 'Partially succeeded',
    color: 'warning',
    appearance: 'filled',
    icon: 'warning',
    description: 'Some tenants or chunks failed; see the failures',
  },
  failed: {
    label: 'Failed',
    color: 'danger',
    appearance: 'filled',
    icon: 'error',
    description: 'The run did not complete its work; see the failures',
  },
  cancelled: {
    label: 'Cancelled',
    color: 'subtle',
    appearance: 'filled',
    icon: 'cancelled',
    description: 'Stopped by an operator; changes written before stay',
  },
};

/** An alert delivery (ops.alert_deliveries): retried in the background, never the run's outcome. */
export const DELIVERY_STATUS_BADGES: Readonly<Record<DeliveryStatus, BadgeSpec>> = {
  pending: {
    label: 'Waiting to send',
    color: 'informative',
    appearance: 'tint',
    icon: 'clock',
    description: 'Queued, or waiting out the backoff before its next attempt',
  },
  sending: {
    label: 'Sending',
    color: 'brand',
    appearance: 'tint',
    icon: 'send',
    description: 'An attempt is under way now',
  },
  delivered: {
    label: 'Delivered',
    color: 'success',
    appearance: 'filled',
    icon: 'success',
    description: 'The destination accepted the message',
  },
  failed: {
    label: 'Not delivered',
    color: 'danger',
    appearance: 'filled',
    icon: 'error',
    description: 'Every attempt failed; the run’s outcome is unaffected',
  },
};

/** A schedule's tick (ops.schedule_occurrences) and how it ended. */
export const OCCURRENCE_STATUS_BADGES: Readonly<Record<OccurrenceStatus, BadgeSpec>> = {
  firing: {
    label: 'Firing',
    color: 'brand',
    appearance: 'tint',
    icon: 'running',
    description: 'This tick is being handled now',
  },
  started: {
    label: 'Run started',
    color: 'brand',
    appearance: 'filled',
    icon: 'running',
    description: 'Run mode: a run was started',
  },
  nothing_to_do: {
    label: 'Nothing to do',
    color: 'success',
    appearance: 'tint',
    icon: 'done',
    description: 'Run mode: preflight found nothing to change, so no run was started',
  },
  drift_detected: {
    label: 'Drift detected',
    color: 'warning',
    appearance: 'filled',
    icon: 'warning',
    description: 'Preflight mode: records to repair were found, and the alert destinations were told',
  },
  clean: {
    label: 'Clean',
    color: 'success',
    appearance: 'filled',
    icon: 'success',
    description: 'Preflight mode: nothing to repair',
  },
  skipped: {
    label: 'Skipped',
    color: 'subtle',
    appearance: 'filled',
    icon: 'skipped',
    description: 'Not fired: another daemon fired this tick, or a run held the lock',
  },
  failed: {
    label: 'Failed',
    color: 'danger',
    appearance: 'filled',
    icon: 'error',
    description: 'The fire itself went wrong; see the reason',
  },
};

/**
 * What a run is doing, as an operator says it: the status and outcome together with what the
 * record adds (a pause or cancel asked for, workers throttled, an owner that died). The run page's
 * progress card is chosen from this table, so every state is told in one place.
 */
export type RunPhase =
  | 'queued'
  | 'running'
  | 'throttled'
  | 'pausing'
  | 'paused'
  | 'cancelling'
  | 'succeeded'
  | 'partially_succeeded'
  | 'failed'
  | 'interrupted'
  | 'cancelled';

export interface RunPhaseSpec {
  /** What the progress card says; `why` is the daemon's reason where the phase has one (throttled). */
  caption: (why: string | null) => string | null;
  /** The progress bar's colour: brand only while it writes. */
  progressColor: 'brand' | 'success' | 'warning' | 'error';
  /** Whether figures still move: "Live", rate, time left, "so far". */
  moving: boolean;
}

export const RUN_PHASES: Readonly<Record<RunPhase, RunPhaseSpec>> = {
  queued: { caption: () => 'Queued: waiting for the executor.', progressColor: 'brand', moving: true },
  running: { caption: () => null, progressColor: 'brand', moving: true },
  throttled: {
    caption: (why) =>
      `Throttled${why ? ` (${why})` : ''}: the workers wait before their next chunk, then go on by themselves.`,
    progressColor: 'warning',
    moving: true,
  },
  pausing: {
    caption: () => 'Pausing: the run stops after its current chunk.',
    progressColor: 'brand',
    moving: true,
  },
  paused: {
    caption: () => 'Paused at a checkpoint. Resume continues from there.',
    progressColor: 'warning',
    moving: false,
  },
  cancelling: {
    caption: () => 'Cancelling: the run stops after its current chunk.',
    progressColor: 'warning',
    moving: true,
  },
  succeeded: { caption: () => null, progressColor: 'success', moving: false },
  partially_succeeded: {
    caption: () => 'Finished with failures: see the failures below.',
    progressColor: 'warning',
    moving: false,
  },
  failed: { caption: () => 'Failed: see the failures below.', progressColor: 'error', moving: false },
  interrupted: {
    caption: () => 'Interrupted: the process running it stopped before it finished.',
    progressColor: 'error',
    moving: false,
  },
  cancelled: {
    caption: () => 'Cancelled by an operator. Changes written before stay.',
    progressColor: 'warning',
    moving: false,
  },
};

/** The phase of a run record (the fields it reads are the API's). */
export function runPhase(run: {
  status: RunStatus;
  outcome: RunOutcome;
  requestedAction?: string | null;
  progress: { throttled?: string | null | undefined };
  context: Record<string, unknown>;
}): RunPhase {
  if (run.status === 'completed') {
    if (run.outcome === 'failed' && run.context.interrupted) return 'interrupted';
    return run.outcome === 'pending' ? 'failed' : run.outcome;
  }
  if (run.requestedAction === 'cancel') return 'cancelling';
  if (run.status === 'paused') return 'paused';
  if (run.requestedAction === 'pause') return 'pausing';
  if (run.status === 'queued') return 'queued';
  return run.progress.throttled ? 'throttled' : 'running';
}

export function statusBadge(status: RunStatus): BadgeSpec {
  return RUN_STATUS_BADGES[status];
}

export function outcomeBadge(outcome: RunOutcome): BadgeSpec {
  return RUN_OUTCOME_BADGES[outcome];
}

export function deliveryBadge(status: DeliveryStatus): BadgeSpec {
  return DELIVERY_STATUS_BADGES[status];
}

export function occurrenceBadge(status: OccurrenceStatus): BadgeSpec {
  return OCCURRENCE_STATUS_BADGES[status];
}

/** Whether a run can still change (and so is worth live updates and controls). */
export function isActiveStatus(status: RunStatus): boolean {
  return status !== 'completed';
}

/** The scope as operators say it: "All tenants", or the tenant's name and external id. */
export function scopeLabel(scope: RunScope | null | undefined): string {
  if (!scope || scope.kind === 'all') return 'All tenants';
  return `${scope.name} (${scope.externalId})`;
}
