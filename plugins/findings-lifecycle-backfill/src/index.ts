import {
  defineRunbook,
  describeScope,
  PLATFORM_TENANT_EXTERNAL_ID,
  type ResolvedScope,
} from '@ops/runbook-sdk';
import { LIFECYCLE_FIELDS } from './derivation.ts';
import { lifecycleSampleChanges } from './diff.ts';
import { lifecycleEstimate } from './estimate.ts';
import { lifecycleHasAffected, lifecyclePreflight } from './preflight.ts';
import { dropLifecycleWork, lifecycleWork, prepareLifecycleWork, workTableName } from './work.ts';

export { derivedLifecycleSql, type EventAccess, LIFECYCLE_FIELDS } from './derivation.ts';
export { DIFF_WALK_BUDGET, lifecycleFieldText, lifecycleSampleChanges } from './diff.ts';
export { lifecycleEstimate } from './estimate.ts';
export { lifecycleHasAffected, lifecyclePreflight, preflightQuery } from './preflight.ts';
export { dropLifecycleWork, lifecycleWork, prepareLifecycleWork, workTableName } from './work.ts';

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
  sdk: '^2.0.0',
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
  // Rehearse with a diff (issue 14): sampled from the same derivation the run applies (diff.ts).
  async sampleChanges(ctx, scope, options) {
    assertNotPlatform(scope);
    return lifecycleSampleChanges(ctx, scope, options);
  },
  async run(ctx, scope) {
    assertNotPlatform(scope);
    ctx.log(`rebuilding findings lifecycle for ${describeScope(scope)}`);
    // Derive first, in short id slices, then write in short chunks from the run's work table (work.ts).
    const table = workTableName(ctx.runId, scope);
    const derived = await prepareLifecycleWork(ctx.db, table, scope);
    ctx.log(
      derived === null
        ? 'resuming from the lifecycle derived earlier in this run'
        : `derived the lifecycle (in id slices): ${derived} findings to rewrite`,
    );
    const summary = await ctx.runChunked(lifecycleWork(scope, table));
    // Paused or cancelled: a resumed run reuses the table. Otherwise nothing reads it any more.
    if (!ctx.signal.aborted) await dropLifecycleWork(ctx.db, table);
    return { ...summary };
  },
});
