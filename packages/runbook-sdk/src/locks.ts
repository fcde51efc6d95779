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
  return `${runbookLockKey(runbookId)}:tenant:${tenantId}`;
}

export function resourceLockKey(resource: string): string {
  return `resource:${resource}`;
}

/** One lockable thing (a runbook, or a resource such as `table:findings`) in the scope hierarchy. */
function hierarchy(key: string, scope: ResolvedScope): LockRequest[] {
  if (scope.kind === 'all') return [{ key, mode: 'exclusive' }];
  return [
    { key, mode: 'shared' },
    { key: `${key}:tenant:${scope.tenantId}`, mode: 'exclusive' },
  ];
}

/**
 * The default hierarchy, for the runbook itself and each resource it writes: all tenants takes the
 * key exclusively; one tenant takes it shared plus the tenant's key exclusively. So an all-tenants
 * run excludes every single-tenant run of the same runbook (or of any runbook writing the same
 * resource), and runs on two different tenants do not exclude each other.
 */
export function defaultLockRequests(
  runbookId: string,
  scope: ResolvedScope,
  resources: readonly string[] = [],
): LockRequest[] {
  return [runbookLockKey(runbookId), ...resources.map(resourceLockKey)].flatMap((key) =>
    hierarchy(key, scope),
  );
}
