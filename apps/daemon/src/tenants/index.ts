export { resolveScope, resolveScopeByExternalId } from './tenants.ts';
