import type { ResolvedScope } from './scope.ts';

export type LockMode = 'exclusive' | 'shared';

/** One advisory lock a run holds for its whole life. Keys are strings; the daemon hashes them. */
export interface LockRequest {
  key: string;
  mode: LockMode;
}

export function runbookLockKey(runbookId: string): string {
  return `runbook:${runbookId}`;
}

export function tenantLockKey(runbookId: string, tenantId: number): string {
  return `runbook:${runbookId}:tenant:${tenantId}`;
}

/**
 * The default hierarchy: all tenants takes the runbook's key exclusively; one tenant takes it
 * shared plus the tenant's key exclusively. So an all-tenants run excludes every single-tenant run
 * of the same runbook, and runs on two different tenants do not exclude each other.
 */
export function defaultLockRequests(runbookId: string, scope: ResolvedScope): LockRequest[] {
  if (scope.kind === 'all') return [{ key: runbookLockKey(runbookId), mode: 'exclusive' }];
  return [
    { key: runbookLockKey(runbookId), mode: 'shared' },
    { key: tenantLockKey(runbookId, scope.tenantId), mode: 'exclusive' },
  ];
}
