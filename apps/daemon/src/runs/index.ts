export { CHANGE_SAMPLE_LIMITS, changeSampleLimit } from './change-sample.ts';
export { REASON_CODES, REASON_TEXT_MAX, type ReasonCode, validateReason } from './reasons.ts';
export { approvalSummaryOf, type RunApproval, type RunApprovalSummary } from './run-approval.ts';
export { CHANGE_POLL_MS, type RunChange, RunChangeFeed } from './run-change-feed.ts';
export { RunInterruptedError } from './run-interrupted.ts';
export { RUN_SORT_KEY_NAMES, type RunListFilter, type RunSortKey } from './run-list.ts';
export type { Actor, RunFailure, RunProgress, RunRecord } from './run-record.ts';
export { actorLabel } from './run-record.ts';
export { RunRepository } from './run-repository.ts';
export {
  type Authorize,
  PREFLIGHT_CAPABILITY,
  RUN_CAPABILITY,
  type RunControlCaller,
  RunService,
  type ScopeInput,
  type StartedRun,
  type StartRunRequest,
  validateParams,
} from './run-service.ts';
export {
  ACTIVE_STATUSES,
  isActive,
  RUN_OUTCOMES,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  type RunOutcome,
  type RunStatus,
} from './state-machine.ts';
