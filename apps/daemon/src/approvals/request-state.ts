/**
 * A run request's life, as data: the only legal moves. Everything that changes a request's status
 * (approval-store.ts) takes its allowed "from" states from here.
 */
export const REQUEST_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'started',
  'withdrawn',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const REQUEST_TRANSITIONS: Record<RequestStatus, readonly RequestStatus[]> = {
  // another operator approves (a fresh OPS_APPROVAL_TTL starts), rejects, or nobody decides in time;
  // or the requester takes it back before anyone decided
  pending: ['approved', 'rejected', 'expired', 'withdrawn'],
  // its one start claims it; or it lies unused past its expiry
  approved: ['started', 'expired'],
  rejected: [],
  expired: [],
  // a start that failed before any run was recorded hands the approval back (approval-service.ts)
  started: ['approved'],
  withdrawn: [],
};

export const OPEN_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter((s) =>
  REQUEST_TRANSITIONS[s].includes('expired'),
);

/** The states a request may move to `to` from. */
export function fromStatesOf(to: RequestStatus): RequestStatus[] {
  return REQUEST_STATUSES.filter((from) => REQUEST_TRANSITIONS[from].includes(to));
}

export function canMove(from: RequestStatus, to: RequestStatus): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}
