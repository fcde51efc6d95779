export { type AccountSummary, demoAccounts } from './accounts.ts';
export { AUTH_BASE_PATH, buildAuthOptions, CLIENT_IP_HEADER, COOKIE_PREFIX } from './auth-options.ts';
export { openAuthPool } from './auth-pool.ts';
export {
  ALL_PLATFORM_CAPABILITIES,
  breakGlassGrants,
  PLANES,
  PLATFORM_CAPABILITIES,
  type Plane,
  type PlatformCapability,
} from './capabilities.ts';
export { clientIpOf, withClientIpHeader } from './client-ip.ts';
export { createIdentity, type Identity, type IdentityOptions } from './identity.ts';
export { type BreakGlassState, hasCapability, type Principal } from './principal.ts';
