import { breakGlassGrants, PLANES, type Plane } from './capabilities.ts';
import type { BreakGlassState, Principal } from './principal.ts';

/** The user record as better-auth returns it, with our additional fields. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  plane?: unknown;
  capabilities?: unknown;
}

// Read defensively: a row edited by hand must never widen what a caller may do.
function planeOf(value: unknown): Plane {
  return value === 'platform' && (PLANES as readonly string[]).includes(value) ? 'platform' : 'tenant';
}

function capabilitiesOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((c): c is string => typeof c === 'string') : [];
}

/**
 * The principal of a signed-in user: its own capabilities plus, while break-glass is active, what
 * break-glass grants. A tenant-plane account has no platform capabilities whatever its row says.
 */
export function toPrincipal(
  user: SessionUser,
  breakGlass: BreakGlassState | null,
  runbookCapabilities: readonly string[],
): Principal {
  const plane = planeOf(user.plane);
  if (plane === 'tenant') {
    return { userId: user.id, email: user.email, name: user.name, plane, capabilities: [], breakGlass: null };
  }
  const own = capabilitiesOf(user.capabilities);
  const capabilities =
    breakGlass === null ? own : [...new Set([...own, ...breakGlassGrants(runbookCapabilities)])];
  return { userId: user.id, email: user.email, name: user.name, plane, capabilities, breakGlass };
}
