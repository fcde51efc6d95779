import { defineRunbook, describeScope, type PreflightContext, type ResolvedScope } from '@ops/runbook-sdk';
import { z } from 'zod';
import { CREATE_ARCHIVE_SQL, FINDINGS_IN_SCOPE, IS_DUPLICATE, Params, scopeWhere } from './sql.ts';
import { dedupeWork } from './work.ts';

const parameters = z.object({
  dryRun: z.boolean().default(false).describe('Only count the duplicates; remove nothing'),
});

export default defineRunbook({
  id: 'findings.events.dedupe',
  version: '1.0.0',
  title: 'Remove duplicate finding events',
  description:
    'Removes events that repeat another event of the same finding with the same kind and time, keeping the ' +
    'lowest id. Every removed row is archived in the runbook’s own finding_events_archive table with the run id.',
  sdk: '^2.0.0',
  capability: 'platform.runbooks.findings.events_dedupe',
  scopes: ['all', 'tenant'],
  confirmationPhrase: 'DEDUPE',
  summaryKeys: ['archived_count', 'duplicates_found'],
  parameters,
  // Findings' lifecycle fields are derived from these events, so a lifecycle rebuild on an
  // overlapping scope must not run while they change.
  resources: ['table:finding_events', 'table:findings'],

  preflight: countDuplicates,

  async run(ctx, scope): Promise<Record<string, number>> {
    const { dryRun } = parameters.parse(ctx.params);
    if (dryRun) {
      // A rehearsal: the same run record, locks and audit, and the count, but nothing removed.
      const found = await countDuplicates(ctx, scope);
      return { updated_count: 0, archived_count: 0, duplicates_found: found.affected_count };
    }
    ctx.log(`removing duplicate finding events for ${describeScope(scope)}`);
    await ctx.db.query(CREATE_ARCHIVE_SQL);
    const result = await ctx.runChunked(dedupeWork(scope, ctx.runId));
    return { ...result, archived_count: result.updated_count };
  },
});

async function countDuplicates(ctx: PreflightContext, scope: ResolvedScope) {
  const p = new Params();
  const { rows } = await ctx.db.query<{ affected: number; scanned: number; tenants: number }>(
    `SELECT count(*) FILTER (WHERE ${IS_DUPLICATE})::int AS affected, count(*)::int AS scanned,
              count(DISTINCT f.tenant_id) FILTER (WHERE ${IS_DUPLICATE})::int AS tenants
         FROM public.finding_events e JOIN ${FINDINGS_IN_SCOPE} ON f.id = e.finding_id
        WHERE ${scopeWhere(scope, p)}`,
    p.values,
  );
  const r = rows[0]!;
  return { affected_count: r.affected, total_scanned: r.scanned, estimated_tenants: r.tenants };
}
