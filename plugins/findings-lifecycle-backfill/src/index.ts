import {
  defineRunbook,
  describeScope,
  PLATFORM_TENANT_EXTERNAL_ID,
  type ResolvedScope,
} from '@ops/runbook-sdk';
import { LIFECYCLE_FIELDS } from './derivation.ts';
import { lifecycleEstimate } from './estimate.ts';
import { lifecycleHasAffected, lifecyclePreflight } from './preflight.ts';
import { lifecycleWork } from './work.ts';

export { derivedLifecycleSql, type EventAccess, LIFECYCLE_FIELDS } from './derivation.ts';
export { lifecycleEstimate } from './estimate.ts';
export { lifecycleHasAffected, lifecyclePreflight, preflightQuery } from './preflight.ts';
export { lifecycleWork } from './work.ts';

/**
 * The SQL already leaves the platform tenant out of every statement; refusing a scope that names
 * it makes a wrong request fail loudly instead of reporting zero.
 */
function assertNotPlatform(scope: ResolvedScope): void {
  if (scope.kind === 'tenant' && scope.externalId === PLATFORM_TENANT_EXTERNAL_ID) {
    throw new Error('the platform tenant can never be targeted');
  }
}

export default defineRunbook({
  id: 'findings.lifecycle.backfill',
  version: '1.0.0',
  title: 'Rebuild Findings Lifecycle',
  description:
    "Rebuilds every finding's lifecycle fields (status, first/last seen, times seen, resolved at, due at, " +
    'lifecycle version) from its event history. Writes only findings whose fields differ; never the platform tenant.',
  sdk: '^1.0.0',
  capability: 'platform.runbooks.findings.lifecycle_backfill',
  scopes: ['all', 'tenant'],
  confirmationPhrase: 'BACKFILL',
  resources: ['table:findings'],
  // Its chunks change the lifecycle fields and updated_at: a run can be reverted (issue 14).
  reversible: { writes: { 'table:findings': [...LIFECYCLE_FIELDS, 'updated_at'] } },
  async preflight(ctx, scope) {
    assertNotPlatform(scope);
    return lifecyclePreflight(ctx, scope);
  },
  async estimate(ctx, scope) {
    assertNotPlatform(scope);
    return lifecycleEstimate(ctx, scope);
  },
  async hasAffected(ctx, scope) {
    assertNotPlatform(scope);
    return lifecycleHasAffected(ctx, scope);
  },
  async run(ctx, scope) {
    assertNotPlatform(scope);
    ctx.log(`rebuilding findings lifecycle for ${describeScope(scope)}`);
    const summary = await ctx.runChunked(lifecycleWork(scope));
    return { ...summary };
  },
});
