import type { BadgeColor } from '../status/badge-specs.ts';
import type { ApprovalMode, RequestStatus } from './approval-types.ts';

/** A run request's states in operator words, one entry per state (the daemon's request-state.ts). */
export const REQUEST_STATUS_SPECS: Readonly<
  Record<RequestStatus, { label: string; color: BadgeColor; hint: string }>
> = {
  pending: {
    label: 'Waiting for approval',
    color: 'warning',
    hint: 'Another operator must approve or reject it.',
  },
  approved: {
    label: 'Approved',
    color: 'success',
    hint: 'The run can start from it, once, until it expires.',
  },
  rejected: { label: 'Rejected', color: 'danger', hint: 'It cannot start.' },
  expired: {
    label: 'Expired',
    color: 'subtle',
    hint: 'Nobody decided or started it in time; request again.',
  },
  started: { label: 'Run started', color: 'brand', hint: 'Its one run started.' },
  withdrawn: { label: 'Withdrawn', color: 'subtle', hint: 'Its requester took it back; it cannot start.' },
};

export const APPROVAL_MODE_OPTIONS: readonly { value: ApprovalMode; label: string }[] = [
  { value: 'none', label: 'No approval needed' },
  { value: 'all_tenants', label: 'All-tenants runs need approval' },
  { value: 'every_run', label: 'Every run needs approval' },
];

export function approvalModeLabel(mode: ApprovalMode): string {
  return APPROVAL_MODE_OPTIONS.find((o) => o.value === mode)?.label ?? mode;
}

export function scopeWords(
  scope: { kind: 'all' } | { kind: 'tenant'; externalId: string; name: string },
): string {
  return scope.kind === 'all' ? 'all tenants' : `tenant ${scope.name} (${scope.externalId})`;
}
