import type { Principal } from '../identity/principal.ts';
import type { RouteKind } from './routes.ts';

export type GuardDecision = 'allow' | 'unauthorized' | 'login' | 'not_found';

/**
 * The access contract, enforced once for every /system request before any handler runs:
 * anonymous → 401 (API) or the sign-in page (pages); a tenant-plane account → 404 exactly like an
 * unknown path; platform operators pass (capabilities are checked per procedure in tRPC).
 */
export function decideAccess(route: RouteKind, principal: Principal | null): GuardDecision {
  if (route === 'health' || route === 'auth' || route === 'login' || route === 'asset') return 'allow';
  if (route === 'unknown') return 'not_found';
  if (principal && principal.plane !== 'platform') return 'not_found';
  if (!principal) return route === 'api' ? 'unauthorized' : 'login';
  return 'allow';
}
