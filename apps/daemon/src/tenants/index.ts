export { resolveScope, resolveScopeByExternalId, searchTenants, type TenantSearchHit } from './tenants.ts';
