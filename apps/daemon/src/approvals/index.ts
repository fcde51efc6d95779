export { REQUEST_CHANGE_POLL_MS, type RequestChange, RequestChangeFeed } from './approval-change-feed.ts';
export {
  APPROVE_CAPABILITY,
  type ApprovalCaller,
  ApprovalService,
  DECISION_COMMENT_MAX,
  type NewRequestInput,
} from './approval-service.ts';
export type { RequestPreflight, RunRequest } from './approval-store.ts';
export {
  APPROVAL_MODE_WORDS,
  APPROVAL_MODES,
  type ApprovalMode,
  type ApprovalPolicy,
  DEFAULT_APPROVAL_MODE,
  deployIdentitySchema,
  EVERY_RUNBOOK,
  exemptIdentitiesSchema,
  needsApproval,
} from './policy.ts';
export { OPEN_STATUSES, REQUEST_STATUSES, REQUEST_TRANSITIONS, type RequestStatus } from './request-state.ts';
