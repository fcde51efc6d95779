import type { Plane } from './capabilities.ts';

export interface BreakGlassState {
  id: string;
  reasonCode: string;
  reasonText: string;
  activatedAt: string;
  expiresAt: string;
}

/** Who is calling, resolved from a session cookie or a bearer token. */
export interface Principal {
  userId: string;
  email: string;
  name: string;
  plane: Plane;
  /** Effective capabilities: the account's own plus break-glass grants while it is active. */
  capabilities: string[];
  breakGlass: BreakGlassState | null;
}

export function hasCapability(principal: Principal, capability: string): boolean {
  return principal.capabilities.includes(capability);
}
