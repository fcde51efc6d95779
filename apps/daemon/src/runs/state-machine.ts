/**
 * The run's life, written down once. Nothing else assigns a status: every change goes through
 * `assertTransition`, and the repository's update is conditional on the status it read.
 */
export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_OUTCOMES = ['pending', 'succeeded', 'partially_succeeded', 'failed', 'cancelled'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
export type FinalOutcome = Exclude<RunOutcome, 'pending'>;

/** Legal status edges, each with when it happens. */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, Readonly<Partial<Record<RunStatus, string>>>>> = {
  queued: {
    running: 'the executor takes the run up',
    completed: 'it fails, is cancelled or is found interrupted before its first chunk',
  },
  running: {
    paused: 'an operator paused it; the executor stopped after the current chunk',
    completed: 'the work is done, failed, was cancelled, or its owner died (interrupted)',
  },
  paused: {
    running: 'an operator resumed it; it continues from its checkpoint',
    completed: 'it was cancelled while paused, or its owner died (interrupted)',
  },
  completed: {},
};

/** Outcomes allowed with each status: pending until completed, then exactly one final outcome. */
export const OUTCOMES_BY_STATUS: Readonly<Record<RunStatus, readonly RunOutcome[]>> = {
  queued: ['pending'],
  running: ['pending'],
  paused: ['pending'],
  completed: ['succeeded', 'partially_succeeded', 'failed', 'cancelled'],
};

export const TERMINAL_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter(
  (s) => Object.keys(RUN_TRANSITIONS[s]).length === 0,
);
export const ACTIVE_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter(
  (s) => !TERMINAL_STATUSES.includes(s),
);

export function isActive(run: { status: RunStatus }): boolean {
  return ACTIVE_STATUSES.includes(run.status);
}

export class IllegalTransitionError extends Error {
  constructor(runId: string, from: RunStatus, to: RunStatus, outcome: RunOutcome) {
    super(`cannot move run ${runId} from ${from} to ${to}${to === 'completed' ? ` (${outcome})` : ''}`);
    this.name = 'IllegalTransitionError';
  }
}

export function canTransition(from: RunStatus, to: RunStatus, outcome: RunOutcome): boolean {
  return RUN_TRANSITIONS[from][to] !== undefined && OUTCOMES_BY_STATUS[to].includes(outcome);
}

/** Throws IllegalTransitionError unless from → to (with outcome) is an edge of the table. */
export function assertTransition(runId: string, from: RunStatus, to: RunStatus, outcome: RunOutcome): void {
  if (!canTransition(from, to, outcome)) throw new IllegalTransitionError(runId, from, to, outcome);
}

/** The outcome of a run that ended normally: errors with nothing written is a failure, not a part-success. */
export function outcomeForCounts(counts: {
  errorCount: number;
  updatedCount: number;
  cancelled: boolean;
}): FinalOutcome {
  if (counts.cancelled) return 'cancelled';
  if (counts.errorCount === 0) return 'succeeded';
  return counts.updatedCount > 0 ? 'partially_succeeded' : 'failed';
}
