import { describeScope, type ResolvedScope } from '@ops/runbook-sdk';
import type { RunRequest } from './approval-store.ts';
import { APPROVAL_MODE_WORDS, type ApprovalMode } from './policy.ts';

// What an operator reads when a request cannot go on: one home for the words.

const who = (actor: { email?: string } | null) => actor?.email ?? 'another operator';

/** Why a request that is not `approved` cannot start, in words. */
export function whyNotStartable(r: RunRequest): string {
  switch (r.status) {
    case 'pending':
      return `run request ${r.id} is still waiting for another operator's approval`;
    case 'rejected':
      return `run request ${r.id} was rejected by ${who(r.decidedBy)}${r.decisionComment ? `: "${r.decisionComment}"` : ''}; it cannot start`;
    case 'expired':
      return `run request ${r.id} expired at ${r.expiresAt} (OPS_APPROVAL_TTL) ${r.decidedAt ? 'before it was started' : 'before anyone decided'}; request approval again`;
    case 'started':
      return `run request ${r.id} was already used${r.runId ? `: run ${r.runId} started from it` : ''}; an approval starts one run only`;
    case 'withdrawn':
      return `run request ${r.id} was withdrawn by its requester ${who(r.requester)}; it cannot start`;
    case 'approved':
      return `run request ${r.id} is approved`;
  }
}

/** Why a request cannot be decided (it is not pending, or it lapsed). */
export function whyNotDecidable(r: RunRequest): string {
  if (r.status === 'pending') return `run request ${r.id} expired at ${r.expiresAt} before anyone decided`;
  if (r.status === 'approved' || r.status === 'rejected')
    return `run request ${r.id} was already ${r.status} by ${who(r.decidedBy)}`;
  return whyNotStartable(r);
}

/** Why the requester cannot withdraw a request (someone decided it, or it lapsed or was used). */
export function whyNotWithdrawable(r: RunRequest): string {
  if (r.status === 'pending') return `run request ${r.id} expired at ${r.expiresAt} before anyone decided`;
  if (r.status === 'approved' || r.status === 'rejected')
    return `run request ${r.id} was already ${r.status} by ${who(r.decidedBy)}; only a pending request can be withdrawn`;
  return whyNotStartable(r);
}

export function approvalRequiredMessage(input: {
  runbookId: string;
  scope: { kind: 'all' | 'tenant' };
  mode: ApprovalMode;
  deployIdentity: string | null;
}): string {
  const where = input.scope.kind === 'all' ? 'all tenants' : 'a tenant';
  const head = `a run of ${input.runbookId} on ${where} needs a second operator's approval (policy: ${APPROVAL_MODE_WORDS[input.mode]})`;
  if (input.deployIdentity === null)
    return `${head}: request approval; the run starts from the request once another operator approved it`;
  return `${head}: pass --approval <request-id> of a request another operator approved, or have an approver exempt deploy identity "${input.deployIdentity}" in the runbook's approval policy`;
}

export function scopeWords(scope: ResolvedScope): string {
  return describeScope(scope);
}
