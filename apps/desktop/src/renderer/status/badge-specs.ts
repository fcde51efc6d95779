import type { RunOutcome, RunScope, RunStatus } from '../api/types.ts';

/**
 * The one status → badge mapping. Every page that shows a run's status or outcome (runbook cards,
 * the runs table, run detail, notifications) renders it through RunBadges.tsx from these tables,
 * so a status always looks the same. `Record<…>` makes a new status a type error until it is here.
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
  | 'pending';

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

export function statusBadge(status: RunStatus): BadgeSpec {
  return RUN_STATUS_BADGES[status];
}

export function outcomeBadge(outcome: RunOutcome): BadgeSpec {
  return RUN_OUTCOME_BADGES[outcome];
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
