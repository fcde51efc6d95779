import type { CsvInputRows } from '@ops/runbook-sdk';

/**
 * A start from an approved run request (approvals/): the run records which request it came from and
 * who approved it (`context.approval`), and works on the file stored with the request — its rows
 * were validated by the SDK's parser when the request was made, and the approval is bound to them.
 */
export interface RunApproval {
  requestId: string;
  requestedBy: string;
  approvedBy: string | null;
  /** The request's file, or null for a runbook without input. */
  input: CsvInputRows | null;
}

/** What the run record keeps of its approval (`context.approval`, `runs show --json`). */
export interface RunApprovalSummary {
  request_id: string;
  requested_by: string;
  approved_by: string | null;
}

export function approvalSummaryOf(approval: RunApproval): RunApprovalSummary {
  return {
    request_id: approval.requestId,
    requested_by: approval.requestedBy,
    approved_by: approval.approvedBy,
  };
}
