/** The external id of the platform's own tenant. No runbook may count or write its rows. */
export const PLATFORM_TENANT_EXTERNAL_ID = 'platform';

export const SCOPE_KINDS = ['all', 'tenant'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** What a caller asks for. */
export type Scope = { kind: 'all' } | { kind: 'tenant'; tenantId: number };

/** A scope after the daemon has checked it against the allowed tenant universe. */
export type ResolvedScope =
  | { kind: 'all' }
  | { kind: 'tenant'; tenantId: number; externalId: string; name: string };

export function describeScope(scope: ResolvedScope): string {
  return scope.kind === 'all' ? 'all tenants' : `tenant ${scope.externalId}`;
}
