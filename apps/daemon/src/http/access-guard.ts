import type { Principal } from '../identity/principal.ts';
import type { RouteKind } from './routes.ts';

/** `not_found_page`: a platform operator's unknown console page, answered 404 with the console's own page. */
export type GuardDecision = 'allow' | 'unauthorized' | 'login' | 'not_found' | 'not_found_page';

// What a tenant-plane account may still reach under /system: signing in and out (to leave its
// session), and the public sign-in page with its static assets, which anyone may load anyway.
const OPEN_TO_EVERY_PLANE: ReadonlySet<RouteKind> = new Set(['auth_entry', 'login', 'asset']);
// What an anonymous caller may reach: the above and the identity endpoints (better-auth answers
// them for a caller without a session).
const OPEN_TO_ANONYMOUS: ReadonlySet<RouteKind> = new Set(['auth_entry', 'auth', 'login', 'asset']);

/**
 * The access contract, enforced once for every /system request before any handler runs. The plane
 * comes first, on the same path for real and unknown routes: a tenant-plane account → 404 exactly
 * like an unknown path, from every route but sign-in/out and the public sign-in page; then unknown
 * paths → 404 (a platform operator's unknown console page: 404 with the console, which shows its
 * "Page not found"); anonymous → 401 (API) or the sign-in page (pages); platform operators pass
 * (capabilities are checked per procedure in tRPC). The caller must have looked the session up for
 * every /system path, whatever the route, so the answer takes the same time for real and unknown ones.
 */
export function decideAccess(route: RouteKind, principal: Principal | null): GuardDecision {
  if (route === 'health') return 'allow';
  if (principal !== null && principal.plane !== 'platform') {
    return OPEN_TO_EVERY_PLANE.has(route) ? 'allow' : 'not_found';
  }
  if (route === 'unknown') return 'not_found';
  // Only a signed-in platform operator learns that the console is here: anyone else gets the one
  // 404 above, byte for byte (plane-404 and access-matrix tests).
  if (route === 'unknown_page') return principal?.plane === 'platform' ? 'not_found_page' : 'not_found';
  if (OPEN_TO_ANONYMOUS.has(route)) return 'allow';
  if (principal === null) return route === 'api' ? 'unauthorized' : 'login';
  return 'allow';
}
